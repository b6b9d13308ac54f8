package dev.colibri.cli;

import dev.colibri.testing.ServerLauncher;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged colibri CLI as a subprocess (for integration tests), with its output captured. */
record ColibriProcess(int exitCode, String stdout, String stderr) {

    /** Runs {@code colibri args...} in {@code dir} with {@code env} added to a clean Colibri environment. */
    static ColibriProcess run(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> command = ServerLauncher.command(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().remove(Workspace.ENV_HOME);
        pb.environment().remove(Workspace.ENV_COLD);
        pb.environment().remove(Workspace.ENV_KEY);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("colibri " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new ColibriProcess(p.exitValue(), out.get(), err.get());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole of stdout as JSON (fails if anything else is on it). */
    @SuppressWarnings("unchecked")
    Map<String, Object> json() {
        return (Map<String, Object>) Json.parse(stdout);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
