package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BackupMeasurementsTest {

    /** Regression: the snapshot row ran its sides in one fixed order, Colibri's copy always first. */
    @Test
    void eachRunStartsWithTheNextSideAndRunsEverySideOnce() {
        List<String> sides = List.of("colibri", "backup", "vacuum", "cp", "cp+sync");

        assertEquals(sides, BackupMeasurements.inTurn(sides, 0));
        assertEquals(List.of("backup", "vacuum", "cp", "cp+sync", "colibri"), BackupMeasurements.inTurn(sides, 1));
        assertEquals(List.of("cp+sync", "colibri", "backup", "vacuum", "cp"), BackupMeasurements.inTurn(sides, 4));
        assertEquals(sides, BackupMeasurements.inTurn(sides, 5));
        assertEquals(List.of("cp", "cp+sync", "colibri"), BackupMeasurements.inTurn(List.of("colibri", "cp", "cp+sync"), 4));
        assertEquals(List.of(), BackupMeasurements.inTurn(List.of(), 3));
    }
}
