package dev.colibri.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the benchmark starts other JVMs (the capped-heap chain verification, the server for the cold
 * start): with this JVM's own {@code java}, on this JVM's class path, through the running jar when
 * there is one.
 */
final class ChildJvm {

    private ChildJvm() {
    }

    /** The {@code java} executable of the running JVM. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The running JVM's class path. */
    static String classPath() {
        return System.getProperty("java.class.path");
    }

    /** The running jar, or null when running from classes. */
    static Path runningJar() {
        return jarOf(classPath());
    }

    /** The jar a class path consists of (absolute), or null when it is not a single jar. */
    static Path jarOf(String classPath) {
        return isSingleJar(classPath) ? Path.of(classPath).toAbsolutePath() : null;
    }

    /**
     * The command that starts the server: {@code java -jar JAR} when the class path is a single jar,
     * otherwise the main class on the class path.
     */
    static List<String> serverCommand(String java, String classPath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (isSingleJar(classPath)) {
            cmd.add("-jar");
            cmd.add(classPath);
        } else {
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add("dev.colibri.cli.Main");
        }
        return cmd;
    }

    private static boolean isSingleJar(String classPath) {
        return classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator);
    }
}
