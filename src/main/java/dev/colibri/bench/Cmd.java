package dev.colibri.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the public tools the benchmark compares against ({@code sqlite3}, {@code cp},
 * {@code sync}, {@code sha256sum}) and times them, process start included: that is what running
 * the manual runbook costs.
 */
final class Cmd {

    private static final long TIMEOUT_MINUTES = 30;

    private Cmd() {
    }

    /** The outcome of one command. */
    record Result(int exitCode, String stdout, double millis) {
    }

    /** Runs {@code command} to completion; a non-zero exit is an {@link IOException} naming it. */
    static Result run(List<String> command) throws IOException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("`" + String.join(" ", command) + "` exited with " + p.exitValue() + ": " + text.strip());
        }
        return new Result(p.exitValue(), text, ms);
    }

    /** A command and, optionally, what its output must be (e.g. "ok" for an integrity check). */
    record Step(List<String> command, String expectedOutput) {
        static Step of(String... command) {
            return new Step(List.of(command), null);
        }

        static Step expecting(String output, String... command) {
            return new Step(List.of(command), output);
        }
    }

    /** Runs the steps one after another and returns the total time; each must succeed. */
    static double runAll(List<Step> steps) throws IOException {
        double total = 0;
        for (Step step : steps) {
            Result r = run(step.command());
            if (step.expectedOutput() != null && !step.expectedOutput().equals(r.stdout().strip())) {
                throw new IOException("`" + String.join(" ", step.command()) + "` printed " + r.stdout().strip()
                        + " where " + step.expectedOutput() + " was expected");
            }
            total += r.millis();
        }
        return total;
    }

    /** The first line a command prints, or null when it cannot be run (not installed). */
    static String probe(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            String text = new String(out, StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            return nl < 0 ? text : text.substring(0, nl);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

}
