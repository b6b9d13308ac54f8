package dev.colibri.mcp;

import java.util.LinkedHashMap;
import java.util.Map;

/** An insertion-ordered map builder for structured content; null values are left out. */
final class Fields {

    private final Map<String, Object> map = new LinkedHashMap<>();

    static Fields of() {
        return new Fields();
    }

    Fields put(String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
        return this;
    }

    /** Puts the key even when the value is null (for fields the schema allows to be null). */
    Fields putNullable(String key, Object value) {
        map.put(key, value);
        return this;
    }

    /** Puts every entry of {@code fields}. */
    Fields putAll(Map<String, Object> fields) {
        fields.forEach(this::put);
        return this;
    }

    Map<String, Object> map() {
        return map;
    }
}
