package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScriptTest {

    private static String invalid(String json) {
        return assertThrows(Script.Invalid.class, () -> Script.parse(json)).getMessage();
    }

    private static String step(String stepJson) {
        return invalid("{\"steps\": [" + stepJson + "]}");
    }

    @Test
    void readsEveryKindOfStep() throws Exception {
        Script s = Script.parse("""
                {"description": "drill", "steps": [
                  {"name": "seal", "tool": "round_seal", "args": {"round": "r1"},
                   "expect": {"fields": {"snapshot.name": {"pattern": "^colibri-r1-"}}},
                   "capture": {"snap": "snapshot.name"}},
                  {"server": "stop"},
                  {"corrupt": {"file": "data/colibri.db", "offset": 8192, "bytes": 64}},
                  {"age": {"snapshot": "${snap}", "days": 10}},
                  {"cli": ["restore", "--snapshot", "${snap}", "--yes", "--json"], "expect": {"exitCode": 0}},
                  {"server": "start"},
                  {"tool": "audit_verify_chain"}]}""");
        assertEquals("drill", s.description());
        assertEquals(7, s.steps().size());
        Step.ToolCall seal = assertInstanceOf(Step.ToolCall.class, s.steps().get(0));
        assertEquals("seal", seal.name());
        assertEquals(Map.of("round", "r1"), seal.args());
        assertEquals("snapshot.name", seal.capture().get("snap").toString());
        assertEquals(new Step.Server(2, null, false), s.steps().get(1));
        assertEquals(new Step.Corrupt(3, null, "data/colibri.db", 8192, 64), s.steps().get(2));
        assertEquals(new Step.Age(4, null, "${snap}", 10.0), s.steps().get(3));
        Step.Cli cli = assertInstanceOf(Step.Cli.class, s.steps().get(4));
        assertEquals("cli restore", cli.title());
        assertEquals("step 5 (cli restore)", cli.where());
        assertEquals("step 7 (audit_verify_chain)", s.steps().get(6).where());
        assertTrue(s.endsWithServerRunning());
    }

    @Test
    void everyExampleScriptIsValid() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            List<Path> scripts = files.filter(ScriptTest::isScript).toList();
            assertEquals(3, scripts.size(), scripts.toString());
            for (Path p : scripts) {
                Script.Invalid e = null;
                try {
                    Script.parse(Files.readString(p));
                } catch (Script.Invalid ex) {
                    e = ex;
                }
                assertEquals(null, e == null ? null : p + ": " + e.getMessage());
            }
        }
    }

    /** A JSON file in examples/ with a top-level "steps" (the others there are client configurations). */
    static boolean isScript(Path file) {
        try {
            return file.toString().endsWith(".json") && Json.parse(Files.readString(file)) instanceof Map<?, ?> m
                    && m.containsKey("steps");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Test
    void refusesWhatIsNotAScript() {
        assertEquals("not valid JSON (line 1, column 13): Unexpected end-of-input: expected close marker for Array",
                invalid("{\"steps\": [ "));
        assertEquals("not valid JSON (line 1, column 13): Unexpected character ('}' (code 125)): was expecting double-quote"
                + " to start property name", invalid("{\"steps\": 1,}"));
        assertEquals("a script is a JSON object with \"description\" and \"steps\", got a list", invalid("[]"));
        assertEquals("unknown key \"step\" at the top level; allowed: description, steps", invalid("{\"step\": []}"));
        assertEquals("\"description\" must be a string, got a number", invalid("{\"description\": 1, \"steps\": []}"));
        assertEquals("\"steps\" must be a non-empty list of steps", invalid("{\"steps\": []}"));
        assertEquals("\"steps\" must be a non-empty list of steps", invalid("{\"description\": \"x\"}"));
        assertEquals("not valid JSON (line 1, column 22): Duplicate Object property \"steps\"",
                invalid("{\"steps\": [], \"steps\": []}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`\"x\"` | step 1: must be an object, got a string",
        "`{}` | step 1: a step has exactly one of \"tool\", \"server\", \"cli\", \"corrupt\", \"age\"; this one has none",
        "`{\"tool\": \"a\", \"cli\": [\"b\"]}` | step 1: a step has exactly one of \"tool\", \"server\", \"cli\","
            + " \"corrupt\", \"age\"; this one has \"tool\" and \"cli\"",
        "`{\"tool\": \"backup_list\", \"expct\": {}}` | step 1 (backup_list): unknown key \"expct\"; allowed: name, tool,"
            + " args, expect, capture",
        "`{\"tool\": \"Backup List\"}` | step 1 (Backup List): \"tool\" must be a tool name such as \"backup_create\","
            + " got \"Backup List\"",
        "`{\"tool\": \"backup_list\", \"name\": 3}` | step 1 (backup_list): \"name\" must be a string, got a number",
        "`{\"tool\": \"backup_list\", \"args\": []}` | step 1 (backup_list): \"args\" must be an object, got a list",
        "`{\"tool\": \"backup_verify\", \"args\": {\"snapshot\": \"${snap}\"}}` | step 1 (backup_verify): ${snap} is used"
            + " before any step captures it",
        "`{\"tool\": \"backup_list\", \"capture\": {\"1x\": \"a\"}}` | step 1 (backup_list): \"capture\" variable \"1x\""
            + " must be a name like snap (letters, digits and _, not starting with a digit)",
        "`{\"tool\": \"backup_list\", \"capture\": {\"x\": 1}}` | step 1 (backup_list): \"capture\" \"x\" must be a field"
            + " path string, got a number",
        "`{\"tool\": \"backup_list\", \"capture\": {\"x\": \"a..b\"}}` | step 1 (backup_list): \"capture\" \"x\": \"a..b\""
            + " is not a field path: empty field name at character 3",
        "`{\"tool\": \"backup_list\", \"expect\": {\"exitCode\": 0}}` | step 1 (backup_list): \"expect\" has an unknown"
            + " key \"exitCode\"; allowed: isError, fields",
        "`{\"server\": \"restart\"}` | step 1 (server restart): \"server\" must be \"start\" or \"stop\", got \"restart\"",
        "`{\"server\": \"start\"}` | step 1 (server start): the server is already running",
        "`{\"cli\": []}` | step 1 (cli): \"cli\" must be a non-empty list of strings, e.g. [\"backup\", \"list\","
            + " \"--json\"]",
        "`{\"cli\": [\"restore\", \"--snapshot\", \"${s}\"]}` | step 1 (cli restore): ${s} is used before any step"
            + " captures it",
        "`{\"cli\": [\"backup\", \"list\"], \"expect\": {\"isError\": false}}` | step 1 (cli backup list): \"expect\""
            + " has an unknown key \"isError\"; allowed: exitCode, fields",
        "`{\"corrupt\": \"data/colibri.db\"}` | step 1 (corrupt): \"corrupt\" must be an object with bytes, file, offset,"
            + " got a string",
        "`{\"corrupt\": {\"file\": \"a\", \"offset\": 0, \"bytes\": 1, \"seed\": 1}}` | step 1 (corrupt a): \"corrupt\""
            + " has an unknown key \"seed\"; allowed: bytes, file, offset",
        "`{\"corrupt\": {\"file\": \"../x.db\", \"offset\": 0, \"bytes\": 1}}` | step 1 (corrupt ../x.db):"
            + " \"corrupt.file\" must be a relative path inside the workspace (no \"..\", not absolute), got \"../x.db\"",
        "`{\"corrupt\": {\"file\": \"/etc/passwd\", \"offset\": 0, \"bytes\": 1}}` | step 1 (corrupt /etc/passwd):"
            + " \"corrupt.file\" must be a relative path inside the workspace (no \"..\", not absolute), got"
            + " \"/etc/passwd\"",
        "`{\"corrupt\": {\"file\": \"data/../../x\", \"offset\": 0, \"bytes\": 1}}` | step 1 (corrupt data/../../x):"
            + " \"corrupt.file\" must be a relative path inside the workspace (no \"..\", not absolute), got"
            + " \"data/../../x\"",
        "`{\"corrupt\": {\"file\": \"a\", \"offset\": -1, \"bytes\": 1}}` | step 1 (corrupt a): \"corrupt.offset\" must be"
            + " a whole number of at least 0, got -1",
        "`{\"corrupt\": {\"file\": \"a\", \"offset\": 0, \"bytes\": 0}}` | step 1 (corrupt a): \"corrupt.bytes\" must be a"
            + " whole number from 1 to 1048576, got 0",
        "`{\"age\": {\"snapshot\": \"s\", \"days\": 0}}` | step 1 (age s): \"age.days\" must be a number greater than 0"
            + " (at most 36500), got 0",
        "`{\"age\": {\"days\": 3}}` | step 1 (age): \"age.snapshot\" must be a snapshot name, got null"})
    void refusesABadStepNamingItAndSayingWhy(String stepJson, String message) {
        assertEquals(message, step(stepJson));
    }

    @Test
    void tracksTheServerAcrossSteps() {
        assertEquals("step 3 (backup_list): the server is stopped here; add {\"server\": \"start\"} before this step",
                invalid("{\"steps\": [{\"tool\": \"backup_list\"}, {\"server\": \"stop\"}, {\"tool\": \"backup_list\"}]}"));
        assertEquals("step 2 (server stop): the server is already stopped",
                invalid("{\"steps\": [{\"server\": \"stop\"}, {\"server\": \"stop\"}]}"));
    }

    @Test
    void aStepCannotUseItsOwnCaptureButLaterStepsCan() throws Exception {
        assertEquals("step 1 (backup_verify): ${snap} is used before any step captures it", invalid(
                "{\"steps\": [{\"tool\": \"backup_verify\", \"args\": {\"snapshot\": \"${snap}\"},"
                        + " \"capture\": {\"snap\": \"snapshot\"}}]}"));
        Script s = Script.parse("{\"steps\": [{\"tool\": \"backup_create\", \"capture\": {\"snap\": \"snapshot.name\"}},"
                + " {\"tool\": \"backup_verify\", \"args\": {\"snapshot\": \"${snap}\"}}]}");
        assertEquals(2, s.steps().size());
    }
}
