package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class BenchRunnerTest {

    private static final String VALID = "; valid names: audit_verify_chain, merkle_recompute, snapshot, backup_create,"
            + " backup_verify, merkle_finalize, backup_under_load, offline_restore, cold_start";

    @TempDir
    Path tmp;

    private static BenchRunner.Options only(String... names) {
        return new BenchRunner.Options(2_000, 1, null, null, "64m", 500, 20, names == null ? null : List.of(names));
    }

    private static String unknown(String... names) {
        return assertThrows(IllegalArgumentException.class, () -> only(names)).getMessage();
    }

    @Test
    void withoutOnlyEverySectionIsSelected() {
        BenchRunner.Options all = new BenchRunner.Options(2_000, 1, null, null, "64m", 500, 20);
        assertNull(all.only());
        assertTrue(BenchRunner.SECTIONS.stream().allMatch(all::selects));
    }

    @Test
    void onlyIsPutInRunOrderWithoutRepeats() {
        BenchRunner.Options o = only("merkle_finalize", " backup_verify ", "merkle_finalize");
        assertEquals(List.of("backup_verify", "merkle_finalize"), o.only());
        assertTrue(o.selects("backup_verify"));
        assertFalse(o.selects("backup_create"));
        assertFalse(o.selects("cold_start"));
        assertEquals(BenchRunner.SECTIONS, only(BenchRunner.SECTIONS.toArray(String[]::new)).only());
    }

    @Test
    void anUnknownNameIsRefusedWithTheValidOnes() {
        assertEquals("unknown --only section \"snapshots\"" + VALID, unknown("snapshots", "snapshot"));
        assertEquals("unknown --only sections \"restore snapshots\", \"Cold_Start\"" + VALID,
                unknown("restore snapshots", "Cold_Start", "restore snapshots"));
        assertEquals("unknown --only section \"\"" + VALID, unknown("backup_create", ""));
        assertEquals("--only needs at least one section name" + VALID, unknown());
    }

    @Test
    void withoutOnlyThePlanIsEverySectionInTheUsualOrder() {
        assertEquals(List.of("audit_verify_chain", "merkle_recompute", "snapshot", "backup_create", "backup_verify",
                "merkle_finalize", "backup_under_load", "restore snapshots", "offline_restore", "cold_start"),
                BenchRunner.plan(only((String[]) null)));
    }

    @Test
    void thePlanAddsWhatTheSelectedSectionsNeed() {
        assertEquals(List.of("backup_verify snapshot", "backup_verify", "merkle_finalize"),
                BenchRunner.plan(only("merkle_finalize", "backup_verify")));
        assertEquals(List.of("backup_create", "backup_verify"), BenchRunner.plan(only("backup_verify", "backup_create")));
        assertEquals(List.of("backup_create"), BenchRunner.plan(only("backup_create")));
        assertEquals(List.of("restore snapshots", "offline_restore", "cold_start"),
                BenchRunner.plan(only("cold_start", "offline_restore")));
        assertEquals(List.of("snapshot"), BenchRunner.plan(only("snapshot")));
    }

    /** A tiny real run: only the selected rows, the sections they need, nothing else, no snapshot left. */
    @Test
    void aRunWithOnlyReportsTheSelectedRowsAndLogsNoOtherSection() throws Exception {
        Path out = tmp.resolve("report.json");
        BenchRunner.Options options = new BenchRunner.Options(50, 1, tmp.resolve("ws"), out, "64m", 500, 20,
                List.of("offline_restore", "backup_verify"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchReport report = new BenchRunner(options, new PrintStream(log, true, StandardCharsets.UTF_8)).run();

        assertEquals(List.of(), report.failures());
        assertEquals(List.of("backup_verify", "verify_part_integrity", "verify_part_foreign_keys", "verify_part_sha256",
                "verify_part_chain", "verify_part_merkle", "offline_restore"),
                report.rows().stream().map(Comparison::key).toList());
        assertEquals(List.of("backup_verify", "offline_restore"), report.facts().get("only"));
        List<String> sections = log.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.matches("bench: [a-z_ ]+")).toList();
        assertEquals(List.of("bench: backup_verify snapshot", "bench: backup_verify", "bench: restore snapshots",
                "bench: offline_restore"), sections, log.toString(StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("bench: --only backup_verify,offline_restore: running"
                + " backup_verify snapshot, backup_verify, restore snapshots, offline_restore\n"));
        assertEquals("[\"backup_verify\",\"offline_restore\"]",
                JsonMapper.builder().build().readTree(Files.readString(out)).get("facts").get("only").toString());
        Path backups = new BenchWorkspace(tmp.resolve("ws")).workspace().backupsDir();
        assertEquals(List.of(), Arrays.asList(backups.toFile().list()));
    }
}
