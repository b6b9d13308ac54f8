package dev.colibri.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine a benchmark ran on: cores, memory, CPU, disk, OS, JVM, date. */
final class MachineInfo {

    private MachineInfo() {
    }

    static Map<String, Object> collect(Path dir) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("nproc", Runtime.getRuntime().availableProcessors());
        m.put("cpu", procLine(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memory", procLine(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("disk", df(dir));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("jvm_max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return m;
    }

    private static String procLine(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        return "unknown";
    }

    /** The {@code df -P -h} line of the file system holding {@code dir}. */
    private static String df(Path dir) {
        try {
            Cmd.Result r = Cmd.run(List.of("df", "-P", "-h", dir.toString()));
            List<String> lines = r.stdout().strip().lines().toList();
            return lines.isEmpty() ? "unknown" : lines.get(lines.size() - 1).replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
