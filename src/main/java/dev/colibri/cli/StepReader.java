package dev.colibri.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the steps of a script in order, tracking what the earlier steps leave behind: which
 * variables are captured and whether the server is running.
 */
final class StepReader {

    static final List<String> KINDS = List.of("tool", "server", "cli", "corrupt", "age");
    static final int MAX_CORRUPT_BYTES = 1 << 20;
    private static final Pattern TOOL = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final Variables.Scope scope = new Variables.Scope();
    private boolean running = true;

    /** Reads step {@code number} (1-based). */
    Step read(int number, Object spec) throws Script.Invalid {
        if (!(spec instanceof Map<?, ?> raw)) {
            throw new Script.Invalid("step " + number + ": must be an object, got " + Json.kind(spec));
        }
        List<String> kinds = KINDS.stream().filter(raw::containsKey).toList();
        if (kinds.size() != 1) {
            throw new Script.Invalid("step " + number + ": a step has exactly one of \"tool\", \"server\", \"cli\","
                    + " \"corrupt\", \"age\"; this one has " + (kinds.isEmpty() ? "none"
                            : "\"" + String.join("\" and \"", kinds) + "\""));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) raw;
        String kind = kinds.get(0);
        String where = "step " + number + " (" + provisionalTitle(kind, map) + ")";
        try {
            Object name = map.get("name");
            if (name != null && !(name instanceof String)) {
                throw new IllegalArgumentException("\"name\" must be a string, got " + Json.kind(name));
            }
            return switch (kind) {
                case "tool" -> tool(number, (String) name, map);
                case "server" -> server(number, (String) name, map);
                case "cli" -> cli(number, (String) name, map);
                case "corrupt" -> corrupt(number, (String) name, map);
                default -> age(number, (String) name, map);
            };
        } catch (IllegalArgumentException e) {
            throw new Script.Invalid(where + ": " + e.getMessage());
        }
    }

    private static String provisionalTitle(String kind, Map<String, Object> map) {
        Object v = map.get(kind);
        return switch (kind) {
            case "tool" -> v instanceof String s ? s : "tool";
            case "server" -> v instanceof String s ? "server " + s : "server";
            case "cli" -> v instanceof List<?> l && l.stream().allMatch(a -> a instanceof String)
                    ? Step.Cli.titleOf(l.stream().map(String.class::cast).toList()) : "cli";
            case "corrupt" -> v instanceof Map<?, ?> m && m.get("file") instanceof String f ? "corrupt " + f : kind;
            default -> v instanceof Map<?, ?> m && m.get("snapshot") instanceof String s ? "age " + s : kind;
        };
    }

    private Step tool(int number, String name, Map<String, Object> map) {
        allowOnly(map, "name", "tool", "args", "expect", "capture");
        if (!(map.get("tool") instanceof String tool) || !TOOL.matcher(tool).matches()) {
            throw new IllegalArgumentException("\"tool\" must be a tool name such as \"backup_create\", got "
                    + Json.describe(map.get("tool")));
        }
        if (!running) {
            throw new IllegalArgumentException("the server is stopped here; add {\"server\": \"start\"} before this step");
        }
        Object args = map.getOrDefault("args", Map.of());
        if (!(args instanceof Map<?, ?> argMap)) {
            throw new IllegalArgumentException("\"args\" must be an object, got " + Json.kind(args));
        }
        scope.requireDefined(args);
        Expectation expect = Expectation.parse(map.get("expect"), false, scope);
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) argMap;
        return new Step.ToolCall(number, name, tool, typed, expect, capture(map.get("capture")));
    }

    private Step server(int number, String name, Map<String, Object> map) {
        allowOnly(map, "name", "server");
        Object action = map.get("server");
        if (!"start".equals(action) && !"stop".equals(action)) {
            throw new IllegalArgumentException("\"server\" must be \"start\" or \"stop\", got " + Json.describe(action));
        }
        boolean start = "start".equals(action);
        if (start == running) {
            throw new IllegalArgumentException(start ? "the server is already running" : "the server is already stopped");
        }
        running = start;
        return new Step.Server(number, name, start);
    }

    private Step cli(int number, String name, Map<String, Object> map) {
        allowOnly(map, "name", "cli", "expect", "capture");
        Object args = map.get("cli");
        if (!(args instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(a -> a instanceof String)) {
            throw new IllegalArgumentException("\"cli\" must be a non-empty list of strings, e.g. [\"backup\", \"list\","
                    + " \"--json\"]");
        }
        scope.requireDefined(list);
        List<String> strings = list.stream().map(String.class::cast).toList();
        Expectation expect = Expectation.parse(map.get("expect"), true, scope);
        return new Step.Cli(number, name, strings, expect, capture(map.get("capture")));
    }

    private Step corrupt(int number, String name, Map<String, Object> map) {
        allowOnly(map, "name", "corrupt");
        Map<?, ?> spec = object(map.get("corrupt"), "corrupt", Set.of("file", "offset", "bytes"));
        Object file = spec.get("file");
        if (!(file instanceof String f) || !insideWorkspace(f)) {
            throw new IllegalArgumentException("\"corrupt.file\" must be a relative path inside the workspace"
                    + " (no \"..\", not absolute), got " + Json.describe(file));
        }
        scope.requireDefined(f);
        Object offset = spec.get("offset");
        if (!(offset instanceof Number o) || !(o instanceof Integer || o instanceof Long) || o.longValue() < 0) {
            throw new IllegalArgumentException("\"corrupt.offset\" must be a whole number of at least 0, got "
                    + Json.describe(offset));
        }
        Object bytes = spec.get("bytes");
        if (!(bytes instanceof Integer b) || b < 1 || b > MAX_CORRUPT_BYTES) {
            throw new IllegalArgumentException("\"corrupt.bytes\" must be a whole number from 1 to " + MAX_CORRUPT_BYTES
                    + ", got " + Json.describe(bytes));
        }
        return new Step.Corrupt(number, name, f, o.longValue(), b);
    }

    private Step age(int number, String name, Map<String, Object> map) {
        allowOnly(map, "name", "age");
        Map<?, ?> spec = object(map.get("age"), "age", Set.of("snapshot", "days"));
        if (!(spec.get("snapshot") instanceof String snapshot) || snapshot.isEmpty()) {
            throw new IllegalArgumentException("\"age.snapshot\" must be a snapshot name, got "
                    + Json.describe(spec.get("snapshot")));
        }
        scope.requireDefined(snapshot);
        Object days = spec.get("days");
        if (!(days instanceof Number d) || d.doubleValue() <= 0 || d.doubleValue() > 36_500) {
            throw new IllegalArgumentException("\"age.days\" must be a number greater than 0 (at most 36500), got "
                    + Json.describe(days));
        }
        return new Step.Age(number, name, snapshot, d.doubleValue());
    }

    private Map<String, JsonPath> capture(Object spec) {
        if (spec == null) {
            return Map.of();
        }
        if (!(spec instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("\"capture\" must be an object of variable name to field path, got "
                    + Json.kind(spec));
        }
        Map<String, JsonPath> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String variable = String.valueOf(e.getKey());
            if (!Variables.NAME.matcher(variable).matches()) {
                throw new IllegalArgumentException("\"capture\" variable \"" + variable + "\" must be a name like snap"
                        + " (letters, digits and _, not starting with a digit)");
            }
            if (!(e.getValue() instanceof String path)) {
                throw new IllegalArgumentException("\"capture\" \"" + variable + "\" must be a field path string, got "
                        + Json.kind(e.getValue()));
            }
            try {
                out.put(variable, JsonPath.parse(path));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("\"capture\" \"" + variable + "\": " + ex.getMessage(), ex);
            }
        }
        out.keySet().forEach(scope::define);
        return Collections.unmodifiableMap(out);
    }

    private static Map<?, ?> object(Object spec, String key, Set<String> allowed) {
        List<String> sorted = new ArrayList<>(allowed);
        Collections.sort(sorted);
        if (!(spec instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("\"" + key + "\" must be an object with " + String.join(", ", sorted)
                    + ", got " + Json.kind(spec));
        }
        for (Object k : map.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("\"" + key + "\" has an unknown key \"" + k + "\"; allowed: "
                        + String.join(", ", sorted));
            }
        }
        return map;
    }

    private static void allowOnly(Map<String, Object> map, String... allowed) {
        List<String> keys = List.of(allowed);
        for (String k : map.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + k + "\"; allowed: " + String.join(", ", keys));
            }
        }
    }

    /** A relative path with no {@code ..} segment and no root: it cannot leave the workspace by its text. */
    static boolean insideWorkspace(String file) {
        if (file.isEmpty() || file.indexOf('\0') >= 0 || file.startsWith("/") || file.startsWith("\\")
                || file.startsWith("~") || (file.length() > 1 && file.charAt(1) == ':')) {
            return false;
        }
        for (String part : file.split("[/\\\\]")) {
            if ("..".equals(part)) {
                return false;
            }
        }
        try {
            return !Path.of(file).isAbsolute();
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }
}
