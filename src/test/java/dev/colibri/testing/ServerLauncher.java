package dev.colibri.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How tests start the real server: {@code java -jar target/colibri.jar} when the build made it
 * (integration tests run after {@code package}), else the main class on the test classpath.
 */
public final class ServerLauncher {

    private ServerLauncher() {
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The command line, without the java executable, that runs colibri with {@code args}. */
    public static List<String> args(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        String jar = System.getProperty("colibri.jar");
        if (jar != null && Files.isRegularFile(Path.of(jar))) {
            cmd.add("-jar");
            cmd.add(jar);
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.colibri.cli.Main");
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The full command line including the java executable. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(args(args));
        return cmd;
    }
}
