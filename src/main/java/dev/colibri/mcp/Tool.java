package dev.colibri.mcp;

/** One MCP tool: a thin adapter from arguments to a service call and back to a result. */
interface Tool {

    /** The tool's name; its schemas are {@code schemas/<name>.input.json} and {@code .output.json}. */
    String name();

    String title();

    String description();

    Hints hints();

    ToolResult call(Arguments args, Progress progress) throws Exception;

    /** The four annotations every tool sets explicitly. */
    record Hints(boolean readOnly, boolean destructive, boolean idempotent, boolean openWorld) {
        static final Hints READ = new Hints(true, false, true, false);
        static final Hints APPEND = new Hints(false, false, false, false);
        static final Hints UPSERT = new Hints(false, false, true, false);
    }
}
