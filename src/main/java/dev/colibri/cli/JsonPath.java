package dev.colibri.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A dotted field path into a tool's structured content, with {@code [i]} list indexes:
 * {@code snapshot.name}, {@code checks[0].status}, {@code snapshots[2].tier}.
 */
final class JsonPath {

    /** What {@link #read} returns when the path leads nowhere (distinct from a JSON null). */
    static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<missing>";
        }
    };

    private final String text;
    private final List<Object> segments;

    private JsonPath(String text, List<Object> segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * Parses a path.
     *
     * @throws IllegalArgumentException saying what is wrong and at which character (1-based)
     */
    static JsonPath parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a field path may not be empty");
        }
        List<Object> segments = new ArrayList<>();
        int i = 0;
        boolean expectName = true;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '[') {
                int close = text.indexOf(']', i);
                if (close < 0) {
                    throw bad(text, "'[' is never closed", i);
                }
                String digits = text.substring(i + 1, close);
                if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
                    throw bad(text, "a list index must be digits, like [0]", i + 1);
                }
                segments.add(Integer.parseInt(digits));
                i = close + 1;
                expectName = false;
            } else if (c == '.') {
                if (expectName) {
                    throw bad(text, "empty field name", i);
                }
                i++;
                expectName = true;
                if (i == text.length()) {
                    throw bad(text, "empty field name", i);
                }
            } else if (isNameChar(c)) {
                if (!expectName) {
                    throw bad(text, "expected '.' or '[' before a field name", i);
                }
                int start = i;
                while (i < text.length() && isNameChar(text.charAt(i))) {
                    i++;
                }
                segments.add(text.substring(start, i));
                expectName = false;
            } else {
                throw bad(text, "unexpected '" + c + "'", i);
            }
        }
        return new JsonPath(text, List.copyOf(segments));
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    private static IllegalArgumentException bad(String text, String why, int index) {
        return new IllegalArgumentException("\"" + text + "\" is not a field path: " + why + " at character "
                + (index + 1));
    }

    /** The value at this path, or {@link #MISSING}. */
    Object read(Object root) {
        Object current = root;
        for (Object segment : segments) {
            if (segment instanceof String name && current instanceof Map<?, ?> map && map.containsKey(name)) {
                current = map.get(name);
            } else if (segment instanceof Integer index && current instanceof List<?> list && index < list.size()) {
                current = list.get(index);
            } else {
                return MISSING;
            }
        }
        return current;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonPath p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
