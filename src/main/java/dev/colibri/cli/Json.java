package dev.colibri.cli;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON as plain Java values (maps, lists, strings, numbers, booleans, null): parsing, printing,
 * describing a value in a message, and equality that compares numbers by value.
 */
final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final int DESCRIBE_LIMIT = 80;

    private Json() {
    }

    /**
     * Parses a JSON text into plain values.
     *
     * @throws tools.jackson.core.JacksonException when the text is not JSON
     */
    static Object parse(String text) {
        return MAPPER.readValue(text, Object.class);
    }

    /** Pretty-printed JSON, as the CLI's {@code --json} prints it. */
    static String pretty(Object value) {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    }

    static String compact(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** A value as it appears in a message: compact JSON, cut at 80 characters. */
    static String describe(Object value) {
        String text = compact(value);
        return text.length() > DESCRIBE_LIMIT ? text.substring(0, DESCRIBE_LIMIT - 3) + "..." : text;
    }

    /** "a string", "a number", "an object" ... for messages about the wrong kind of value. */
    static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return value instanceof Number ? "a number" : value.getClass().getSimpleName();
    }

    /** JSON equality, where 1, 1L and 1.0 are the same number. */
    static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return decimal(x).compareTo(decimal(y)) == 0;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !same(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a == null ? b == null : a.equals(b);
    }

    static BigDecimal decimal(Number n) {
        return n instanceof BigDecimal d ? d : new BigDecimal(n.toString());
    }
}
