package dev.colibri.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spawns the server as a client would ({@code java -jar colibri.jar} or {@code bin/colibri}) on a small workspace,
 * speaks raw JSON-RPC lines over its stdin/stdout, and times: spawn to the {@code tools/list}
 * answer (cold start), then the round trip of small tool calls.
 */
final class ColdStart {

    /** One server session: its cold start and the round trips of the calls made in it. */
    record Session(double coldStartMillis, List<Double> callMillis) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long TIMEOUT_SECONDS = 60;

    private ColdStart() {
    }

    /**
     * Runs one session.
     *
     * @param command the server's command line ({@code java ... -jar colibri.jar})
     * @param home    the workspace ({@code COLIBRI_HOME})
     * @param key     its audit key file
     * @param calls   how many {@code merkle_root} calls to time after {@code tools/list}
     */
    static Session run(List<String> command, Path home, Path key, int calls) throws IOException {
        return run(command, home, key, calls, null, null);
    }

    /**
     * As {@link #run(List, Path, Path, int)}, telling a launcher script which jar to start
     * ({@code COLIBRI_JAR}) and with which JVM: this one ({@code JAVA_HOME}), the JVM the
     * {@code java -jar} sessions use; and, when {@code mainClass} is not null, to start that class of
     * the jar ({@code COLIBRI_MAIN}) instead of the server.
     */
    static Session run(List<String> command, Path home, Path key, int calls, Path jar, String mainClass)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("COLIBRI_HOME", home.toString());
        env.put("COLIBRI_AUDIT_KEY_FILE", key.toString());
        env.remove("COLIBRI_COLD_DIR");
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("COLIBRI_JAVA_OPTS");
        env.remove("COLIBRI_MAIN");
        if (mainClass != null) {
            env.put("COLIBRI_MAIN", mainClass);
        }
        if (jar != null) {
            env.put("COLIBRI_JAR", jar.toString());
            env.put("JAVA_HOME", System.getProperty("java.home"));
        }
        long start = System.nanoTime();
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"colibri-bench\",\"version\":\"1\"}}}");
            await(out, 1);
            send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            JsonNode list = await(out, 2);
            double cold = (System.nanoTime() - start) / 1e6;
            if (!list.path("result").path("tools").isArray() || list.path("result").path("tools").isEmpty()) {
                throw new IOException("tools/list returned no tools: " + list);
            }
            List<Double> rtt = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int id = 3 + i;
                long t0 = System.nanoTime();
                send(in, "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"merkle_root\","
                        + "\"arguments\":{}}}");
                JsonNode r = await(out, id);
                rtt.add((System.nanoTime() - t0) / 1e6);
                if (r.path("result").path("isError").asBoolean(false) || r.has("error")) {
                    throw new IOException("merkle_root failed: " + r);
                }
            }
            in.close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the server did not exit within " + TIMEOUT_SECONDS + " s after stdin closed");
            }
            return new Session(cold, rtt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static void send(OutputStream in, String line) throws IOException {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static JsonNode await(BufferedReader out, int id) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            JsonNode n = JSON.readTree(line);
            if (n.path("id").isNumber() && n.path("id").asInt() == id) {
                return n;
            }
        }
        throw new IOException("the server closed stdout before answering request " + id);
    }
}
