package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.mcp.LineTransportProviderTest.FeedInputStream;
import dev.colibri.mcp.LineTransportProviderTest.PipeLikeOutputStream;
import dev.colibri.testing.TestWorkspace;
import dev.colibri.workspace.WorkspaceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The server gets ready while the workspace boots but reads nothing before the boot is over: a
 * client's first requests wait for it, and a failed boot leaves stdout empty.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StdioServerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofMillis(500);
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"0\"}}}";
    private static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

    private final JsonMapper json = JsonMapper.builder().build();
    private final FeedInputStream stdin = new FeedInputStream();
    private final PipeLikeOutputStream stdout = new PipeLikeOutputStream();

    @TempDir
    Path tmp;

    @Test
    void requestsSentDuringTheBootAreAnsweredOnceItIsOver() throws Exception {
        CompletableFuture<Colibri> booting = new CompletableFuture<>();
        CompletableFuture<Throwable> served = serveInBackground(booting);
        send(INITIALIZE);
        send(INITIALIZED);
        send(TOOLS_LIST);
        assertNull(stdout.poll(QUIET), "answered before the workspace had booted");

        booting.complete(Colibri.openInBackground(TestWorkspace.in(tmp).workspace(), Clock.systemUTC()).get());
        assertEquals("colibri", response(1).at("/result/serverInfo/name").stringValue());
        JsonNode tools = response(2).at("/result/tools");
        List<String> names = new ArrayList<>();
        tools.forEach(t -> names.add(t.get("name").stringValue()));
        assertEquals(ColibriTools.definitions().stream().map(Tool.Definition::name).toList(), names);
        tools.forEach(t -> {
            assertEquals("object", t.at("/inputSchema/type").stringValue(), t.toString());
            assertEquals("object", t.at("/outputSchema/type").stringValue(), t.toString());
        });

        stdin.end();
        assertNull(served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aFailedBootEndsServeWithItsExceptionAndNothingOnStdout() throws Exception {
        CompletableFuture<Colibri> booting = new CompletableFuture<>();
        CompletableFuture<Throwable> served = serveInBackground(booting);
        send(INITIALIZE);
        WorkspaceException refused = new WorkspaceException("the audit key file /k is missing");
        booting.completeExceptionally(refused);
        assertSame(refused, served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertNull(stdout.poll(QUIET), "a server whose workspace failed to boot wrote to stdout");
    }

    @Test
    void theLazilyBuiltValidatorStillRefusesAnInvalidInputAndChecksOutputs() throws Exception {
        CompletableFuture<Colibri> booting = Colibri.openInBackground(TestWorkspace.in(tmp).workspace(), Clock.systemUTC());
        CompletableFuture<Throwable> served = serveInBackground(booting);
        send(INITIALIZE);
        response(1);
        send(INITIALIZED);
        send(call(3, "task_upsert", "{\"id\":\"t1\",\"progress\":\"ten\"}"));
        JsonNode refused = response(3).get("result");
        assertTrue(refused.get("isError").booleanValue(), refused.toString());
        assertEquals("Tool (task_upsert) input validation failed: Validation failed: JSON schema validation errors:"
                + " [/progress: string found, integer expected]",
                refused.at("/content/0/text").stringValue());
        assertFalse(refused.has("structuredContent"), refused.toString());

        send(call(4, "task_upsert", "{\"id\":\"t1\",\"title\":\"valid\",\"progress\":10}"));
        JsonNode ok = response(4).get("result");
        assertFalse(ok.get("isError").booleanValue(), ok.toString());
        assertEquals("t1", ok.at("/structuredContent/task/id").stringValue());

        stdin.end();
        assertNull(served.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    /** Runs {@code serve} on its own thread; completes with what it threw, or null. */
    private CompletableFuture<Throwable> serveInBackground(CompletableFuture<Colibri> booting) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                new StdioServer(booting, "test").serve(stdin, stdout);
                done.complete(null);
            } catch (Throwable e) {
                done.complete(e);
            }
        }, "stdio-server-test");
        t.setDaemon(true);
        t.start();
        return done;
    }

    private static String call(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    private void send(String line) {
        stdin.feed((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode response(int id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = stdout.poll(Duration.ofMillis(200));
            if (line != null) {
                JsonNode n = json.readTree(line);
                if (n.path("id").isNumber() && n.path("id").asInt() == id) {
                    return n;
                }
            }
        }
        throw new AssertionError("no response to request " + id + " within " + WAIT);
    }

    @Test
    void everyToolHasADefinitionAndTheAdaptersFollowTheDefinitionsInOrder() throws Exception {
        try (Colibri c = Colibri.openInBackground(TestWorkspace.in(tmp).workspace(), Clock.systemUTC()).get()) {
            List<Tool.Definition> adapters = ColibriTools.all(c).stream().map(Tool::definition).toList();
            assertEquals(ColibriTools.definitions(), adapters);
            assertEquals(11, adapters.size());
            assertEquals(adapters.size(), adapters.stream().map(Tool.Definition::name).distinct().count());
            adapters.forEach(d -> assertNotNull(d.hints(), d.name()));
        }
    }
}
