package dev.colibri.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tool call's arguments with typed accessors. Every mistake becomes an
 * {@link IllegalArgumentException} whose message names the argument, what was expected and what came.
 */
final class Arguments {

    private final Map<String, Object> raw;

    Arguments(Map<String, Object> raw) {
        this.raw = raw == null ? Map.of() : raw;
    }

    String string(String name) {
        return optionalString(name).orElseThrow(() -> new IllegalArgumentException(
                "missing required argument \"" + name + "\""));
    }

    Optional<String> optionalString(String name) {
        Object v = raw.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("argument \"" + name + "\" must be a string, got " + describe(v));
        }
        return Optional.of(s);
    }

    Optional<Integer> optionalInt(String name, int min, int max) {
        Object v = raw.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("argument \"" + name + "\" must be a whole number, got " + describe(v));
        }
        long value = n.longValue();
        if (value < min || value > max) {
            throw new IllegalArgumentException("argument \"" + name + "\" must be between " + min + " and " + max
                    + ", got " + value);
        }
        return Optional.of((int) value);
    }

    Optional<Boolean> optionalBoolean(String name) {
        Object v = raw.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("argument \"" + name + "\" must be true or false, got " + describe(v));
        }
        return Optional.of(b);
    }

    Optional<List<String>> optionalStringList(String name) {
        Object v = raw.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof List<?> list)) {
            throw new IllegalArgumentException("argument \"" + name + "\" must be a list of strings, got " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new IllegalArgumentException("argument \"" + name + "\" must contain only strings, got "
                        + describe(item));
            }
            out.add(s);
        }
        return Optional.of(out);
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String type = v instanceof Map ? "an object" : v instanceof List ? "a list" : v instanceof String ? "a string"
                : v instanceof Boolean ? "a boolean" : v instanceof Number ? "a number" : v.getClass().getSimpleName();
        String text = String.valueOf(v);
        return type + " (" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + ")";
    }
}
