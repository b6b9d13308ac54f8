package dev.colibri.mcp;

import dev.colibri.workspace.DatabaseException;
import dev.colibri.workspace.WorkspaceException;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns {@link Tool}s into SDK tool specifications: schemas from the catalog, annotations, progress
 * wiring, and one place that maps every exception to an {@code isError} result with a message
 * that says what to do, so no failure ever becomes a protocol error.
 */
final class ToolRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ToolRegistry.class);

    private final SchemaCatalog schemas;

    ToolRegistry(McpJsonMapper mapper) {
        this.schemas = new SchemaCatalog(mapper);
    }

    /** The specifications of tools already wired to an open workspace. */
    List<SyncToolSpecification> specifications(List<Tool> tools) {
        return tools.stream().map(t -> specification(t.definition(), name -> t)).toList();
    }

    /**
     * The specifications of tools known by their definitions only: each call looks its adapter up by
     * name in {@code adapters} when it arrives, so the server can be built while the workspace is still
     * booting (its transport reads no request before the boot is over).
     */
    List<SyncToolSpecification> specifications(List<Tool.Definition> definitions, Function<String, Tool> adapters) {
        return definitions.stream().map(d -> specification(d, adapters)).toList();
    }

    private SyncToolSpecification specification(Tool.Definition tool, Function<String, Tool> adapters) {
        Tool.Hints h = tool.hints();
        McpSchema.Tool definition = McpSchema.Tool.builder()
                .name(tool.name())
                .title(tool.title())
                .description(tool.description())
                .inputSchema(schemas.input(tool.name()))
                .outputSchema(schemas.output(tool.name()))
                .annotations(new McpSchema.ToolAnnotations(tool.title(), h.readOnly(), h.destructive(), h.idempotent(),
                        h.openWorld(), null))
                .build();
        return SyncToolSpecification.builder().tool(definition)
                .callHandler((exchange, request) -> invoke(adapters.apply(tool.name()), exchange, request)).build();
    }

    static McpSchema.CallToolResult invoke(Tool tool, McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        return toSdk(run(tool, new Arguments(request.arguments()), progress(exchange, request)));
    }

    /** Runs a tool and maps every exception to an error result. */
    static ToolResult run(Tool tool, Arguments args, Progress progress) {
        ToolResult result;
        try {
            result = tool.call(args, progress);
        } catch (IllegalArgumentException e) {
            result = ToolResult.error("invalid arguments for " + tool.name() + ": " + e.getMessage());
        } catch (WorkspaceException | DatabaseException | IllegalStateException e) {
            result = ToolResult.error(e.getMessage());
        } catch (Exception e) {
            LOG.error("{} failed", tool.name(), e);
            result = ToolResult.error(tool.name() + " failed: " + e + ". The server is still running; see its log"
                    + " (stderr) for details");
        }
        return result;
    }

    static McpSchema.CallToolResult toSdk(ToolResult result) {
        McpSchema.CallToolResult.Builder b = McpSchema.CallToolResult.builder().addTextContent(result.text())
                .isError(result.error());
        if (result.structured() != null) {
            b.structuredContent(result.structured());
        }
        return b.build();
    }

    private static Progress progress(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        Map<String, Object> meta = request.meta();
        Object token = meta == null ? null : meta.get("progressToken");
        if (token == null || exchange == null) {
            return Progress.none();
        }
        return (done, total, message) -> {
            try {
                exchange.progressNotification(new McpSchema.ProgressNotification(token, done, total, message));
            } catch (RuntimeException e) {
                LOG.debug("progress notification not delivered: {}", e.getMessage());
            }
        };
    }
}
