package dev.colibri.mcp;

/** One MCP tool: a thin adapter from arguments to a service call and back to a result. */
interface Tool {

    /**
     * What a client sees of a tool before calling it. Fixed per tool (each adapter's {@code DEFINITION}),
     * so the server can list its tools while the workspace is still booting.
     *
     * @param name its schemas are {@code schemas/<name>.input.json} and {@code .output.json}
     */
    record Definition(String name, String title, String description, Hints hints) {
    }

    Definition definition();

    default String name() {
        return definition().name();
    }

    default String title() {
        return definition().title();
    }

    default String description() {
        return definition().description();
    }

    default Hints hints() {
        return definition().hints();
    }

    ToolResult call(Arguments args, Progress progress) throws Exception;

    /** The four annotations every tool sets explicitly. */
    record Hints(boolean readOnly, boolean destructive, boolean idempotent, boolean openWorld) {
        static final Hints READ = new Hints(true, false, true, false);
        static final Hints APPEND = new Hints(false, false, false, false);
        static final Hints UPSERT = new Hints(false, false, true, false);
    }
}
