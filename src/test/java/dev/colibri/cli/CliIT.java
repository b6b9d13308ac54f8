package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.testing.ServerSession;
import dev.colibri.testing.TestWorkspace;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The human CLI against the packaged jar: JSON output, exit codes, and the single-writer refusal. */
class CliIT {

    @TempDir
    Path tmp;
    TestWorkspace ws;

    @BeforeEach
    void setUp() throws Exception {
        ws = TestWorkspace.in(tmp);
    }

    private ColibriProcess colibri(String... args) throws Exception {
        return ColibriProcess.run(tmp, ws.env(), args);
    }

    private Map<?, ?> created() throws Exception {
        ColibriProcess create = colibri("backup", "create", "--kind", "round", "--round", "r7", "--label", "drill", "--json");
        assertEquals(0, create.exitCode(), create.toString());
        return (Map<?, ?>) create.json().get("snapshot");
    }

    @Test
    void backupCreateListAndVerifyPrintOnlyTheToolsJsonOnStdout() throws Exception {
        Map<?, ?> snapshot = created();
        String name = (String) snapshot.get("name");
        assertTrue(name.matches("colibri-r7-\\d{8}\\.db"), name);
        assertEquals("round", snapshot.get("kind"));
        assertEquals("drill", snapshot.get("label"));
        assertTrue(Files.isRegularFile(Path.of((String) snapshot.get("path"))));

        ColibriProcess verify = colibri("backup", "verify", name, "--json");
        assertEquals(0, verify.exitCode(), verify.toString());
        Map<String, Object> v = verify.json();
        assertEquals(Boolean.TRUE, v.get("safe_to_restore"));
        assertEquals(name, v.get("snapshot"));
        assertTrue(((List<?>) v.get("checks")).size() >= 6);

        ColibriProcess list = colibri("backup", "list", "--json");
        assertEquals(0, list.exitCode(), list.toString());
        List<?> snapshots = (List<?>) list.json().get("snapshots");
        assertEquals(name, ((Map<?, ?>) snapshots.get(0)).get("name"));
        assertEquals("hot", ((Map<?, ?>) snapshots.get(0)).get("tier"));
    }

    @Test
    void withoutJsonTheResultIsAnAlignedTable() throws Exception {
        String name = (String) created().get("name");
        ColibriProcess verify = colibri("backup", "verify", name);
        assertEquals(0, verify.exitCode(), verify.toString());
        List<String> lines = verify.stdout().lines().toList();
        assertEquals(name + ": safe to restore", lines.get(0));
        assertTrue(lines.get(1).matches("CHECK +STATUS +DETAIL"), lines.get(1));
        assertTrue(lines.get(2).matches("integrity_check +ok +ok"), lines.get(2));
        int column = lines.get(1).indexOf("STATUS");
        assertTrue(lines.stream().skip(1).allMatch(l -> l.charAt(column - 1) == ' ' && l.charAt(column) != ' '),
                verify.stdout());
        assertEquals("", verify.stderr());
    }

    @Test
    void aDamagedSnapshotExitsOneWithTheFullResult() throws Exception {
        Map<?, ?> snapshot = created();
        try (RandomAccessFile f = new RandomAccessFile((String) snapshot.get("path"), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xFF);
        }
        ColibriProcess verify = colibri("backup", "verify", (String) snapshot.get("name"), "--json");
        assertEquals(1, verify.exitCode(), verify.toString());
        Map<String, Object> v = verify.json();
        assertEquals(Boolean.FALSE, v.get("safe_to_restore"));
        assertTrue(((List<?>) v.get("checks")).stream().anyMatch(c -> "checksum".equals(((Map<?, ?>) c).get("name"))
                && "fail".equals(((Map<?, ?>) c).get("status"))), verify.stdout());
        assertTrue(verify.stderr().contains("is NOT safe to restore"), verify.stderr());
    }

    @Test
    void aRunningServerHoldsTheWorkspaceAndTheCliNamesItsPid() throws Exception {
        try (ServerSession server = ServerSession.start(ws)) {
            long pid = server.process().orElseThrow().pid();
            ColibriProcess create = colibri("backup", "create", "--json");
            assertEquals(2, create.exitCode(), create.toString());
            assertEquals("", create.stdout());
            assertTrue(create.stderr().contains("the workspace is held by pid " + pid), create.stderr());
            assertTrue(create.stderr().startsWith("colibri: cannot open the workspace"), create.stderr());
        }
    }

    @Test
    void usageErrorsExitTwoAndSayWhatIsWrong() throws Exception {
        ColibriProcess missing = colibri("backup", "verify");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.stderr().startsWith("Missing required parameter: 'NAME'"), missing.stderr());

        ColibriProcess path = colibri("backup", "verify", "../colibri.db", "--json");
        assertEquals(2, path.exitCode(), path.toString());
        assertEquals("", path.stdout());
        assertEquals("colibri: invalid arguments for backup_verify: snapshot \"../colibri.db\" is a path, not a name:"
                + " names may not contain '/', '\\', '..' or NUL; use a name from backup_list such as"
                + " colibri-r75-20260416.db\n", path.stderr());

        ColibriProcess round = colibri("backup", "create", "--kind", "round");
        assertEquals(2, round.exitCode(), round.toString());
        assertEquals("colibri: invalid arguments for backup_create: a round snapshot needs a round, e.g. \"r75\"\n",
                round.stderr());
    }

    @Test
    void auditAndMerkleReportTheLiveDatabase() throws Exception {
        ColibriProcess audit = colibri("audit", "verify", "--json");
        assertEquals(0, audit.exitCode(), audit.toString());
        assertEquals("ok", audit.json().get("status"));
        ColibriProcess merkle = colibri("merkle", "root", "--json");
        assertEquals(0, merkle.exitCode(), merkle.toString());
        assertEquals("missing", ((Map<?, ?>) merkle.json().get("anchor")).get("status"));
        ColibriProcess human = colibri("audit", "verify");
        assertEquals("audit chain of live database: ok", human.stdout().lines().findFirst().orElse(""));
    }

    @Test
    void everyCommandDocumentsTheExitCodes() throws Exception {
        for (String[] command : new String[][] {{"--help"}, {"backup", "create", "--help"}, {"backup", "prune", "--help"},
            {"restore", "--help"}, {"script", "--help"}, {"audit", "verify", "--help"}}) {
            ColibriProcess help = colibri(command);
            assertEquals(0, help.exitCode(), help.toString());
            String path = String.join(" ", java.util.Arrays.copyOf(command, command.length - 1));
            assertTrue(help.stdout().startsWith(("Usage: colibri " + path).strip() + " "), help.stdout());
            assertTrue(help.stdout().contains("Exit codes:"), help.stdout());
            assertTrue(help.stdout().contains("2   usage or setup error"), help.stdout());
        }
        assertFalse(colibri("--help").stdout().contains("Exception"));
    }
}
