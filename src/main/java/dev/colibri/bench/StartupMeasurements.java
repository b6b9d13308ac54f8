package dev.colibri.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up, against absolute targets: the server spawned the two documented ways, {@code java -jar
 * colibri.jar} and {@code bin/colibri}, timed to the {@code tools/list} answer (cold start); two
 * floors: the JVM's own start ({@code java -version}) and the SDK's own stdio server with one tool
 * ({@link BareSdkServer}) started the same way as {@code bin/colibri} starts Colibri; and the round
 * trip of a small tool call once the server is up.
 */
final class StartupMeasurements {

    static final String COLD_START = "cold start: spawn `java -jar colibri.jar` to tools/list answered";
    static final String COLD_START_LAUNCHER = "cold start via bin/colibri (AppCDS + launcher flags)";
    static final String BARE_SDK_START = "  floor: the MCP SDK's own stdio server, one tool, same launcher";

    private final BenchContext context;

    StartupMeasurements(BenchContext context) {
        this.context = context;
    }

    /** Per run: the floor, then one {@code java -jar} session; then the {@code bin/colibri} sessions. */
    void coldStart() throws Exception {
        int runs = context.options().runs();
        int toolCalls = context.options().toolCalls();
        Path home = context.scratch().resolve("coldstart-home");
        Path key = context.scratch().resolve("coldstart.key");
        Path jar = ChildJvm.runningJar();
        List<String> plain = ChildJvm.serverCommand(ChildJvm.javaExecutable(), ChildJvm.classPath());
        ColdStart.run(plain, home, key, 1); // creates the key and the schema; not timed
        Series jvm = new Series();
        List<Double> plainMs = new ArrayList<>();
        List<Double> calls = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            jvm.time(() -> Cmd.run(List.of(ChildJvm.javaExecutable(), "-Xshare:auto", "-version")));
            ColdStart.Session s = ColdStart.run(plain, home, key, toolCalls);
            plainMs.add(s.coldStartMillis());
            calls.addAll(s.callMillis());
        }
        if (jar != null) {
            context.add(Comparison.absolute("cold_start", COLD_START, Stats.of(plainMs), Target.millisAtMost(400)));
        } else {
            context.add(Comparison.notMeasured("cold_start", COLD_START, null,
                    "not run from colibri.jar (run: java -jar target/colibri.jar bench)", Target.millisAtMost(400)));
        }
        Path launcher = launcher(jar);
        if (launcher != null) {
            List<String> tuned = launcherCommand(launcher);
            List<Double> tunedMs = new ArrayList<>();
            List<Double> bareMs = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                tunedMs.add(ColdStart.run(tuned, home, key, 0, jar, null).coldStartMillis());
                bareMs.add(ColdStart.run(tuned, home, key, 0, jar, BareSdkServer.class.getName()).coldStartMillis());
            }
            context.add(Comparison.absolute("cold_start_launcher", COLD_START_LAUNCHER, Stats.of(tunedMs),
                    Target.millisAtMost(400)).withNote(archiveNote(jar)));
            context.add(Comparison.absolute("bare_sdk_start", BARE_SDK_START, Stats.of(bareMs), Target.none())
                    .withNote("BareSdkServer: the SDK's StdioServerTransportProvider and default JSON mapper, one tool,"
                            + " no workspace; started by bin/colibri (COLIBRI_MAIN) with the same flags and archive"));
        } else {
            context.add(Comparison.notMeasured("cold_start_launcher", COLD_START_LAUNCHER, null,
                    "no bin/colibri beside the jar's folder", Target.millisAtMost(400)));
        }
        context.add(Comparison.absolute("jvm_start", "  floor: `java -version` (JVM start alone)", jvm.wall(),
                Target.none()).withCpu(jvm.cpu(), null));
        context.add(new Comparison("tool_round_trip", "tool call round trip (merkle_root, small workspace)",
                Stats.of(calls), null, null, null, Stats.Statistic.MEDIAN, Target.none(),
                toolCalls + " calls per session after tools/list, over stdio JSON-RPC lines"));
    }

    /**
     * {@code bin/colibri} of the project the jar was built in ({@code <project>/target/colibri.jar}),
     * or null when there is no jar or no such script.
     */
    static Path launcher(Path jar) {
        if (jar == null || jar.getParent() == null || jar.getParent().getParent() == null) {
            return null;
        }
        Path script = jar.getParent().getParent().resolve("bin").resolve("colibri");
        return Files.isRegularFile(script) ? script : null;
    }

    /** The script itself, as a client's configuration names it; through bash only if it lost its execute bit. */
    static List<String> launcherCommand(Path script) {
        return Files.isExecutable(script) ? List.of(script.toString()) : List.of("bash", script.toString());
    }

    /**
     * Whether {@code bin/colibri} started the jar with its AppCDS archive: the script passes
     * {@code colibri.jsa} beside the jar only when it is newer than the jar ({@code [ jsa -nt jar ]}).
     */
    static String archiveNote(Path jar) throws IOException {
        Path jsa = jar.resolveSibling("colibri.jsa");
        String archive;
        if (!Files.isRegularFile(jsa)) {
            archive = "WITHOUT (run bin/build-cds)";
        } else if (Files.getLastModifiedTime(jsa).compareTo(Files.getLastModifiedTime(jar)) > 0) {
            archive = "with";
        } else {
            archive = "WITHOUT (older than the jar: run bin/build-cds)";
        }
        return "bin/colibri " + archive + " the AppCDS archive target/colibri.jsa; flags: see the script";
    }
}
