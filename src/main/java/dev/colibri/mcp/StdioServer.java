package dev.colibri.mcp;

import dev.colibri.Colibri;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP server over stdio for one open workspace. Runs until stdin closes or the process gets
 * SIGINT/SIGTERM, then shuts down once: stops serving, seals and snapshots through
 * {@link Colibri#close()}, and releases the workspace.
 */
public final class StdioServer {

    /** Longest request line accepted; longer lines get a JSON-RPC error and are discarded unread. */
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(StdioServer.class);

    private final Colibri colibri;
    private final String version;
    private final CountDownLatch inputClosed = new CountDownLatch(1);
    private final AtomicBoolean stopped = new AtomicBoolean();
    private McpSyncServer server;

    public StdioServer(Colibri colibri, String version) {
        this.colibri = colibri;
        this.version = version;
    }

    /** Serves until stdin closes or the JVM is asked to stop; then closes the workspace. */
    public void serve(InputStream in, OutputStream out) throws InterruptedException {
        McpJsonMapper mapper = McpJsonDefaults.getMapper();
        LineTransportProvider transport = new LineTransportProvider(mapper, in, out, MAX_LINE_BYTES, inputClosed::countDown);
        server = McpServer.sync(transport)
                .serverInfo("colibri", version)
                .instructions("Colibri backup server: snapshots, verification, retention and restore of the Colibri"
                        + " SQLite workspace, plus the audit chain and Merkle anchors it protects.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).logging().build())
                .tools(new ToolRegistry(mapper).specifications(ColibriTools.all(colibri)))
                .build();
        Thread hook = new Thread(this::stop, "colibri-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("serving workspace {} over stdio", colibri.workspace().home());
        inputClosed.await();
        LOG.info("stdin closed; shutting down");
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
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
