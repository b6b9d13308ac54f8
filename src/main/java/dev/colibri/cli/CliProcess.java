package dev.colibri.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The colibri CLI run as a subprocess on a script's workspace, with its output captured. */
final class CliProcess {

    static final Duration TIMEOUT = Duration.ofMinutes(10);

    /** What a CLI run produced. */
    record Run(int exitCode, String stdout, String stderr) {
    }

    private CliProcess() {
    }

    /**
     * Runs {@code colibri args...} and waits for it.
     *
     * @throws IllegalStateException when it cannot start or does not finish within {@link #TIMEOUT}
     */
    static Run run(Launcher launcher, ScratchWorkspace ws, List<String> args) {
        ProcessBuilder pb = new ProcessBuilder(launcher.command(args)).directory(ws.home().toFile());
        pb.environment().putAll(ws.env());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the colibri CLI: " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the colibri CLI did not finish within " + TIMEOUT.toMinutes()
                        + " minutes");
            }
            return new Run(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new IllegalStateException("cannot talk to the colibri CLI: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while the colibri CLI ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the colibri CLI's output: " + e.getCause().getMessage(), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        }, "colibri-cli-output");
        t.setDaemon(true);
        t.start();
        return result;
    }
}
