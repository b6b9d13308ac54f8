package dev.colibri.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a step expects of its outcome: the error flag of a tool result (default false) or the exit
 * code of a CLI run (default 0), and checks on fields of the structured result.
 */
record Expectation(boolean isError, int exitCode, Map<JsonPath, FieldCheck> fields) {

    static Expectation defaults() {
        return new Expectation(false, 0, Map.of());
    }

    /**
     * Reads the {@code expect} object of a tool step ({@code cli} false) or a CLI step.
     *
     * @throws IllegalArgumentException naming the offending key, prefixed with where it is
     */
    static Expectation parse(Object spec, boolean cli, Variables.Scope scope) {
        if (spec == null) {
            return defaults();
        }
        if (!(spec instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("\"expect\" must be an object, got " + Json.kind(spec));
        }
        String flag = cli ? "exitCode" : "isError";
        for (Object key : map.keySet()) {
            if (!flag.equals(key) && !"fields".equals(key)) {
                throw new IllegalArgumentException("\"expect\" has an unknown key \"" + key + "\"; allowed: " + flag
                        + ", fields");
            }
        }
        boolean isError = false;
        int exitCode = 0;
        Object flagValue = map.get(flag);
        if (flagValue != null && cli) {
            if (!(flagValue instanceof Integer code) || code < 0 || code > 255) {
                throw new IllegalArgumentException("\"expect.exitCode\" must be a whole number from 0 to 255, got "
                        + Json.describe(flagValue));
            }
            exitCode = code;
        } else if (flagValue != null) {
            if (!(flagValue instanceof Boolean b)) {
                throw new IllegalArgumentException("\"expect.isError\" must be true or false, got "
                        + Json.describe(flagValue));
            }
            isError = b;
        }
        return new Expectation(isError, exitCode, fields(map.get("fields"), scope));
    }

    private static Map<JsonPath, FieldCheck> fields(Object spec, Variables.Scope scope) {
        if (spec == null) {
            return Map.of();
        }
        if (!(spec instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("\"expect.fields\" must be an object of field path to checks, got "
                    + Json.kind(spec));
        }
        Map<JsonPath, FieldCheck> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String path = String.valueOf(e.getKey());
            try {
                out.put(JsonPath.parse(path), FieldCheck.parse(e.getValue(), scope));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("\"expect.fields\" \"" + path + "\": " + ex.getMessage(), ex);
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The failures of a tool result; empty when every expectation holds. */
    List<String> toolFailures(boolean actualError, Object structured, String text, Variables vars) {
        List<String> out = new ArrayList<>();
        if (actualError != isError) {
            out.add("isError: expected " + isError + ", got " + actualError + because(firstLine(text)));
        }
        checkFields(structured, "the result has no structured content", vars, out);
        return out;
    }

    /** The failures of a CLI run; {@code json} is its parsed stdout or {@link JsonPath#MISSING}. */
    List<String> cliFailures(int actualExit, Object json, String stdout, String stderr, Variables vars) {
        List<String> out = new ArrayList<>();
        if (actualExit != exitCode) {
            out.add("exit code: expected " + exitCode + ", got " + actualExit + because(lastLine(stderr)));
        }
        String why = stdout.isBlank() ? "stdout is empty" : "stdout is not JSON: " + Json.describe(firstLine(stdout));
        checkFields(json == JsonPath.MISSING ? null : json, why, vars, out);
        return out;
    }

    private void checkFields(Object root, String whyNone, Variables vars, List<String> out) {
        if (fields.isEmpty()) {
            return;
        }
        if (root == null) {
            out.add(whyNone);
            return;
        }
        fields.forEach((path, check) -> out.addAll(check.resolve(vars).failures(path.toString(), path.read(root))));
    }

    private static String because(String detail) {
        return detail.isEmpty() ? "" : " (" + detail + ")";
    }

    static String firstLine(String text) {
        String t = text == null ? "" : text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    static String lastLine(String text) {
        String t = text == null ? "" : text.strip();
        int nl = t.lastIndexOf('\n');
        return nl < 0 ? t : t.substring(nl + 1).strip();
    }
}
