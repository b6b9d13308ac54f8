package dev.colibri.mcp;

import dev.colibri.Colibri;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server over stdio for one workspace. It gets ready while the workspace boots (the SDK, the
 * tools' schemas and the transport on this thread; the database on the boot thread; the JSON mapper's
 * readers and writers for the handshake on a {@link HandshakePrimer} thread) but reads no
 * request before the boot is over: a workspace that fails to boot ends the process with its message
 * before anything is written to stdout, as if it had been opened first. Runs until stdin closes or
 * the process gets SIGINT/SIGTERM, then shuts down once: stops serving, seals and snapshots through
 * {@link Colibri#close()}, and releases the workspace.
 */
public final class StdioServer {

    /** Longest request line accepted; longer lines get a JSON-RPC error and are discarded unread. */
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    /**
     * How long after the boot the health check waits before reading the whole database, so that on two
     * cores it does not compete with the client's handshake and first calls.
     */
    static final Duration HEALTH_CHECK_DELAY = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(StdioServer.class);

    private final CompletableFuture<Colibri> booting;
    private final String version;
    private final CountDownLatch inputClosed = new CountDownLatch(1);
    private final AtomicBoolean stopped = new AtomicBoolean();
    private McpSyncServer server;
    private Colibri colibri;

    /** @param booting the workspace being opened ({@link Colibri#openInBackground}) */
    public StdioServer(CompletableFuture<Colibri> booting, String version) {
        this.booting = booting;
        this.version = version;
    }

    /**
     * Serves until stdin closes or the JVM is asked to stop; then closes the workspace.
     *
     * @throws RuntimeException what opening the workspace threw, when it failed: nothing was read or written
     */
    public void serve(InputStream in, OutputStream out) throws InterruptedException {
        McpJsonMapper mapper = McpJsonDefaults.getMapper();
        HandshakePrimer.start(mapper);
        CompletableFuture<Map<String, Tool>> adapters = booting.thenApply(c -> ColibriTools.all(c).stream()
                .collect(Collectors.toUnmodifiableMap(Tool::name, Function.identity())));
        LineTransportProvider transport = new LineTransportProvider(mapper, in, out, MAX_LINE_BYTES,
                inputClosed::countDown, booting);
        try {
            server = McpServer.sync(transport)
                    .serverInfo("colibri", version)
                    .instructions("Colibri backup server: snapshots, verification, retention and restore of the"
                            + " Colibri SQLite workspace, plus the audit chain and Merkle anchors it protects.")
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(false).logging().build())
                    .jsonSchemaValidator(new LazySchemaValidator())
                    .tools(new ToolRegistry(mapper).specifications(ColibriTools.definitions(),
                            name -> adapters.join().get(name)))
                    .build();
        } catch (RuntimeException | Error e) {
            booting.thenAccept(Colibri::close);
            throw e;
        }
        colibri = awaitBoot();
        Thread hook = new Thread(this::stop, "colibri-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("serving workspace {} over stdio", colibri.workspace().home());
        colibri.startHealthCheck(HEALTH_CHECK_DELAY);
        inputClosed.await();
        LOG.info("stdin closed; shutting down");
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    /** The booted workspace; a failed boot closes the (never read) session and rethrows its cause. */
    private Colibri awaitBoot() throws InterruptedException {
        try {
            return booting.get();
        } catch (ExecutionException e) {
            server.closeGracefully();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("opening the workspace failed: " + cause, cause);
        }
    }

    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            if (server != null) {
                server.closeGracefully();
            }
        } catch (RuntimeException e) {
            LOG.warn("closing the MCP session: {}", e.getMessage());
        } finally {
            colibri.close();
            LOG.info("workspace {} closed", colibri.workspace().home());
        }
    }
}
