package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code colibri script} against the packaged jar: every example passes; a failing step is named. */
class ScriptRunnerIT {

    @TempDir
    Path tmp;

    static Stream<Path> examples() throws IOException {
        return Files.list(Path.of("examples").toAbsolutePath()).filter(ScriptTest::isScript).sorted();
    }

    private static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleRunsCleanAgainstAFreshServer(Path example) throws Exception {
        Path junit = tmp.resolve("report.xml");
        ColibriProcess run = ColibriProcess.run(tmp, Map.of(), "script", example.toString(), "--junit", junit.toString());
        assertEquals(0, run.exitCode(), run.toString());
        int steps = Script.parse(Files.readString(example)).steps().size();
        List<String> lines = run.stdout().lines().filter(l -> l.startsWith("[")).toList();
        assertEquals(steps + 1, lines.size(), run.stdout());
        assertTrue(lines.stream().allMatch(l -> l.matches("\\[ok] +\\d+ \\S.* +\\d+ ms.*")), run.stdout());
        assertTrue(run.stdout().contains("passed: " + steps + " steps in "), run.stdout());

        Element suite = xml(junit).getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals(example.getFileName().toString().replace(".json", ""), suite.getAttribute("name"));
        assertEquals(String.valueOf(steps + 1), suite.getAttribute("tests"));
        assertEquals("0", suite.getAttribute("failures"));
        assertEquals("0", suite.getAttribute("skipped"));
        assertEquals(steps + 1, suite.getElementsByTagName("testcase").getLength());

        String workspace = run.stdout().lines().filter(l -> l.startsWith("workspace ")).findFirst().orElseThrow()
                .replace("workspace ", "").replace(" (temporary)", "");
        assertTrue(!Files.exists(Path.of(workspace)), "a passing run removes its temporary workspace: " + workspace);
    }

    @Test
    void aFailedExpectationStopsTheRunExitsOneAndNamesTheStep() throws Exception {
        Path script = tmp.resolve("broken-expectation.json");
        Files.writeString(script, """
                {"description": "expects a chain length the workspace does not have",
                 "steps": [
                   {"tool": "thought_record_append", "args": {"kind": "note", "content": "one"}},
                   {"tool": "audit_verify_chain", "expect": {"fields": {"status": {"equals": "ok"},
                                                                        "length": {"equals": 2}}}},
                   {"tool": "merkle_finalize"}]}""");
        Path junit = tmp.resolve("out/report.xml");
        ColibriProcess run = ColibriProcess.run(tmp, Map.of(), "script", script.toString(), "--junit", junit.toString());
        assertEquals(1, run.exitCode(), run.toString());
        List<String> lines = run.stdout().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[FAIL] +2 audit_verify_chain +\\d+ ms  length: expected 2,"
                + " got 1")), run.stdout());
        assertTrue(lines.stream().noneMatch(l -> l.contains("merkle_finalize")), run.stdout());
        assertEquals("FAILED at step 2 (audit_verify_chain): length: expected 2, got 1", lines.get(lines.size() - 1));
        String kept = run.stderr().lines().filter(l -> l.startsWith("the workspace is kept for inspection: "))
                .findFirst().orElseThrow(() -> new AssertionError(run.stderr()))
                .replace("the workspace is kept for inspection: ", "");
        assertTrue(Files.isRegularFile(Path.of(kept, "data", "colibri.db")), kept);
        delete(Path.of(kept));

        Document report = xml(junit);
        Element suite = report.getDocumentElement();
        assertEquals("4", suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("skipped"));
        NodeList failures = report.getElementsByTagName("failure");
        assertEquals(1, failures.getLength());
        assertEquals("step 2 (audit_verify_chain): length: expected 2, got 1",
                ((Element) failures.item(0)).getAttribute("message"));
        assertEquals("02 audit_verify_chain", ((Element) failures.item(0).getParentNode()).getAttribute("name"));
    }

    @Test
    void anInvalidScriptExitsTwoBeforeStartingAnything() throws Exception {
        Path script = tmp.resolve("invalid.json");
        Files.writeString(script, """
                {"steps": [{"tool": "backup_create", "capture": {"snap": "snapshot.name"}},
                           {"server": "stop"},
                           {"corrupt": {"file": "../outside.db", "offset": 0, "bytes": 8}}]}""");
        ColibriProcess run = ColibriProcess.run(tmp, Map.of(), "script", script.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("", run.stdout());
        assertEquals("colibri: invalid script " + script + ": step 3 (corrupt ../outside.db): \"corrupt.file\" must be a"
                + " relative path inside the workspace (no \"..\", not absolute), got \"../outside.db\"\n", run.stderr());
    }

    @Test
    void runsOnANamedWorkspaceAndLeavesItThere() throws Exception {
        Path ws = tmp.resolve("named");
        Path script = tmp.resolve("one.json");
        Files.writeString(script, "{\"steps\": [{\"tool\": \"thought_record_append\", \"args\": {\"kind\": \"note\","
                + " \"content\": \"kept\"}, \"capture\": {\"pos\": \"position\"}}]}");
        ColibriProcess run = ColibriProcess.run(tmp, Map.of("COLIBRI_AUDIT_KEY_FILE", tmp.resolve("key").toString()),
                "script", script.toString(), "--workspace", ws.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("workspace " + ws + "\n"), run.stdout());
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("\\[ok] +1 thought_record_append +\\d+ ms  position=0")),
                run.stdout());
        assertTrue(Files.isRegularFile(ws.resolve("data/colibri.db")));
        assertTrue(Files.isRegularFile(tmp.resolve("key")));
    }

    @Test
    void theDemoRunsTheRoundSealExampleFromTheJar() throws Exception {
        ColibriProcess run = ColibriProcess.run(tmp, Map.of(), "demo");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().lines().anyMatch(l -> l.matches("\\[ok] +\\d+ round_seal .*")), run.stdout());
        assertTrue(run.stdout().contains("export COLIBRI_HOME="), run.stdout());
        String workspace = run.stdout().lines().filter(l -> l.startsWith("workspace ")).findFirst().orElseThrow()
                .replace("workspace ", "").replace(" (temporary)", "");
        assertTrue(Files.isRegularFile(Path.of(workspace, "docs", "rounds", "r1-seal.md")), run.stdout());
        delete(Path.of(workspace));
    }

    /** Removes a temporary workspace the runner kept, with the folder holding its key and cold tier. */
    private static void delete(Path home) throws IOException {
        new ScratchWorkspace(new dev.colibri.workspace.Workspace(home, null, home), home.getParent(), Map.of()).delete();
    }
}
