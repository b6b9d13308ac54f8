package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives a real {@code McpServer.sync(...)} through {@link LineTransportProvider} over in-memory
 * streams, the way an MCP client drives Colibri over stdin/stdout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LineTransportProviderTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final int MAX_LINE_BYTES = 256 * 1024;
    private static final int ECHO_PADDING = 32 * 1024;
    private static final int PARSE_ERROR = -32700;
    private static final int INVALID_REQUEST = -32600;

    private final JsonMapper json = JsonMapper.builder().build();
    private final McpJsonMapper mcpMapper = McpJsonDefaults.getMapper();
    private final FeedInputStream stdin = new FeedInputStream();
    private final PipeLikeOutputStream stdout = new PipeLikeOutputStream();
    private final AtomicInteger inputClosedRuns = new AtomicInteger();
    private final CountDownLatch inputClosed = new CountDownLatch(1);
    private final CountDownLatch slowToolStarted = new CountDownLatch(1);
    private final CountDownLatch releaseSlowTool = new CountDownLatch(1);
    private LineTransportProvider provider;
    private McpSyncServer server;

    @BeforeEach
    void startServerAndInitialize() throws Exception {
        provider = new LineTransportProvider(mcpMapper, stdin, stdout, MAX_LINE_BYTES, () -> {
            inputClosedRuns.incrementAndGet();
            inputClosed.countDown();
        });
        // immediateExecution(true) makes the SDK run tool handlers on the calling thread, so any
        // concurrency the tests observe comes from the transport itself.
        server = McpServer.sync(provider)
                .serverInfo("colibri-test", "0.0.0")
                .immediateExecution(true)
                .tools(tool("echo", this::echo), tool("slow", this::slow))
                .build();
        send("{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"test\",\"version\":\"0\"}}}");
        JsonNode initialized = nextMessage();
        assertEquals("init", initialized.get("id").stringValue());
        assertEquals("colibri-test", initialized.at("/result/serverInfo/name").stringValue());
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
    }

    @AfterEach
    void stopServer() throws Exception {
        releaseSlowTool.countDown();
        server.closeGracefully();
        stdin.end();
        for (String line = stdout.poll(QUIET); line != null; line = stdout.poll(QUIET)) {
            assertJsonRpcMessage(line);
        }
    }

    @Test
    void keepsServingAfterNonJsonLine() throws Exception {
        send("not json");
        assertError(nextMessage(), PARSE_ERROR, null);
        assertPingAnswered(1);
    }

    @Test
    void keepsServingAfterTruncatedJson() throws Exception {
        send("{\"truncated\":");
        assertError(nextMessage(), PARSE_ERROR, null);
        assertToolsListAnswered(2);
    }

    @Test
    void keepsServingAfterInvalidUtf8() throws Exception {
        stdin.feed(new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});
        JsonNode error = nextMessage();
        assertError(error, PARSE_ERROR, null);
        assertTrue(error.at("/error/message").stringValue().contains("UTF-8"));
        assertPingAnswered(3);
    }

    @Test
    void rejectsJsonArrayAsInvalidRequest() throws Exception {
        send("[1,2]");
        assertError(nextMessage(), INVALID_REQUEST, null);
        assertPingAnswered(4);
    }

    @Test
    void rejectsObjectIdWithNullId() throws Exception {
        send("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}");
        assertError(nextMessage(), INVALID_REQUEST, null);
        assertToolsListAnswered(5);
    }

    @Test
    void rejectsWrongJsonrpcVersionEchoingId() throws Exception {
        send("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}");
        assertError(nextMessage(), INVALID_REQUEST, "7");
        assertPingAnswered(8);
    }

    @Test
    void keepsServingAfterDeeplyNestedJson() throws Exception {
        send("[".repeat(100_000));
        assertError(nextMessage(), PARSE_ERROR, null);
        assertPingAnswered(9);
    }

    @Test
    void discardsOverlongLineAndKeepsServing() throws Exception {
        send(pingPaddedTo(10, MAX_LINE_BYTES + 10_000));
        JsonNode error = nextMessage();
        assertError(error, INVALID_REQUEST, null);
        assertTrue(error.at("/error/message").stringValue().startsWith("Request line exceeds " + MAX_LINE_BYTES + " bytes"));
        assertPingAnswered(11);
    }

    @Test
    void acceptsLineOfExactlyMaxBytesEvenWithCrLf() throws Exception {
        stdin.feed((pingPaddedTo(12, MAX_LINE_BYTES) + "\r\n").getBytes(StandardCharsets.UTF_8));
        assertResult(nextMessage(), "12");
    }

    @Test
    void ignoresBlankLines() throws Exception {
        stdin.feed("\n   \n\r\n\t\n".getBytes(StandardCharsets.UTF_8));
        assertPingAnswered(13);
    }

    @Test
    void ignoresErrorResponseWithNullIdFromClient() throws Exception {
        send("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"client could not parse\"}}");
        assertPingAnswered(14);
    }

    static Stream<Arguments> malformedMessages() {
        return Stream.of(
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":5}", INVALID_REQUEST, "3"),
                Arguments.of("{\"id\":4,\"method\":\"ping\"}", INVALID_REQUEST, "4"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":\"abc\"}", INVALID_REQUEST, "\"abc\""),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", INVALID_REQUEST, "1.5"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":99999999999999999999,\"method\":\"ping\"}", INVALID_REQUEST,
                        "99999999999999999999"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", INVALID_REQUEST, null),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", INVALID_REQUEST, null),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\",\"params\":5}", INVALID_REQUEST, "6"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\",\"result\":{}}", INVALID_REQUEST, "8"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":\"x\",\"message\":\"m\"}}",
                        INVALID_REQUEST, "9"),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"result\":{}}", INVALID_REQUEST, null),
                Arguments.of("\"just a string\"", INVALID_REQUEST, null),
                Arguments.of("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"} trailing", PARSE_ERROR, null));
    }

    @ParameterizedTest
    @MethodSource("malformedMessages")
    void answersMalformedMessageWithExactErrorAndKeepsServing(String line, int code, String expectedId)
            throws Exception {
        send(line);
        assertError(nextMessage(), code, expectedId);
        assertPingAnswered(100);
    }

    @Test
    void answersFiftyConcurrentToolCallsWithOneWellFormedLineEach() throws Exception {
        StringBuilder burst = new StringBuilder();
        for (int id = 1; id <= 50; id++) {
            burst.append(toolCall(id, "echo")).append('\n');
        }
        stdin.feed(burst.toString().getBytes(StandardCharsets.UTF_8));
        Set<Integer> answered = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            JsonNode response = nextMessage();
            int id = response.get("id").intValue();
            assertTrue(answered.add(id), "answered twice: " + id);
            assertEquals(echoText(id), response.at("/result/content/0/text").stringValue());
        }
        assertEquals(50, answered.size());
        assertNull(stdout.poll(QUIET), "no extra output expected");
    }

    @Test
    void slowToolCallDoesNotBlockOtherRequests() throws Exception {
        send(toolCall(20, "slow"));
        assertTrue(slowToolStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertPingAnswered(21);
        releaseSlowTool.countDown();
        assertEquals("released", nextMessage().at("/result/content/0/text").stringValue());
    }

    @Test
    void runsOnInputClosedExactlyOnceAtEndOfInput() throws Exception {
        stdin.end();
        assertTrue(inputClosed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "onInputClosed did not run");
        provider.closeGracefully().block(WAIT);
        Thread.sleep(QUIET.toMillis());
        assertEquals(1, inputClosedRuns.get());
    }

    @Test
    void answersRequestStillRunningWhenInputEnds() throws Exception {
        send(toolCall(30, "slow"));
        assertTrue(slowToolStarted.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        stdin.end();
        assertFalse(inputClosed.await(QUIET.toMillis(), TimeUnit.MILLISECONDS), "closed before the request finished");
        releaseSlowTool.countDown();
        JsonNode response = nextMessage();
        assertEquals(30, response.get("id").intValue());
        assertTrue(inputClosed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "onInputClosed did not run");
        assertEquals(1, inputClosedRuns.get());
    }

    @Test
    void sendsNotificationsAsJsonRpcLines() throws Exception {
        provider.notifyClients(McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED, Map.of()).block(WAIT);
        assertEquals(McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED, nextMessage().get("method").stringValue());
    }

    @Test
    void stopsReadingAfterCloseGracefully() throws Exception {
        provider.closeGracefully().block(WAIT);
        send(ping(40));
        assertNull(stdout.poll(QUIET), "a closed transport must not answer");
        assertEquals(0, inputClosedRuns.get());
    }

    // ---- client side helpers ----

    private void send(String line) {
        stdin.feed((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode nextMessage() throws InterruptedException {
        String line = stdout.poll(WAIT);
        assertNotNull(line, "no output line within " + WAIT);
        return assertJsonRpcMessage(line);
    }

    /**
     * Every output line must be one JSON-RPC 2.0 message. Lines whose id the SDK can represent
     * (string or integer; it rejects null, fractional and huge ids) must also deserialize with the SDK.
     */
    private JsonNode assertJsonRpcMessage(String line) {
        JsonNode message = assertDoesNotThrow(() -> json.readTree(line), () -> "not JSON: " + abbreviate(line));
        assertTrue(message.isObject(), () -> "not an object: " + abbreviate(line));
        assertEquals("2.0", message.path("jsonrpc").stringValue(null), () -> "bad jsonrpc: " + abbreviate(line));
        boolean call = message.path("method").isString();
        boolean response = message.has("id") && message.has("result") != message.has("error");
        assertTrue(call != response, () -> "neither a call nor a response: " + abbreviate(line));
        JsonNode id = message.path("id");
        if (id.isString() || id.isIntegralNumber() && id.canConvertToLong()) {
            assertDoesNotThrow(() -> McpSchema.deserializeJsonRpcMessage(mcpMapper, line));
        }
        return message;
    }

    private void assertError(JsonNode message, int code, String expectedIdJson) {
        assertEquals(code, message.at("/error/code").intValue(), () -> "wrong code in " + message);
        JsonNode expectedId = expectedIdJson == null ? json.nullNode() : json.readTree(expectedIdJson);
        assertEquals(expectedId, message.get("id"), () -> "wrong id in " + message);
        assertTrue(message.at("/error/message").stringValue().contains("still serving"), message::toString);
    }

    private void assertResult(JsonNode message, String expectedIdJson) {
        assertEquals(json.readTree(expectedIdJson), message.get("id"), message::toString);
        assertTrue(message.has("result"), () -> "expected a result: " + message);
    }

    private void assertPingAnswered(int id) throws InterruptedException {
        send(ping(id));
        assertResult(nextMessage(), Integer.toString(id));
    }

    private void assertToolsListAnswered(int id) throws InterruptedException {
        send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}");
        JsonNode response = nextMessage();
        assertResult(response, Integer.toString(id));
        assertEquals(2, response.at("/result/tools").size());
    }

    private static String ping(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}";
    }

    /** A valid ping whose line is exactly {@code bytes} long, padded inside params. */
    private static String pingPaddedTo(int id, int bytes) {
        String head = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":{\"pad\":\"";
        String tail = "\"}}";
        return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
    }

    private static String toolCall(int id, String tool) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{\"n\":" + id + "}}}";
    }

    private static String abbreviate(String line) {
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }

    // ---- server side ----

    private static SyncToolSpecification tool(String name,
            BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, CallToolResult> handler) {
        McpSchema.Tool tool = McpSchema.Tool.builder(name, Map.<String, Object>of("type", "object"))
                .description("test tool " + name)
                .build();
        return SyncToolSpecification.builder().tool(tool).callHandler(handler).build();
    }

    /** Large, id-specific text so that interleaved or corrupted responses cannot go unnoticed. */
    private static String echoText(int n) {
        return "echo " + n + " " + Integer.toString(n).repeat(ECHO_PADDING / 2);
    }

    private CallToolResult echo(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        sleepQuietly(ThreadLocalRandom.current().nextInt(10));
        int n = ((Number) request.arguments().get("n")).intValue();
        return CallToolResult.builder().addTextContent(echoText(n)).build();
    }

    private CallToolResult slow(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        slowToolStarted.countDown();
        try {
            boolean released = releaseSlowTool.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return CallToolResult.builder().addTextContent(released ? "released" : "timed out").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CallToolResult.builder().addTextContent("interrupted").isError(true).build();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stdin stand-in: the test feeds byte chunks, the reader thread blocks until one arrives. */
    static final class FeedInputStream extends InputStream {

        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void feed(byte[] bytes) {
            if (bytes.length > 0) {
                chunks.add(bytes.clone());
            }
        }

        void end() {
            chunks.add(END);
        }

        @Override
        public int read() throws InterruptedIOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws InterruptedIOException {
            if (len == 0) {
                return 0;
            }
            while (!ended && pos == current.length) {
                current = take();
                pos = 0;
                ended = current == END;
            }
            if (ended) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        private byte[] take() throws InterruptedIOException {
            try {
                return chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for input");
            }
        }
    }

    /**
     * Stdout stand-in that, like a real pipe, is only atomic for small pieces: each write is split
     * into 512-byte pieces with a yield between them, so unsynchronized concurrent writers would
     * interleave and produce lines that fail to parse.
     */
    static final class PipeLikeOutputStream extends OutputStream {

        private static final int ATOMIC_BYTES = 512;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int start = off; start < off + len; start += ATOMIC_BYTES) {
                appendPiece(b, start, Math.min(ATOMIC_BYTES, off + len - start));
                Thread.yield();
            }
        }

        private synchronized void appendPiece(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                } else {
                    partial.write(b[i]);
                }
            }
        }

        String poll(Duration timeout) throws InterruptedException {
            return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
