package dev.colibri.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds, on a spare thread while the server starts, the JSON readers and writers that the client's
 * first requests need: the mapper makes each one on first use, by reflection, which in a JVM that has
 * just started is most of the time it takes to answer {@code initialize} and {@code tools/list}. It
 * reads a sample request and writes sample results the way the transport and the SDK session do, and
 * throws all of it away: nothing it makes is sent or kept except the mapper's own caches.
 */
final class HandshakePrimer {

    private static final Logger LOG = LoggerFactory.getLogger(HandshakePrimer.class);
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"roots\":{\"listChanged\":true},\"sampling\":{},"
            + "\"elicitation\":{}},\"clientInfo\":{\"name\":\"primer\",\"version\":\"0\"}}}";
    private static final String CALL = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
            + "\"name\":\"primer\",\"arguments\":{},\"_meta\":{\"progressToken\":1}}}";

    private HandshakePrimer() {
    }

    /** Starts priming {@code mapper} on a daemon thread and returns it. */
    static Thread start(McpJsonMapper mapper) {
        Thread t = new Thread(() -> prime(mapper), "colibri-primer");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    /**
     * Reads and writes the sample messages; true when all went through. A failure only loses the head
     * start, so it is logged (at debug) and dropped.
     */
    static boolean prime(McpJsonMapper mapper) {
        try {
            McpSchema.JSONRPCRequest init = (McpSchema.JSONRPCRequest) McpSchema.deserializeJsonRpcMessage(mapper,
                    INITIALIZE);
            mapper.convertValue(init.params(), new TypeRef<McpSchema.InitializeRequest>() {
            });
            McpSchema.InitializeResult result = new McpSchema.InitializeResult("2025-06-18",
                    McpSchema.ServerCapabilities.builder().tools(false).logging().build(),
                    new McpSchema.Implementation("primer", "0"), "");
            mapper.writeValueAsString(new McpSchema.JSONRPCResponse("2.0", 0, result, null));
            McpSchema.Tool tool = McpSchema.Tool.builder().name("primer").title("primer").description("")
                    .inputSchema(new McpSchema.JsonSchema("object", Map.of("a", Map.of("type", "string")),
                            List.of("a"), false, null, null))
                    .outputSchema(Map.of("type", "object"))
                    .annotations(new McpSchema.ToolAnnotations("primer", true, false, true, false, false))
                    .build();
            mapper.writeValueAsString(new McpSchema.JSONRPCResponse("2.0", 1,
                    new McpSchema.ListToolsResult(List.of(tool), null), null));
            McpSchema.JSONRPCRequest call = (McpSchema.JSONRPCRequest) McpSchema.deserializeJsonRpcMessage(mapper, CALL);
            mapper.convertValue(call.params(), new TypeRef<McpSchema.CallToolRequest>() {
            });
            return true;
        } catch (Exception | LinkageError e) {
            LOG.debug("priming the JSON mapper failed; the first requests build what they need themselves", e);
            return false;
        }
    }
}
