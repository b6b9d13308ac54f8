package dev.colibri.mcp;

import dev.colibri.mcp.BoundedLineReader.Line;
import dev.colibri.mcp.BoundedLineReader.NotUtf8;
import dev.colibri.mcp.BoundedLineReader.Oversized;
import dev.colibri.mcp.BoundedLineReader.Text;
import dev.colibri.mcp.JsonRpcLineInspector.Accept;
import dev.colibri.mcp.JsonRpcLineInspector.Drop;
import dev.colibri.mcp.JsonRpcLineInspector.Kind;
import dev.colibri.mcp.JsonRpcLineInspector.Reject;
import dev.colibri.mcp.JsonRpcLineInspector.Verdict;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;

/**
 * MCP server transport speaking newline-delimited JSON-RPC over a pair of byte streams (stdin/stdout).
 *
 * <p>It exists because the SDK's stock {@code StdioServerTransportProvider} stops reading its input
 * after the first malformed line, so a single stray byte from a client silently wedges the server.
 * Here every line stands on its own: a bad line is answered with a JSON-RPC error ({@code -32700}
 * parse error, {@code -32600} invalid request, or line too long) that says what was wrong, and
 * reading goes on. In addition:
 * <ul>
 *   <li>memory stays bounded: a line longer than {@code maxLineBytes} is discarded as it streams;</li>
 *   <li>the message shape is validated with Jackson's tree model before the SDK sees it, so odd but
 *       parseable input cannot throw deep inside the SDK; even a {@link StackOverflowError} is caught
 *       per line;</li>
 *   <li>requests run concurrently, off the reader thread, while every outgoing message is written as
 *       one flushed line under a lock, so responses never interleave;</li>
 *   <li>at end of input, requests still running get a grace period to answer, then the session is
 *       closed and {@code onInputClosed} runs once.</li>
 * </ul>
 * Nothing but JSON-RPC is written to the output stream; diagnostics go to SLF4J. One provider serves
 * exactly one session, as stdio has exactly one client. Use it as {@code McpServer.sync(provider)}.
 */
public final class LineTransportProvider implements McpServerTransportProvider {

    private static final Logger log = LoggerFactory.getLogger(LineTransportProvider.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String STILL_SERVING = "; the line was discarded and the server is still serving";

    private final McpJsonMapper mapper;
    private final BoundedLineReader lines;
    private final JsonLineWriter writer;
    private final int maxLineBytes;
    private final Runnable onInputClosed;
    private final CompletionStage<?> ready;
    private final JsonRpcLineInspector inspector = new JsonRpcLineInspector();
    private final InFlightRequests inFlight = new InFlightRequests();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile McpServerSession session;
    private volatile Thread reader;

    /**
     * @param mapper        the SDK's JSON mapper, in production {@code McpJsonDefaults.getMapper()}
     * @param in            where newline-delimited requests arrive (stdin)
     * @param out           where responses go, one JSON message per line (stdout); nothing else is written
     * @param maxLineBytes  longest accepted line in bytes, excluding the line terminator
     * @param onInputClosed run once after {@code in} reaches end of input and the session is closed
     */
    public LineTransportProvider(McpJsonMapper mapper, InputStream in, OutputStream out, int maxLineBytes,
            Runnable onInputClosed) {
        this(mapper, in, out, maxLineBytes, onInputClosed, CompletableFuture.completedFuture(null));
    }

    /**
     * As above, reading nothing before {@code ready} completes: a server can be built while what its
     * tools need is still being opened. If {@code ready} fails, nothing is ever read or written (and
     * {@code onInputClosed} does not run): whoever owns {@code ready} reports the failure.
     */
    public LineTransportProvider(McpJsonMapper mapper, InputStream in, OutputStream out, int maxLineBytes,
            Runnable onInputClosed, CompletionStage<?> ready) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.lines = new BoundedLineReader(Objects.requireNonNull(in, "in"), maxLineBytes);
        this.writer = new JsonLineWriter(Objects.requireNonNull(out, "out"));
        this.maxLineBytes = maxLineBytes;
        this.onInputClosed = Objects.requireNonNull(onInputClosed, "onInputClosed");
        this.ready = Objects.requireNonNull(ready, "ready");
    }

    @Override
    public synchronized void setSessionFactory(McpServerSession.Factory sessionFactory) {
        if (session != null) {
            throw new IllegalStateException("A stdio transport serves exactly one session");
        }
        session = sessionFactory.create(new SessionTransport());
        Thread thread = new Thread(this::readLoop, "colibri-stdin");
        thread.setDaemon(true);
        reader = thread;
        thread.start();
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        return Mono.defer(() -> {
            McpServerSession current = session;
            return current == null ? Mono.error(new IllegalStateException("No session to notify"))
                    : current.sendNotification(method, params);
        }).doOnError(e -> log.warn("Failed to send notification {}: {}", method, e.toString()));
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return Mono.defer(() -> {
            McpServerSession current = session;
            if (current == null || !current.getId().equals(sessionId)) {
                return Mono.error(new IllegalStateException("No session with id " + sessionId));
            }
            return current.sendNotification(method, params);
        });
    }

    /** Stops reading input and closes the session; {@code onInputClosed} is not run for this. */
    @Override
    public Mono<Void> closeGracefully() {
        return Mono.defer(() -> {
            stopReading();
            McpServerSession current = session;
            return current == null ? Mono.empty() : current.closeGracefully();
        });
    }

    private void stopReading() {
        if (closing.compareAndSet(false, true)) {
            Thread thread = reader;
            if (thread != null && thread != Thread.currentThread()) {
                thread.interrupt(); // unblocks interruptible streams; otherwise the daemon exits with the JVM
            }
        }
    }

    /**
     * Body of the reader thread, which runs once per provider, so {@code onInputClosed} runs at most
     * once. It waits for {@code ready} before reading anything. Once {@link #closeGracefully()} has been
     * called, nothing read (not even end of input) is acted on.
     */
    private void readLoop() {
        try {
            ready.toCompletableFuture().join();
        } catch (CompletionException | CancellationException e) {
            return;
        }
        try {
            for (Line line = lines.next(); line != null && !closing.get(); line = lines.next()) {
                handleSafely(line);
            }
        } catch (IOException | RuntimeException e) {
            if (!closing.get()) {
                log.warn("Reading standard input failed; treating it as closed", e);
            }
        }
        if (!closing.get()) {
            log.info("Standard input closed; closing the MCP session");
            shutDownAfterInputClosed();
        }
    }

    private void shutDownAfterInputClosed() {
        int unfinished = inFlight.awaitIdle(DRAIN_TIMEOUT);
        if (unfinished > 0) {
            log.warn("Closing the MCP session with {} request(s) still running", unfinished);
        }
        try {
            session.closeGracefully().block(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("Closing the MCP session failed", e);
        }
        try {
            onInputClosed.run();
        } catch (RuntimeException e) {
            log.error("The input-closed callback failed", e);
        }
    }

    /** One line must never stop the reader, whatever it throws. */
    private void handleSafely(Line line) {
        try {
            handle(line);
        } catch (StackOverflowError e) {
            reject(ErrorCodes.PARSE_ERROR, null, "Parse error: the line is nested too deeply to process");
        } catch (Throwable t) {
            log.error("Unexpected failure while processing an input line", t);
            reject(ErrorCodes.INTERNAL_ERROR, null, "Internal error while processing the line: " + t);
        }
    }

    private void handle(Line line) {
        if (line instanceof Oversized oversized) {
            reject(ErrorCodes.INVALID_REQUEST, null, "Request line exceeds " + maxLineBytes + " bytes (it had "
                    + oversized.length() + " bytes)");
        } else if (line instanceof NotUtf8) {
            reject(ErrorCodes.PARSE_ERROR, null, "Parse error: the line is not valid UTF-8");
        } else if (line instanceof Text text && !text.text().isBlank()) {
            handleJson(text.text());
        }
    }

    private void handleJson(String json) {
        Verdict verdict = inspector.inspect(json);
        if (verdict instanceof Reject rejected) {
            reject(rejected.code(), rejected.id(), rejected.reason());
        } else if (verdict instanceof Drop dropped) {
            log.warn("Ignoring a client message: {}", dropped.reason());
        } else {
            dispatch(json, (Accept) verdict);
        }
    }

    private void dispatch(String json, Accept accepted) {
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(mapper, json);
        } catch (IOException | RuntimeException e) {
            log.warn("The SDK could not read a {} that passed validation", accepted.kind(), e);
            if (accepted.kind() == Kind.REQUEST) {
                reject(ErrorCodes.INVALID_REQUEST, accepted.id(),
                        "Invalid Request: " + JsonRpcLineInspector.summarize(e.getMessage()));
            }
            return;
        }
        if (accepted.kind() == Kind.REQUEST) {
            handleConcurrently(message);
        } else {
            handleInOrder(message);
        }
    }

    /** Requests may be slow (tool calls), so they run on worker threads and the reader moves on. */
    private void handleConcurrently(McpSchema.JSONRPCMessage request) {
        inFlight.begin();
        session.handle(request)
                .subscribeOn(Schedulers.boundedElastic())
                .doFinally(signal -> inFlight.end())
                .subscribe(ignored -> { }, error -> log.error("Handling {} failed", label(request), error));
    }

    /** Notifications and responses are cheap and order-sensitive (e.g. notifications/initialized). */
    private void handleInOrder(McpSchema.JSONRPCMessage message) {
        session.handle(message)
                .subscribe(ignored -> { }, error -> log.warn("Handling {} failed", label(message), error));
    }

    private void reject(int code, JsonNode id, String reason) {
        String message = reason + STILL_SERVING;
        log.warn("Rejected an input line: {}", message);
        try {
            writer.writeLine(inspector.errorLine(code, id, message));
        } catch (IOException e) {
            log.warn("Could not write an error response to the client: {}", e.toString());
        }
    }

    private static String label(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest request) {
            return "request " + request.method() + " (id " + request.id() + ")";
        }
        if (message instanceof McpSchema.JSONRPCNotification notification) {
            return "notification " + notification.method();
        }
        return "response " + ((McpSchema.JSONRPCResponse) message).id();
    }

    /** The session's view of this transport: serializes each message onto one output line. */
    private final class SessionTransport implements McpServerTransport {

        private final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromCallable(() -> {
                if (closed.get()) {
                    throw new IllegalStateException("Transport is closed; not sending " + label(message));
                }
                writer.writeLine(mapper.writeValueAsString(message));
                return null;
            });
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return mapper.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(() -> closed.set(true));
        }
    }
}
