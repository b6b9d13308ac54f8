package dev.colibri.cli;

import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The workspace a script runs on, and the environment its server and CLI processes get. A
 * temporary one lives in a fresh folder that also holds its audit key and cold tier, so a script
 * never touches the user's key in {@code ~/.config}.
 *
 * @param workspace the workspace as its processes will see it
 * @param root      the temporary folder holding everything, or null for a workspace the user named
 * @param env       the variables added to each child process's environment
 */
record ScratchWorkspace(Workspace workspace, Path root, Map<String, String> env) {

    ScratchWorkspace {
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** A fresh workspace in a new temporary folder, with its key file and cold tier beside it. */
    static ScratchWorkspace temporary() throws IOException {
        Path root = Files.createTempDirectory("colibri-script-");
        Path home = Files.createDirectories(root.resolve("ws"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put(Workspace.ENV_HOME, home.toString());
        env.put(Workspace.ENV_KEY, root.resolve("audit.key").toString());
        env.put(Workspace.ENV_COLD, Files.createDirectories(root.resolve("cold")).toString());
        return new ScratchWorkspace(resolve(env), root, env);
    }

    /** A workspace the user named; key and cold tier come from the inherited environment. */
    static ScratchWorkspace at(Path dir) throws IOException {
        Path home = Files.createDirectories(dir.toAbsolutePath().normalize());
        Map<String, String> env = Map.of(Workspace.ENV_HOME, home.toString());
        return new ScratchWorkspace(resolve(env), null, env);
    }

    /** The workspace a child process resolves from the inherited environment plus {@code env}. */
    private static Workspace resolve(Map<String, String> env) {
        Map<String, String> merged = new LinkedHashMap<>(System.getenv());
        merged.putAll(env);
        return Workspace.fromEnvironment(merged, Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")));
    }

    Path home() {
        return workspace.home();
    }

    boolean isTemporary() {
        return root != null;
    }

    /** Removes a temporary workspace with everything in it; a named one is left alone. */
    void delete() throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
