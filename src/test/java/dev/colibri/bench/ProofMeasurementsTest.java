package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProofMeasurementsTest {

    private static final String LINE = "ms=3289.170 ok=true length=1062985 max_heap_mb=61";

    @Test
    void readsTheChildsFieldsByName() {
        assertEquals("3289.170", ProofMeasurements.field(LINE, "ms"));
        assertEquals("true", ProofMeasurements.field(LINE, "ok"));
        assertEquals("61", ProofMeasurements.field(LINE, "max_heap_mb"));
    }

    @Test
    void aMissingFieldNamesTheLine() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProofMeasurements.field(LINE, "m"));
        assertEquals("no m= in \"" + LINE + "\"", e.getMessage());
    }
}
