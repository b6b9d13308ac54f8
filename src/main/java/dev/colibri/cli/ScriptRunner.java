package dev.colibri.cli;

import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;

/**
 * Runs a script: starts its own server on the workspace, carries out the steps in order, prints
 * one line per step with its timing, and stops at the first step whose expectations fail.
 */
final class ScriptRunner {

    private static final int DETAIL_LIMIT = 90;

    private final Launcher launcher;
    private final ScratchWorkspace ws;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Faults faults;
    private final Variables vars = new Variables();
    private final Deque<String> serverLog = ServerProcess.newTail();
    private ServerProcess server;

    /** The outcome of a run: one result per step, the opening server start first. */
    record Report(Instant startedAt, List<StepResult> results) {
        Report {
            results = List.copyOf(results);
        }

        boolean passed() {
            return results.stream().noneMatch(StepResult::failed);
        }
    }

    private record Outcome(String detail, List<String> failures) {
        static Outcome ok(String detail) {
            return new Outcome(detail, List.of());
        }
    }

    ScriptRunner(Launcher launcher, ScratchWorkspace ws, PrintWriter out, PrintWriter err) {
        this.launcher = launcher;
        this.ws = ws;
        this.out = out;
        this.err = err;
        this.faults = new Faults(ws);
    }

    /** Runs every step (a runner runs one script once). */
    Report run(Script script) {
        Instant startedAt = Instant.now();
        int width = Math.max("server start".length(), script.steps().stream().mapToInt(s -> s.title().length()).max()
                .orElse(0));
        List<StepResult> results = new ArrayList<>();
        try {
            StepResult start = timed(0, "server start", null, this::startServer);
            print(start, width);
            results.add(start);
            for (Step step : script.steps()) {
                if (results.get(results.size() - 1).failed()) {
                    results.add(StepResult.skipped(step));
                    continue;
                }
                StepResult r = timed(step.number(), step.title(), step.name(), () -> execute(step));
                print(r, width);
                results.add(r);
            }
        } finally {
            stopQuietly();
        }
        Report report = new Report(startedAt, results);
        summarize(report, script.steps().size());
        return report;
    }

    @FunctionalInterface
    private interface Action {
        Outcome run() throws Exception;
    }

    private StepResult timed(int number, String title, String name, Action action) {
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = action.run();
        } catch (IllegalStateException | IOException e) {
            outcome = new Outcome("", List.of(e.getMessage()));
        } catch (Exception e) {
            outcome = new Outcome("", List.of(e.toString()));
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        StepResult.Status status = outcome.failures().isEmpty() ? StepResult.Status.PASSED : StepResult.Status.FAILED;
        return new StepResult(number, title, name, status, millis, outcome.detail(), outcome.failures());
    }

    private Outcome execute(Step step) throws Exception {
        if (step instanceof Step.ToolCall call) {
            return callTool(call);
        }
        if (step instanceof Step.Server s) {
            return s.start() ? startServer() : stopServer();
        }
        if (step instanceof Step.Cli cli) {
            return runCli(cli);
        }
        if (step instanceof Step.Corrupt c) {
            return Outcome.ok(faults.corrupt(vars.text(c.file()), c.offset(), c.bytes()));
        }
        Step.Age age = (Step.Age) step;
        return Outcome.ok(faults.age(vars.text(age.snapshot()), age.days()));
    }

    private Outcome startServer() {
        server = ServerProcess.start(launcher, ws, serverLog);
        long pid = server.pid();
        return Outcome.ok(pid > 0 ? "pid " + pid : "");
    }

    private Outcome stopServer() {
        ServerProcess s = server;
        server = null;
        s.stop();
        return Outcome.ok("workspace released");
    }

    private void stopQuietly() {
        if (server != null) {
            try {
                stopServer();
            } catch (RuntimeException e) {
                err.println("colibri: stopping the script's server: " + e.getMessage());
            }
        }
    }

    private Outcome callTool(Step.ToolCall call) {
        @SuppressWarnings("unchecked")
        Map<String, Object> args = (Map<String, Object>) vars.substitute(call.args());
        McpSchema.CallToolResult r;
        try {
            r = server.call(call.tool(), args);
        } catch (RuntimeException e) {
            String last = ServerProcess.lastLine(serverLog);
            return new Outcome("", List.of("the call failed: " + e.getMessage() + (last.isEmpty() ? ""
                    : " (server: " + last + ")")));
        }
        String text = r.content() == null ? "" : r.content().stream().filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text()).findFirst().orElse("");
        Object structured = r.structuredContent();
        List<String> failures = call.expect().toolFailures(Boolean.TRUE.equals(r.isError()), structured, text, vars);
        if (!failures.isEmpty()) {
            return new Outcome("", failures);
        }
        return captured(call.capture(), structured, Expectation.firstLine(text));
    }

    private Outcome runCli(Step.Cli cli) {
        List<String> args = cli.args().stream().map(vars::text).toList();
        CliProcess.Run run = CliProcess.run(launcher, ws, args);
        Object json = JsonPath.MISSING;
        if (!run.stdout().isBlank()) {
            try {
                json = Json.parse(run.stdout());
            } catch (JacksonException e) {
                json = JsonPath.MISSING;
            }
        }
        List<String> failures = cli.expect().cliFailures(run.exitCode(), json, run.stdout(), run.stderr(), vars);
        if (!failures.isEmpty()) {
            return new Outcome("", failures);
        }
        Outcome captured = captured(cli.capture(), json == JsonPath.MISSING ? null : json, "");
        String detail = "exit " + run.exitCode() + (captured.detail().isEmpty() ? "" : "  " + captured.detail());
        return new Outcome(detail, captured.failures());
    }

    private Outcome captured(Map<String, JsonPath> capture, Object root, String fallback) {
        if (capture.isEmpty()) {
            return Outcome.ok(fallback);
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonPath> e : capture.entrySet()) {
            Object value = root == null ? JsonPath.MISSING : e.getValue().read(root);
            if (value == JsonPath.MISSING) {
                return new Outcome("", List.of("capture " + e.getKey() + ": " + e.getValue()
                        + " is not in the result"));
            }
            vars.put(e.getKey(), value);
            parts.add(e.getValue() + "=" + (value instanceof String s ? s : Json.compact(value)));
        }
        return Outcome.ok(String.join("  ", parts));
    }

    private void print(StepResult r, int width) {
        String tag = r.failed() ? "[FAIL]" : "[ok]";
        String detail = r.failed() ? r.failures().get(0) : r.detail();
        if (detail.length() > DETAIL_LIMIT && !r.failed()) {
            detail = detail.substring(0, DETAIL_LIMIT - 3) + "...";
        }
        out.println(String.format(Locale.ROOT, "%-6s %3d %-" + width + "s %6d ms  %s", tag, r.number(), r.title(),
                r.millis(), detail).stripTrailing());
        for (int i = 1; i < r.failures().size(); i++) {
            out.println(" ".repeat(11) + r.failures().get(i));
        }
        out.flush();
    }

    private void summarize(Report report, int steps) {
        long millis = report.results().stream().mapToLong(StepResult::millis).sum();
        String time = String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        StepResult failed = report.results().stream().filter(StepResult::failed).findFirst().orElse(null);
        if (failed == null) {
            out.println("passed: " + steps + (steps == 1 ? " step" : " steps") + " in " + time);
            return;
        }
        out.println("FAILED at " + failed.where() + ": " + failed.failures().get(0));
        List<String> log = ServerProcess.lines(serverLog);
        if (!log.isEmpty()) {
            err.println("last lines of the server's log:");
            log.forEach(line -> err.println("  " + line));
        }
    }
}
