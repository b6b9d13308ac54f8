package dev.colibri.mcp;

import dev.colibri.Colibri;
import dev.colibri.restore.RestorePlanner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tools called in-process, without MCP: the CLI's {@code --json} output is exactly what the
 * matching tool returns over MCP because it is the same adapter producing it.
 */
public final class LocalTools {

    /** A tool's outcome: structured content (null for a plain error), its text, and the error flag. */
    public record Outcome(Map<String, Object> structured, String text, boolean error) {
    }

    /** Receives progress of long calls (done and total in the tool's units, usually bytes). */
    @FunctionalInterface
    public interface ProgressSink {
        void report(double done, double total, String message);
    }

    private final Map<String, Tool> tools = new LinkedHashMap<>();

    public LocalTools(Colibri colibri) {
        this(ColibriTools.all(colibri));
    }

    private LocalTools(List<Tool> all) {
        for (Tool t : all) {
            tools.put(t.name(), t);
        }
    }

    /**
     * The tools that need no open workspace (so no writer lock, and they work while a server runs):
     * {@code restore_plan} over a planner that reads the workspace files directly.
     */
    public static LocalTools offline(RestorePlanner planner) {
        return new LocalTools(List.of(new RestorePlanTool(planner)));
    }

    public List<String> names() {
        return List.copyOf(tools.keySet());
    }

    /** Calls a tool by name; failures come back as error outcomes, as they do over MCP. */
    public Outcome call(String name, Map<String, Object> args, ProgressSink progress) {
        Tool tool = Optional.ofNullable(tools.get(name)).orElseThrow(() -> new IllegalArgumentException(
                "no tool named " + name + "; tools: " + names()));
        ToolResult r = ToolRegistry.run(tool, new Arguments(args), progress::report);
        return new Outcome(r.structured(), r.text(), r.error());
    }
}
