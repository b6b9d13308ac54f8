package dev.colibri.cli;

import dev.colibri.workspace.WorkspaceLock;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A colibri server subprocess driven through the MCP Java SDK's stdio client, as an agent would
 * drive it. Keeps the last lines of the server's log (stderr) to show when something fails.
 */
final class ServerProcess {

    static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final int TAIL_LINES = 30;

    private final McpSyncClient client;
    private final Path lockFile;
    private final Deque<String> tail;

    private ServerProcess(McpSyncClient client, Path lockFile, Deque<String> tail) {
        this.client = client;
        this.lockFile = lockFile;
        this.tail = tail;
    }

    /**
     * Starts {@code colibri serve} on the workspace and completes the MCP handshake.
     *
     * @throws IllegalStateException with the server's last log line when it does not come up
     */
    static ServerProcess start(Launcher launcher, ScratchWorkspace ws, Deque<String> tail) {
        ServerParameters params = ServerParameters.builder(launcher.java()).args(launcher.arguments(List.of("serve")))
                .env(ws.env()).build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(line -> remember(tail, line));
        McpSyncClient client = McpClient.sync(transport).requestTimeout(REQUEST_TIMEOUT)
                .initializationTimeout(START_TIMEOUT).clientInfo(McpSchema.Implementation.builder("colibri-script",
                        Version.current()).build()).build();
        try {
            client.initialize();
        } catch (RuntimeException e) {
            closeQuietly(client);
            String last = lastLine(tail);
            throw new IllegalStateException("the server did not start: " + (last.isEmpty() ? String.valueOf(e.getMessage())
                    : last), e);
        }
        return new ServerProcess(client, ws.workspace().lockFile(), tail);
    }

    /** A fresh buffer for the server's last log lines, shared across restarts of one run. */
    static Deque<String> newTail() {
        return new ArrayDeque<>();
    }

    private static void remember(Deque<String> tail, String line) {
        synchronized (tail) {
            tail.addLast(line);
            while (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
        }
    }

    static String lastLine(Deque<String> tail) {
        synchronized (tail) {
            return tail.isEmpty() ? "" : tail.peekLast();
        }
    }

    static List<String> lines(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** The pid holding the workspace (the server, once it is up), or -1 when unknown. */
    long pid() {
        OptionalLong holder = WorkspaceLock.holder(lockFile);
        return holder.isPresent() ? holder.getAsLong() : -1;
    }

    McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
    }

    /**
     * Closes the client gracefully, which ends the server the way a client leaving ends it (it
     * seals, snapshots and releases the workspace), and waits until the workspace is free.
     *
     * @throws IllegalStateException when the workspace is still held after {@link #STOP_TIMEOUT}
     */
    void stop() {
        closeQuietly(client);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (WorkspaceLock.holder(lockFile).isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not release the workspace within "
                        + STOP_TIMEOUT.toSeconds() + " s (lock " + lockFile + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the server to stop", e);
            }
        }
    }

    private static void closeQuietly(McpSyncClient client) {
        try {
            client.closeGracefully();
        } catch (RuntimeException e) {
            client.close();
        }
    }
}
