package dev.colibri.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a script expects of one field. Every check given must hold; an empty check only requires
 * the field to be present.
 *
 * @param equals  the exact JSON value (numbers compare by value), or {@link #UNSET}
 * @param pattern a regular expression that must be found in a string value
 * @param min     the least number allowed
 * @param max     the greatest number allowed
 * @param count   the exact length of a list
 * @param exists  false to require the field to be absent
 */
record FieldCheck(Object equals, Pattern pattern, BigDecimal min, BigDecimal max, Integer count, boolean exists) {

    /** Marks "no equals check" (null is a legitimate value to expect). */
    static final Object UNSET = new Object();

    static final List<String> KEYS = List.of("equals", "pattern", "min", "max", "count", "exists");

    /** The failures of this check against the value found at {@code path} ({@link JsonPath#MISSING} if none). */
    List<String> failures(String path, Object actual) {
        List<String> out = new ArrayList<>();
        if (actual == JsonPath.MISSING) {
            if (exists) {
                out.add(path + ": no such field in the result");
            }
            return out;
        }
        if (!exists) {
            out.add(path + ": expected no such field, got " + Json.describe(actual));
            return out;
        }
        if (equals != UNSET && !Json.same(equals, actual)) {
            out.add(path + ": expected " + Json.describe(equals) + ", got " + Json.describe(actual));
        }
        if (pattern != null) {
            if (!(actual instanceof String s)) {
                out.add(path + ": expected a string matching " + pattern + ", got " + Json.describe(actual));
            } else if (!pattern.matcher(s).find()) {
                out.add(path + ": " + Json.describe(s) + " does not match " + pattern);
            }
        }
        if (min != null || max != null) {
            bounds(path, actual).ifPresent(out::add);
        }
        if (count != null) {
            if (!(actual instanceof List<?> list)) {
                out.add(path + ": expected a list, got " + Json.describe(actual));
            } else if (list.size() != count) {
                out.add(path + ": expected " + count + (count == 1 ? " item" : " items") + ", got " + list.size());
            }
        }
        return out;
    }

    private Optional<String> bounds(String path, Object actual) {
        if (!(actual instanceof Number n)) {
            return Optional.of(path + ": expected a number, got " + Json.describe(actual));
        }
        BigDecimal value = Json.decimal(n);
        if (min != null && value.compareTo(min) < 0) {
            return Optional.of(path + ": expected at least " + min.toPlainString() + ", got " + Json.describe(n));
        }
        if (max != null && value.compareTo(max) > 0) {
            return Optional.of(path + ": expected at most " + max.toPlainString() + ", got " + Json.describe(n));
        }
        return Optional.empty();
    }

    /**
     * Reads a check from a script: an object with some of {@link #KEYS}.
     *
     * @throws IllegalArgumentException naming the offending key
     */
    static FieldCheck parse(Object spec, Variables.Scope scope) {
        if (!(spec instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("must be an object with some of " + String.join(", ", KEYS) + ", got "
                    + Json.kind(spec));
        }
        for (Object key : map.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown check \"" + key + "\"; checks: " + String.join(", ", KEYS));
            }
        }
        Object equals = map.containsKey("equals") ? map.get("equals") : UNSET;
        if (equals != UNSET) {
            scope.requireDefined(equals);
        }
        return new FieldCheck(equals, pattern(map.get("pattern")), number(map, "min"), number(map, "max"),
                count(map.get("count")), exists(map.get("exists")));
    }

    private static Pattern pattern(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("\"pattern\" must be a string, got " + Json.kind(value));
        }
        try {
            return Pattern.compile(s);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("\"pattern\" is not a valid regular expression: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }

    private static BigDecimal number(Map<?, ?> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("\"" + key + "\" must be a number, got " + Json.kind(value));
        }
        return Json.decimal(n);
    }

    private static Integer count(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer n) || n < 0) {
            throw new IllegalArgumentException("\"count\" must be a whole number of at least 0, got "
                    + Json.describe(value));
        }
        return n;
    }

    private static boolean exists(Object value) {
        if (value == null) {
            return true;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException("\"exists\" must be true or false, got " + Json.kind(value));
        }
        return b;
    }

    /** This check with the script's variables substituted into {@code equals}. */
    FieldCheck resolve(Variables vars) {
        return equals == UNSET ? this : new FieldCheck(vars.substitute(equals), pattern, min, max, count, exists);
    }
}
