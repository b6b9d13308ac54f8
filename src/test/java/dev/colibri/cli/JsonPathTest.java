package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPathTest {

    private final Object result = Json.parse("""
            {"snapshot": {"name": "colibri-r1-20261128.db", "round": null},
             "checks": [{"name": "integrity_check", "status": "ok"}, {"name": "checksum", "status": "fail"}],
             "matrix": [[1, 2], [3, 4]], "size": 4, "dotted-name_1": true}""");

    @Test
    void readsNestedFieldsAndListItems() {
        assertEquals("colibri-r1-20261128.db", JsonPath.parse("snapshot.name").read(result));
        assertEquals("fail", JsonPath.parse("checks[1].status").read(result));
        assertEquals(3, JsonPath.parse("matrix[1][0]").read(result));
        assertEquals(4, JsonPath.parse("size").read(result));
        assertEquals(true, JsonPath.parse("dotted-name_1").read(result));
        assertEquals(Map.of("name", "checksum", "status", "fail"), JsonPath.parse("checks[1]").read(result));
        assertEquals(List.of(1, 2), JsonPath.parse("[0]").read(List.of(List.of(1, 2))));
    }

    @Test
    void tellsANullValueFromAMissingField() {
        assertNull(JsonPath.parse("snapshot.round").read(result));
        assertSame(JsonPath.MISSING, JsonPath.parse("snapshot.label").read(result));
        assertSame(JsonPath.MISSING, JsonPath.parse("checks[2].status").read(result));
        assertSame(JsonPath.MISSING, JsonPath.parse("size.bytes").read(result));
        assertSame(JsonPath.MISSING, JsonPath.parse("checks.name").read(result));
        assertSame(JsonPath.MISSING, JsonPath.parse("snapshot[0]").read(result));
        assertSame(JsonPath.MISSING, JsonPath.parse("anything").read(null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a..b    | \"a..b\" is not a field path: empty field name at character 3",
        ".a      | \".a\" is not a field path: empty field name at character 1",
        "a.      | \"a.\" is not a field path: empty field name at character 3",
        "a[x]    | \"a[x]\" is not a field path: a list index must be digits, like [0] at character 3",
        "a[]     | \"a[]\" is not a field path: a list index must be digits, like [0] at character 3",
        "a[-1]   | \"a[-1]\" is not a field path: a list index must be digits, like [0] at character 3",
        "a[1     | \"a[1\" is not a field path: '[' is never closed at character 2",
        "a b     | \"a b\" is not a field path: unexpected ' ' at character 2",
        "a[0]b   | \"a[0]b\" is not a field path: expected '.' or '[' before a field name at character 5",
        "$.a     | \"$.a\" is not a field path: unexpected '$' at character 1"})
    void refusesMalformedPathsSayingWhereAndWhy(String path, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> JsonPath.parse(path)).getMessage());
    }

    @Test
    void refusesAnEmptyPath() {
        assertEquals("a field path may not be empty",
                assertThrows(IllegalArgumentException.class, () -> JsonPath.parse("")).getMessage());
    }

    @Test
    void printsAsWritten() {
        assertEquals("checks[0].status", JsonPath.parse("checks[0].status").toString());
        assertEquals(JsonPath.parse("a.b"), JsonPath.parse("a.b"));
    }
}
