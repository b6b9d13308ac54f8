package dev.colibri.mcp;

import java.util.Map;

/**
 * What a tool returns: structured content matching its output schema (null for a plain error),
 * a short human-readable text, and whether it is an error result.
 */
record ToolResult(Map<String, Object> structured, String text, boolean error) {

    static ToolResult ok(Map<String, Object> structured, String text) {
        return new ToolResult(structured, text, false);
    }

    /** A failed check: the structured result is still complete and schema-valid. */
    static ToolResult failed(Map<String, Object> structured, String text) {
        return new ToolResult(structured, text, true);
    }

    /** A call that could not be carried out (bad argument, unknown snapshot, refused write). */
    static ToolResult error(String text) {
        return new ToolResult(null, text, true);
    }
}
