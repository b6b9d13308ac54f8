package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectationTest {

    private final Variables vars = new Variables();

    private static Expectation tool(String json) {
        Variables.Scope scope = new Variables.Scope();
        scope.define("snap");
        return Expectation.parse(Json.parse(json), false, scope);
    }

    private static Expectation cli(String json) {
        return Expectation.parse(Json.parse(json), true, new Variables.Scope());
    }

    private static final Object RESULT = Json.parse("""
            {"status": "broken", "length": 12, "break_at": 3, "ratio": 0.5,
             "snapshot": {"name": "colibri-r1-20261128.db"}, "checks": [{"status": "ok"}, {"status": "fail"}],
             "tags": ["a", "b"], "nothing": null}""");

    @Test
    void aToolResultWithEveryExpectationMetHasNoFailures() {
        Expectation e = tool("""
                {"isError": true, "fields": {"status": {"equals": "broken"}, "length": {"min": 1, "max": 12},
                 "snapshot.name": {"pattern": "^colibri-r1-\\\\d{8}"}, "checks[1].status": {"equals": "fail"},
                 "tags": {"count": 2}, "missing": {"exists": false}, "nothing": {"equals": null},
                 "ratio": {"equals": 0.50, "max": 1}, "break_at": {"equals": 3.0}, "checks": {}}}""");
        assertEquals(List.of(), e.toolFailures(true, RESULT, "audit chain BROKEN", vars));
    }

    @Test
    void eachFailedCheckIsReportedWithWhatWasExpectedAndWhatCame() {
        Expectation e = tool("""
                {"fields": {"status": {"equals": "ok"}, "length": {"min": 20}, "break_at": {"max": 2},
                 "snapshot.name": {"pattern": "^colibri-r2-"}, "checks[0]": {"pattern": "x"},
                 "tags": {"count": 1}, "state": {}, "nothing": {"exists": false}, "snapshot": {"min": 1},
                 "size": {}, "checks[5].status": {"equals": "ok"}, "ratio": {"count": 1}}}""");
        assertEquals(List.of(
                "isError: expected false, got true (audit chain BROKEN at position 3)",
                "status: expected \"ok\", got \"broken\"",
                "length: expected at least 20, got 12",
                "break_at: expected at most 2, got 3",
                "snapshot.name: \"colibri-r1-20261128.db\" does not match ^colibri-r2-",
                "checks[0]: expected a string matching x, got {\"status\":\"ok\"}",
                "tags: expected 1 item, got 2",
                "state: no such field in the result",
                "nothing: expected no such field, got null",
                "snapshot: expected a number, got {\"name\":\"colibri-r1-20261128.db\"}",
                "size: no such field in the result",
                "checks[5].status: no such field in the result",
                "ratio: expected a list, got 0.5"),
                e.toolFailures(true, RESULT, "audit chain BROKEN at position 3\nmore", vars));
    }

    @Test
    void capturedValuesAreSubstitutedIntoEquals() {
        vars.put("snap", "colibri-r1-20261128.db");
        Expectation e = tool("{\"fields\": {\"snapshot.name\": {\"equals\": \"${snap}\"}}}");
        assertEquals(List.of(), e.toolFailures(false, RESULT, "", vars));
        vars.put("snap", "colibri-r2-20261128.db");
        assertEquals(List.of("snapshot.name: expected \"colibri-r2-20261128.db\", got \"colibri-r1-20261128.db\""),
                e.toolFailures(false, RESULT, "", vars));
    }

    @Test
    void aResultWithoutStructuredContentFailsFieldChecksOnce() {
        Expectation e = tool("{\"isError\": true, \"fields\": {\"a\": {}, \"b\": {}}}");
        assertEquals(List.of("the result has no structured content"), e.toolFailures(true, null, "bad", vars));
        assertEquals(List.of("isError: expected false, got true (no snapshot named x)"),
                Expectation.defaults().toolFailures(true, null, "no snapshot named x", vars));
    }

    @Test
    void cliRunsAreCheckedOnExitCodeAndJsonStdout() {
        Expectation e = cli("{\"exitCode\": 0, \"fields\": {\"status\": {\"equals\": \"broken\"}}}");
        assertEquals(List.of(), e.cliFailures(0, RESULT, "{...}", "", vars));
        assertEquals(List.of("exit code: expected 0, got 2 (colibri: cannot restore: the workspace is held by pid 42)",
                "stdout is empty"),
                e.cliFailures(2, JsonPath.MISSING, "", "log line\ncolibri: cannot restore: the workspace is held by pid 42\n",
                        vars));
        assertEquals(List.of("stdout is not JSON: \"plain text\""),
                e.cliFailures(0, JsonPath.MISSING, "plain text\nmore", "", vars));
        assertEquals(List.of("exit code: expected 0, got 1"), cli("{}").cliFailures(1, JsonPath.MISSING, "", "", vars));
    }

    @Test
    void malformedExpectationsAreRefusedExactly() {
        assertEquals("\"expect\" has an unknown key \"exitCode\"; allowed: isError, fields", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"exitCode\": 0}")).getMessage());
        assertEquals("\"expect\" has an unknown key \"isError\"; allowed: exitCode, fields", assertThrows(
                IllegalArgumentException.class, () -> cli("{\"isError\": false}")).getMessage());
        assertEquals("\"expect.isError\" must be true or false, got \"no\"", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"isError\": \"no\"}")).getMessage());
        assertEquals("\"expect.exitCode\" must be a whole number from 0 to 255, got 1.5", assertThrows(
                IllegalArgumentException.class, () -> cli("{\"exitCode\": 1.5}")).getMessage());
        assertEquals("\"expect\" must be an object, got a list", assertThrows(
                IllegalArgumentException.class, () -> tool("[]")).getMessage());
        assertEquals("\"expect.fields\" must be an object of field path to checks, got a string", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"fields\": \"status\"}")).getMessage());
        assertEquals("\"expect.fields\" \"a\": unknown check \"regex\"; checks: equals, pattern, min, max, count, exists",
                assertThrows(IllegalArgumentException.class, () -> tool("{\"fields\": {\"a\": {\"regex\": \"x\"}}}"))
                        .getMessage());
        assertEquals("\"expect.fields\" \"a\": must be an object with some of equals, pattern, min, max, count, exists,"
                + " got a string", assertThrows(IllegalArgumentException.class,
                        () -> tool("{\"fields\": {\"a\": \"ok\"}}")).getMessage());
        assertEquals("\"expect.fields\" \"a[\": \"a[\" is not a field path: '[' is never closed at character 2",
                assertThrows(IllegalArgumentException.class, () -> tool("{\"fields\": {\"a[\": {}}}")).getMessage());
        assertEquals("\"expect.fields\" \"a\": \"pattern\" is not a valid regular expression: Unclosed group near index 2",
                assertThrows(IllegalArgumentException.class, () -> tool("{\"fields\": {\"a\": {\"pattern\": \"(x\"}}}"))
                        .getMessage());
        assertEquals("\"expect.fields\" \"a\": \"min\" must be a number, got a string", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"fields\": {\"a\": {\"min\": \"1\"}}}")).getMessage());
        assertEquals("\"expect.fields\" \"a\": \"count\" must be a whole number of at least 0, got -1", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"fields\": {\"a\": {\"count\": -1}}}")).getMessage());
        assertEquals("\"expect.fields\" \"a\": \"exists\" must be true or false, got a string", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"fields\": {\"a\": {\"exists\": \"no\"}}}")).getMessage());
        assertEquals("\"expect.fields\" \"a\": ${other} is used before any step captures it", assertThrows(
                IllegalArgumentException.class, () -> tool("{\"fields\": {\"a\": {\"equals\": \"${other}\"}}}"))
                        .getMessage());
    }

    @Test
    void defaultsExpectSuccess() {
        assertEquals(new Expectation(false, 0, Map.of()), Expectation.parse(null, false, new Variables.Scope()));
    }
}
