package dev.colibri.mcp;

import dev.colibri.testing.MutableClock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.backup.ProgressListener;
import dev.colibri.backup.Snapshot;
import dev.colibri.workspace.Workspace;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup_list and backup_prune adapters: arguments, defaults, annotations, errors and output
 * schemas, and how they show verdicts reused from the workspace's memo (backup_verify refreshes them).
 */
class BackupRetentionToolsTest {

    @TempDir
    Path tmp;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    private Colibri open() {
        return Colibri.open(new Workspace(tmp.resolve("home"), null, tmp.resolve("keys").resolve("audit.key")), clock);
    }

    private static McpSchema.CallToolResult call(Tool tool, Map<String, Object> args) {
        return ToolRegistry.invoke(tool, null, new McpSchema.CallToolRequest(tool.name(), args));
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> structured(McpSchema.CallToolResult r) {
        return (Map<String, Object>) r.structuredContent();
    }

    private static void assertValid(String tool, McpSchema.CallToolResult r) {
        Map<String, Object> schema = new SchemaCatalog(McpJsonDefaults.getMapper()).output(tool);
        JsonSchemaValidator.ValidationResponse v = McpJsonDefaults.getSchemaValidator().validate(schema, structured(r));
        assertTrue(v.valid(), tool + ": " + v.errorMessage());
    }

    /** An old snapshot (pruned) and the newest clean one. */
    private Snapshot[] twoOld(Colibri c) throws Exception {
        Snapshot old = c.backups().create("round", "r1", null, ProgressListener.none()).snapshot();
        clock.advanceDays(1);
        Snapshot newer = c.backups().create("round", "r2", "label", ProgressListener.none()).snapshot();
        clock.advanceDays(40);
        return new Snapshot[] {old, newer};
    }

    @Test
    void bothToolsAreOfferedWithTheirSchemasAndAnnotations() {
        try (Colibri c = open()) {
            List<Tool> tools = ColibriTools.all(c);
            Tool list = tools.stream().filter(t -> t.name().equals("backup_list")).findFirst().orElseThrow();
            Tool prune = tools.stream().filter(t -> t.name().equals("backup_prune")).findFirst().orElseThrow();
            assertEquals(new Tool.Hints(true, false, true, false), list.hints());
            assertEquals(new Tool.Hints(false, true, true, false), prune.hints());
            assertEquals(tools.size(), new ToolRegistry(McpJsonDefaults.getMapper()).specifications(tools).size());
        }
    }

    @Test
    void backupListReportsEverySnapshotAndTheColdTier() throws Exception {
        try (Colibri c = open()) {
            Snapshot[] s = twoOld(c);
            McpSchema.CallToolResult r = call(new BackupListTool(c.retention()), Map.of());
            assertFalse(r.isError(), text(r));
            assertValid("backup_list", r);
            assertEquals("not configured (set COLIBRI_COLD_DIR)", structured(r).get("cold_tier"));
            assertEquals("2 snapshot(s), 1 marked prune; cold tier: not configured (set COLIBRI_COLD_DIR)", text(r));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> snapshots = (List<Map<String, Object>>) structured(r).get("snapshots");
            assertEquals(s[1].name(), snapshots.get(0).get("name"));
            assertEquals("keep", snapshots.get(0).get("retention"));
            assertEquals("r2", snapshots.get(0).get("round"));
            assertEquals(40.0, snapshots.get(0).get("age_days"));
            assertEquals("prune", snapshots.get(1).get("retention"));
            assertEquals("older than 30 days (41.0 days): past the warm window, so it is pruned.",
                    snapshots.get(1).get("reason"));

            McpSchema.CallToolResult hot = call(new BackupListTool(c.retention()), Map.of("tier", "hot"));
            assertValid("backup_list", hot);
            assertEquals(List.of(), structured(hot).get("snapshots"));
        }
    }

    @Test
    void anUnknownTierIsAToolErrorThatNamesTheTiers() {
        try (Colibri c = open()) {
            McpSchema.CallToolResult r = call(new BackupListTool(c.retention()), Map.of("tier", "lukewarm"));
            assertTrue(r.isError());
            assertEquals("invalid arguments for backup_list: tier must be one of hot, warm, cold; got \"lukewarm\"",
                    text(r));
            r = call(new BackupListTool(c.retention()), Map.of("tier", 7));
            assertTrue(r.isError());
            assertEquals("invalid arguments for backup_list: argument \"tier\" must be a string, got a number (7)",
                    text(r));
        }
    }

    @Test
    void backupPruneIsADryRunUnlessToldOtherwise() throws Exception {
        try (Colibri c = open()) {
            Snapshot[] s = twoOld(c);
            Tool prune = new BackupPruneTool(c.retention());
            McpSchema.CallToolResult dry = call(prune, Map.of());
            assertFalse(dry.isError(), text(dry));
            assertValid("backup_prune", dry);
            assertEquals(true, structured(dry).get("dry_run"));
            assertTrue(Files.exists(s[0].path()));
            assertTrue(text(dry).startsWith("dry run: 1 snapshot(s) would be pruned ("), text(dry));

            Map<String, Object> args = new HashMap<>();
            args.put("dry_run", false);
            McpSchema.CallToolResult real = call(prune, args);
            assertFalse(real.isError(), text(real));
            assertValid("backup_prune", real);
            assertEquals(false, structured(real).get("dry_run"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> pruned = (List<Map<String, Object>>) structured(real).get("pruned");
            assertEquals(s[0].name(), pruned.get(0).get("name"));
            assertEquals(1, structured(real).get("kept"));
            assertFalse(Files.exists(s[0].path()));
            assertTrue(Files.exists(s[1].path()));

            McpSchema.CallToolResult bad = call(prune, Map.of("dry_run", "no"));
            assertTrue(bad.isError());
            assertEquals("invalid arguments for backup_prune: argument \"dry_run\" must be true or false, got a string"
                    + " (no)", text(bad));
        }
    }

    @Test
    void aMissingBackupsFolderIsAToolError() throws Exception {
        try (Colibri c = open()) {
            Path backups = c.workspace().backupsDir();
            Files.delete(backups);
            for (Tool tool : List.of(new BackupListTool(c.retention()), new BackupPruneTool(c.retention()))) {
                McpSchema.CallToolResult r = call(tool, Map.of());
                assertTrue(r.isError(), tool.name());
                assertEquals("the backups folder " + backups + " does not exist, so there are no local snapshots; take"
                        + " one with backup_create (it recreates the folder) and look for older snapshots in the cold"
                        + " tier (COLIBRI_COLD_DIR)", text(r));
            }
            Files.createDirectories(backups);
        }
    }

    /**
     * Dates the snapshots' files an hour back, as for snapshots taken a while ago, and waits out the
     * memo's two-second window (their inode change time, which no test can date back, is now): their
     * stat then vouches for them.
     */
    private static void settle(Snapshot... snapshots) throws Exception {
        FileTime anHourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
        for (Snapshot s : snapshots) {
            Files.setLastModifiedTime(s.path(), anHourAgo);
        }
        Thread.sleep(2_200);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> snapshots(McpSchema.CallToolResult r) {
        return (List<Map<String, Object>>) structured(r).get("snapshots");
    }

    @Test
    void backupListSaysWhichVerdictItReusedAndWhen() throws Exception {
        try (Colibri c = open()) {
            Snapshot[] s = twoOld(c);
            settle(s);
            String verifiedAt = clock.instant().toString();
            Tool list = new BackupListTool(c.retention());
            McpSchema.CallToolResult first = call(list, Map.of());
            clock.advance(Duration.ofMinutes(3));
            McpSchema.CallToolResult second = call(list, Map.of());

            assertValid("backup_list", first);
            assertValid("backup_list", second);
            Map<String, Object> newest = snapshots(first).get(0);
            assertEquals(s[1].name(), newest.get("name"));
            assertEquals(true, newest.get("safe_to_restore"));
            assertEquals(verifiedAt, newest.get("verified_at"));
            assertEquals(false, newest.get("verdict_from_memory"));
            assertFalse(snapshots(first).get(1).containsKey("verified_at"), "the older one was not needed");
            assertEquals("2 snapshot(s), 1 marked prune; cold tier: not configured (set COLIBRI_COLD_DIR)", text(first));

            Map<String, Object> again = snapshots(second).get(0);
            assertEquals(true, again.get("safe_to_restore"));
            assertEquals(verifiedAt, again.get("verified_at"));
            assertEquals(true, again.get("verdict_from_memory"));
            assertEquals("2 snapshot(s), 1 marked prune; cold tier: not configured (set COLIBRI_COLD_DIR); 1 verdict(s)"
                    + " reused from an earlier full verification of the unchanged file (verified_at; backup_verify checks"
                    + " a snapshot in full)", text(second));
            assertEquals(1, c.verdicts().verificationsRun());
        }
    }

    @Test
    void backupVerifyAlwaysVerifiesInFullAndTheListingThenUsesItsVerdict() throws Exception {
        try (Colibri c = open()) {
            Snapshot[] s = twoOld(c);
            settle(s);
            Tool list = new BackupListTool(c.retention());
            Tool verify = ColibriTools.all(c).stream().filter(t -> t.name().equals("backup_verify")).findFirst()
                    .orElseThrow();
            call(list, Map.of());
            assertEquals(true, snapshots(call(list, Map.of())).get(0).get("verdict_from_memory"));
            clock.advance(Duration.ofMinutes(1));

            McpSchema.CallToolResult checked = call(verify, Map.of("snapshot", s[1].name()));

            assertFalse(checked.isError(), text(checked));
            assertValid("backup_verify", checked);
            assertEquals(clock.instant().toString(), structured(checked).get("verified_at"));
            assertEquals(2, c.verdicts().verificationsRun(), "backup_verify ran in full on an unchanged file");
            clock.advance(Duration.ofMinutes(1));
            McpSchema.CallToolResult after = call(list, Map.of());
            assertValid("backup_list", after);
            Map<String, Object> newest = snapshots(after).get(0);
            assertEquals(true, newest.get("safe_to_restore"));
            assertEquals(true, newest.get("verdict_from_memory"));
            assertEquals(structured(checked).get("verified_at"), newest.get("verified_at"), "backup_verify's verdict");
            assertEquals(2, c.verdicts().verificationsRun());
        }
    }

    @Test
    void backupPruneNamesTheNewestCleanSnapshotAndTheVerdictItWasKeptOn() throws Exception {
        try (Colibri c = open()) {
            Snapshot[] s = twoOld(c);
            settle(s);
            Tool prune = new BackupPruneTool(c.retention());
            McpSchema.CallToolResult first = call(prune, Map.of());
            McpSchema.CallToolResult second = call(prune, Map.of());

            assertValid("backup_prune", first);
            assertValid("backup_prune", second);
            @SuppressWarnings("unchecked")
            Map<String, Object> kept = (Map<String, Object>) structured(second).get("newest_clean");
            assertEquals(s[1].name(), kept.get("name"));
            assertEquals("warm", kept.get("tier"));
            assertEquals(true, kept.get("safe_to_restore"));
            assertEquals(true, kept.get("verdict_from_memory"));
            assertEquals(1, c.verdicts().verificationsRun());
        }
    }

    @Test
    void backupPruneWithNoCleanSnapshotSaysSoWithANullNewestClean() throws Exception {
        try (Colibri c = open()) {
            McpSchema.CallToolResult r = call(new BackupPruneTool(c.retention()), Map.of());
            assertValid("backup_prune", r);
            assertTrue(structured(r).containsKey("newest_clean"));
            assertNull(structured(r).get("newest_clean"));
        }
    }
}
