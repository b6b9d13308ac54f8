package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchContextTest {

    private static final BenchRunner.Options OPTIONS = new BenchRunner.Options(2_000, 1, null, null, "64m", 500, 20);
    private static final Comparison ROW = Comparison.ratio("backup_create", "backup_create", Stats.of(1),
            "sqlite3 .backup", null, Target.ratioAtMost(0.5));

    private static BenchContext context(String sqlite3) {
        return new BenchContext(OPTIONS, new BenchWorkspace(Path.of("/tmp/bench")), Path.of("/tmp/bench/scratch"), sqlite3);
    }

    @Test
    void withoutTheCliItsRowsSaySoAndTheFactToo() {
        BenchContext none = context(null);
        assertFalse(none.hasSqlite3());
        assertEquals("sqlite3 CLI not installed", none.sqlite3Version());
        assertEquals("sqlite3 CLI not installed", none.cli(ROW).missing());
    }

    @Test
    void withTheCliItsRowsAreLeftAlone() {
        BenchContext with = context("3.40.1 2022-12-28");
        assertTrue(with.hasSqlite3());
        assertEquals("3.40.1 2022-12-28", with.sqlite3Version());
        assertNull(with.cli(ROW).missing());
    }

    @Test
    void rowsKeepTheOrderMeasuredAndAreReadOnly() {
        BenchContext c = context(null);
        Comparison other = Comparison.absolute("merkle_finalize", "finalize", Stats.of(2), Target.millisAtMost(20));
        c.add(ROW);
        c.add(other);
        assertEquals(List.of(ROW, other), c.rows());
        assertThrows(UnsupportedOperationException.class, () -> c.rows().add(ROW));
    }
}
