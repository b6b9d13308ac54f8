package dev.colibri.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start another colibri process from the running one: the same Java and the same jar (or,
 * when running from classes, the same class path), so a script drives exactly the build it ships in.
 *
 * @param java      the java executable
 * @param classPath the jar or class path that holds {@link Main}
 */
record Launcher(String java, String classPath) {

    /** The launcher of the code that is running now. */
    static Launcher current() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        CodeSource source = Main.class.getProtectionDomain().getCodeSource();
        Path location = null;
        try {
            location = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            location = null;
        }
        boolean jar = location != null && Files.isRegularFile(location);
        return new Launcher(java, jar ? location.toString() : System.getProperty("java.class.path"));
    }

    /** The command line that runs {@code colibri args...}. */
    List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-cp", classPath, Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    /** The arguments after the java executable (for the SDK's server parameters). */
    List<String> arguments(List<String> args) {
        List<String> cmd = command(args);
        return cmd.subList(1, cmd.size());
    }
}
