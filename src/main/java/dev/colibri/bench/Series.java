package dev.colibri.bench;

import java.util.ArrayList;
import java.util.List;

/** Wall-clock and CPU milliseconds of the runs of one contender. */
final class Series {

    /** Work whose time is measured. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private final List<Double> wall = new ArrayList<>();
    private final List<Double> cpu = new ArrayList<>();

    /** Runs {@code work} once, recording its wall and CPU time. */
    void time(Work work) throws Exception {
        double c0 = CpuClock.nowMillis();
        long t0 = System.nanoTime();
        work.run();
        wall.add((System.nanoTime() - t0) / 1e6);
        cpu.add(CpuClock.nowMillis() - c0);
    }

    /** Records a time measured elsewhere (e.g. inside a child JVM); CPU unknown. */
    void add(double wallMillis) {
        wall.add(wallMillis);
    }

    Stats wall() {
        return wall.isEmpty() ? null : Stats.of(wall);
    }

    Stats cpu() {
        List<Double> known = cpu.stream().filter(d -> !Double.isNaN(d)).toList();
        return known.isEmpty() ? null : Stats.of(known);
    }
}
