package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetTest {

    @Test
    void describesItselfAsInTheTable() {
        assertEquals("≤ 0.6×", Target.ratioAtMost(0.6).describe());
        assertEquals("≤ 1500 ms", Target.millisAtMost(1500).describe());
        assertEquals("≤ 1.5×", Target.ratioAtMost(1.5).describe());
        assertEquals("—", Target.none().describe());
        assertEquals("≤ 20 ms (MILLIS_AT_MOST)", Target.millisAtMost(20).toString());
    }

    @Test
    void theLimitItselfMeetsTheTargetAndNaNNever() {
        assertTrue(Target.ratioAtMost(0.5).metBy(0.5));
        assertFalse(Target.ratioAtMost(0.5).metBy(0.5000001));
        assertFalse(Target.millisAtMost(20).metBy(Double.NaN));
        assertTrue(Target.none().metBy(Double.NaN));
    }
}
