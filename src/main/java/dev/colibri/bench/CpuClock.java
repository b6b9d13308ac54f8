package dev.colibri.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by this process and the child processes it has waited for (the
 * {@code sqlite3}, {@code cp} and {@code sha256sum} runs), from {@code /proc/self/stat}: a machine
 * shared with other work stretches wall-clock times, while CPU time says what each side cost.
 * Resolution is the kernel's clock tick (10 ms). Without {@code /proc} it falls back to this
 * process's own CPU time.
 */
final class CpuClock {

    private static final Path STAT = Path.of("/proc/self/stat");
    private static final double TICK_MS = 10.0; // USER_HZ is 100 on Linux

    private CpuClock() {
    }

    /** CPU milliseconds of this process plus its waited-for children. */
    static double nowMillis() {
        try {
            String stat = Files.readString(STAT, StandardCharsets.US_ASCII);
            // Fields after the command name (which may contain spaces) start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * TICK_MS;
        } catch (IOException | RuntimeException e) {
            java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return sun.getProcessCpuTime() / 1e6;
            }
            return Double.NaN;
        }
    }
}
