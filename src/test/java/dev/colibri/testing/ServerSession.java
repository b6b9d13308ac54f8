package dev.colibri.testing;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The real server as a subprocess, driven through the MCP Java SDK's stdio client, the way an
 * agent client drives it.
 */
public final class ServerSession implements AutoCloseable {

    private final McpSyncClient client;
    private final StdioClientTransport transport;
    private final ConcurrentLinkedQueue<String> stderr;
    private final ConcurrentLinkedQueue<McpSchema.ProgressNotification> progress;

    private ServerSession(McpSyncClient client, StdioClientTransport transport, ConcurrentLinkedQueue<String> stderr,
            ConcurrentLinkedQueue<McpSchema.ProgressNotification> progress) {
        this.client = client;
        this.transport = transport;
        this.stderr = stderr;
        this.progress = progress;
    }

    public static ServerSession start(TestWorkspace ws) {
        return start(ws.env());
    }

    public static ServerSession start(Map<String, String> env) {
        ServerParameters params = ServerParameters.builder(ServerLauncher.java()).args(ServerLauncher.args("serve"))
                .env(env).build();
        StdioClientTransport transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        ConcurrentLinkedQueue<String> stderr = new ConcurrentLinkedQueue<>();
        transport.setStdErrorHandler(stderr::add);
        ConcurrentLinkedQueue<McpSchema.ProgressNotification> progress = new ConcurrentLinkedQueue<>();
        Consumer<McpSchema.ProgressNotification> onProgress = progress::add;
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120))
                .initializationTimeout(Duration.ofSeconds(60)).progressConsumer(onProgress).build();
        client.initialize();
        return new ServerSession(client, transport, stderr, progress);
    }

    public McpSyncClient client() {
        return client;
    }

    public McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    /** Calls a tool with a progress token in _meta. */
    public McpSchema.CallToolResult callWithProgress(String tool, Map<String, Object> args, String token) {
        return client.callTool(McpSchema.CallToolRequest.builder().name(tool).arguments(args)
                .meta(Map.of("progressToken", token)).build());
    }

    /** The structured content of a result as a map. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> structured(McpSchema.CallToolResult result) {
        return (Map<String, Object>) result.structuredContent();
    }

    /** The text of a result's first text content. */
    public static String text(McpSchema.CallToolResult result) {
        return result.content().stream().filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text()).findFirst().orElse("");
    }

    public List<McpSchema.ProgressNotification> progress() {
        return List.copyOf(progress);
    }

    public String stderr() {
        return String.join("\n", stderr);
    }

    /** The server process (a child of this JVM running colibri serve). */
    public Optional<ProcessHandle> process() {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().map(c -> c.contains("serve")).orElse(false)).findFirst();
    }

    @Override
    public void close() {
        try {
            client.closeGracefully();
        } catch (RuntimeException e) {
            client.close();
        }
    }
}
