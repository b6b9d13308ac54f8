package dev.colibri.reliability;

import dev.colibri.testing.ServerLauncher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The real server ({@code java -jar target/colibri.jar serve}) as a child process spoken to over raw
 * stdio: requests are written as bytes and every byte the process writes is kept. Every stdout line
 * is checked to be a JSON-RPC 2.0 message; the ones that are not are kept in {@link #invalidLines()}.
 * Responses are matched to requests by id, so many calls can be in flight at once.
 */
final class RawServer implements AutoCloseable {

    /** Floats as BigDecimal, so ids and numbers are compared exactly as written. */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final AtomicInteger STARTED = new AtomicInteger();

    /** A tool call's outcome as the client sees it. */
    record ToolCall(JsonNode response, boolean protocolError, boolean isError, String text, JsonNode structured) {

        String str(String field) {
            return structured == null ? null : structured.path(field).asString(null);
        }

        boolean ok() {
            return !protocolError && !isError;
        }

        @Override
        public String toString() {
            return (protocolError ? "protocol error " : isError ? "error result " : "ok ") + text;
        }
    }

    private final Process process;
    private final String label;
    private final OutputStream stdin;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> invalid = new ArrayList<>();
    private final List<JsonNode> unmatched = new ArrayList<>();
    private final AtomicLong lines = new AtomicLong();
    private final AtomicLong nextId = new AtomicLong();
    private final Thread outReader;
    private final Thread errReader;
    private final boolean keepUnmatched;

    private RawServer(Process process, String label, boolean keepUnmatched) {
        this.process = process;
        this.label = label;
        this.keepUnmatched = keepUnmatched;
        this.stdin = process.getOutputStream();
        this.outReader = new Thread(this::readStdout, "raw-stdout-" + label);
        this.errReader = new Thread(() -> drain(process.getErrorStream(), stderr), "raw-stderr-" + label);
        outReader.setDaemon(true);
        errReader.setDaemon(true);
        outReader.start();
        errReader.start();
    }

    /** Starts {@code colibri serve} (or other arguments) with exactly this environment for COLIBRI_*. */
    static RawServer start(Map<String, String> env, Path workDir, String... args) {
        return start(env, workDir, false, args);
    }

    /** A canonical form of a JSON-RPC id for comparing ids exactly: s:text or n:number. */
    static String canonicalId(JsonNode id) {
        if (id == null || id.isNull()) {
            return null;
        }
        return id.isString() ? "s:" + id.asString() : id.isNumber() ? "n:" + id.decimalValue().stripTrailingZeros()
                : "?:" + id;
    }

    static RawServer start(Map<String, String> env, Path workDir, boolean keepUnmatched, String... args) {
        String[] effective = args.length == 0 ? new String[] {"serve"} : args;
        ProcessBuilder pb = new ProcessBuilder(ServerLauncher.command(effective));
        pb.environment().keySet().removeIf(k -> k.startsWith("COLIBRI_"));
        pb.environment().putAll(env);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        try {
            return new RawServer(pb.start(), String.join(" ", effective) + "#" + STARTED.incrementAndGet(),
                    keepUnmatched);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server and completes the MCP initialize handshake. */
    static RawServer serve(Map<String, String> env, Path workDir) {
        return serve(env, workDir, false);
    }

    /** As {@link #serve(Map, Path)}; {@code keepUnmatched} keeps responses to ids this client did not send. */
    static RawServer serve(Map<String, String> env, Path workDir, boolean keepUnmatched) {
        RawServer s = start(env, workDir, keepUnmatched);
        try {
            s.initialize();
            return s;
        } catch (RuntimeException e) {
            s.killAll();
            throw new IllegalStateException("server did not initialize: " + e.getMessage() + "\nstderr:\n"
                    + s.stderr(), e);
        }
    }

    String label() {
        return label;
    }

    void initialize() {
        ObjectNode params = JSON.createObjectNode().put("protocolVersion", "2025-06-18");
        params.putObject("capabilities");
        params.putObject("clientInfo").put("name", "colibri-reliability").put("version", "1");
        JsonNode r = request("initialize", params, Duration.ofSeconds(60));
        if (!r.has("result")) {
            throw new IllegalStateException("initialize failed: " + r);
        }
        notify("notifications/initialized", null);
    }

    /** Sends a request and returns the future of its response. */
    CompletableFuture<JsonNode> send(String method, Object params) {
        String id = "c" + nextId.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        if (params != null) {
            msg.set("params", JSON.valueToTree(params));
        }
        try {
            writeLine(JSON.writeValueAsString(msg));
        } catch (IOException e) {
            pending.remove(id);
            f.completeExceptionally(e);
        }
        return f;
    }

    JsonNode request(String method, Object params, Duration timeout) {
        try {
            return send(method, params).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(method + " got no response within " + timeout + " (alive: "
                    + process.isAlive() + ")");
        } catch (Exception e) {
            throw new IllegalStateException(method + " failed: " + e, e);
        }
    }

    void notify(String method, Object params) {
        ObjectNode msg = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            msg.set("params", JSON.valueToTree(params));
        }
        try {
            writeLine(JSON.writeValueAsString(msg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CompletableFuture<ToolCall> callAsync(String tool, Map<String, ?> args) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", tool);
        params.put("arguments", args);
        return send("tools/call", params).thenApply(RawServer::toolCall);
    }

    ToolCall call(String tool, Map<String, ?> args) {
        return call(tool, args, Duration.ofSeconds(180));
    }

    ToolCall call(String tool, Map<String, ?> args, Duration timeout) {
        try {
            return callAsync(tool, args).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(tool + " got no response within " + timeout + " (alive: "
                    + process.isAlive() + ")\nstderr tail:\n" + tail(stderr(), 3000));
        } catch (Exception e) {
            throw new IllegalStateException(tool + " failed: " + e, e);
        }
    }

    static ToolCall toolCall(JsonNode response) {
        if (response.has("error")) {
            return new ToolCall(response, true, true, response.path("error").path("message").asString(""), null);
        }
        JsonNode result = response.path("result");
        StringBuilder text = new StringBuilder();
        for (JsonNode c : result.path("content")) {
            if ("text".equals(c.path("type").asString(""))) {
                text.append(c.path("text").asString(""));
            }
        }
        JsonNode structured = result.get("structuredContent");
        return new ToolCall(response, false, result.path("isError").asBoolean(false), text.toString(),
                structured == null || structured.isNull() ? null : structured);
    }

    /** The tool names the server lists. */
    List<String> toolNames() {
        List<String> names = new ArrayList<>();
        for (JsonNode t : tools()) {
            names.add(t.path("name").asString(""));
        }
        return names;
    }

    JsonNode tools() {
        JsonNode r = request("tools/list", Map.of(), Duration.ofSeconds(60));
        return r.path("result").path("tools");
    }

    synchronized void writeRaw(byte[] bytes) throws IOException {
        stdin.write(bytes);
        stdin.flush();
    }

    void writeLine(String json) throws IOException {
        byte[] b = (json + "\n").getBytes(StandardCharsets.UTF_8);
        writeRaw(b);
    }

    private void readStdout() {
        InputStream in = process.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                synchronized (stdout) {
                    stdout.write(buf, 0, n);
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        onLine(line.toByteArray());
                        line.reset();
                    } else {
                        line.write(buf[i]);
                    }
                }
            }
            if (line.size() > 0) {
                onLine(line.toByteArray());
            }
        } catch (IOException e) {
            // process gone
        } finally {
            IllegalStateException gone = new IllegalStateException("server exited (stdout closed)");
            pending.values().forEach(f -> f.completeExceptionally(gone));
        }
    }

    private void onLine(byte[] bytes) {
        lines.incrementAndGet();
        String text = new String(bytes, StandardCharsets.UTF_8);
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (RuntimeException e) {
            invalid("not JSON: " + text);
            return;
        }
        String problem = jsonRpcProblem(n);
        if (problem != null) {
            invalid(problem + ": " + text);
            return;
        }
        JsonNode id = n.get("id");
        if (n.has("method")) {
            return; // a notification or request from the server (log, progress)
        }
        CompletableFuture<JsonNode> f = id != null && id.isString() ? pending.remove(id.asString()) : null;
        if (f != null) {
            f.complete(n);
        } else if (keepUnmatched) {
            synchronized (unmatched) {
                unmatched.add(n);
            }
        }
    }

    /** Null when {@code n} is a JSON-RPC 2.0 request, notification or response; else what is wrong. */
    static String jsonRpcProblem(JsonNode n) {
        if (!n.isObject()) {
            return "not an object";
        }
        if (!"2.0".equals(n.path("jsonrpc").asString(null))) {
            return "jsonrpc is not \"2.0\"";
        }
        if (n.has("method")) {
            return n.get("method").isString() ? null : "method is not a string";
        }
        boolean result = n.has("result");
        boolean error = n.has("error");
        if (result == error) {
            return "a response needs exactly one of result and error";
        }
        if (!n.has("id")) {
            return "a response without id";
        }
        JsonNode id = n.get("id");
        if (!(id.isNull() || id.isString() || id.isNumber())) {
            return "id is " + id.getNodeType();
        }
        if (error) {
            JsonNode e = n.get("error");
            if (!e.isObject() || !e.path("code").isIntegralNumber() || !e.path("message").isString()) {
                return "error is not {code, message}";
            }
        }
        return null;
    }

    private void invalid(String what) {
        synchronized (invalid) {
            if (invalid.size() < 50) {
                invalid.add(what.length() > 300 ? what.substring(0, 300) + "..." : what);
            }
        }
    }

    private static void drain(InputStream in, ByteArrayOutputStream sink) {
        byte[] buf = new byte[65536];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                synchronized (sink) {
                    sink.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // process gone
        }
    }

    List<String> invalidLines() {
        synchronized (invalid) {
            return List.copyOf(invalid);
        }
    }

    List<JsonNode> unmatched() {
        synchronized (unmatched) {
            return List.copyOf(unmatched);
        }
    }

    long stdoutLines() {
        return lines.get();
    }

    byte[] stdoutBytes() {
        synchronized (stdout) {
            return stdout.toByteArray();
        }
    }

    byte[] stderrBytes() {
        synchronized (stderr) {
            return stderr.toByteArray();
        }
    }

    String stderr() {
        return new String(stderrBytes(), StandardCharsets.UTF_8);
    }

    String stdout() {
        return new String(stdoutBytes(), StandardCharsets.UTF_8);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** This server as one of this JVM's child processes. */
    Optional<ProcessHandle> handle() {
        return ProcessHandle.current().children().filter(h -> h.pid() == process.pid()).findFirst();
    }

    /** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or -1. */
    long statusKb(String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * kill -9 of the server process only (found among this JVM's children via ProcessHandle), as a
     * crash or an OOM killer would: processes the server started itself are left running. Returns
     * those that were still alive right after the kill.
     */
    List<ProcessHandle> kill() {
        ProcessHandle h = handle().orElse(process.toHandle());
        List<ProcessHandle> children = h.descendants().toList();
        h.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server " + pid() + " survived destroyForcibly");
            }
            outReader.join(5000);
            errReader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return children.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** Kills the server and whatever it started (clean-up after a failed test). */
    void killAll() {
        handle().ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
        kill();
    }

    /** Closes stdin (the client goes away) and waits for a clean exit; returns the exit code. */
    int closeAndWait(Duration timeout) {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killAll();
                throw new IllegalStateException("server " + label + " did not exit within " + timeout
                        + " after stdin closed");
            }
            outReader.join(5000);
            errReader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    /** Waits for a process that is expected to exit by itself (a refused start). */
    int waitForExit(Duration timeout) {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already closed
        }
        return closeAndWait(timeout);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            closeAndWait(Duration.ofSeconds(60));
        }
    }

    static String tail(String s, int max) {
        return s.length() <= max ? s : s.substring(s.length() - max);
    }
}
