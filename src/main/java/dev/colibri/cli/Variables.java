package dev.colibri.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Values captured by earlier steps of a script run, and their substitution into later ones:
 * {@code ${name}} inside a string is replaced by the captured value; a string that is exactly
 * {@code ${name}} becomes the captured value itself (a number stays a number).
 */
final class Variables {

    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(" + NAME.pattern() + ")}");

    private final Map<String, Object> values = new LinkedHashMap<>();

    void put(String name, Object value) {
        values.put(name, value);
    }

    Object get(String name) {
        return values.get(name);
    }

    /** A copy of {@code json} (plain JSON values) with every reference replaced. */
    Object substitute(Object json) {
        if (json instanceof String s) {
            return substitute(s);
        }
        if (json instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), substitute(v)));
            return out;
        }
        if (json instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(substitute(v)));
            return out;
        }
        return json;
    }

    private Object substitute(String s) {
        Matcher whole = REFERENCE.matcher(s);
        if (whole.matches() && values.containsKey(whole.group(1))) {
            return values.get(whole.group(1));
        }
        return text(s);
    }

    /** A string with every reference replaced by the captured value's text. */
    String text(String s) {
        Matcher m = REFERENCE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object value = values.get(m.group(1));
            String replacement = !values.containsKey(m.group(1)) ? m.group()
                    : value instanceof String str ? str : Json.compact(value);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every variable referenced anywhere in {@code json}, in order of appearance. */
    static List<String> references(Object json) {
        List<String> out = new ArrayList<>();
        collect(json, out);
        return out;
    }

    private static void collect(Object json, List<String> out) {
        if (json instanceof String s) {
            Matcher m = REFERENCE.matcher(s);
            while (m.find()) {
                out.add(m.group(1));
            }
        } else if (json instanceof Map<?, ?> map) {
            map.values().forEach(v -> collect(v, out));
        } else if (json instanceof List<?> list) {
            list.forEach(v -> collect(v, out));
        }
    }

    /** The names captured so far while a script is being read, to refuse a use before its capture. */
    static final class Scope {

        private final Set<String> defined = new HashSet<>();

        void define(String name) {
            defined.add(name);
        }

        /**
         * @throws IllegalArgumentException naming the first variable no earlier step captures
         */
        void requireDefined(Object json) {
            for (String name : references(json)) {
                if (!defined.contains(name)) {
                    throw new IllegalArgumentException("${" + name + "} is used before any step captures it");
                }
            }
        }
    }
}
