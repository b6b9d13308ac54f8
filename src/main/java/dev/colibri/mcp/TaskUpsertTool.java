package dev.colibri.mcp;

import dev.colibri.task.Task;
import dev.colibri.task.TaskChange;
import dev.colibri.task.TaskService;

/** {@code task_upsert}: create or update a pipeline task. */
final class TaskUpsertTool implements Tool {

    static final Definition DEFINITION = new Definition("task_upsert", "Create or update a task",
            "Creates a pipeline task or updates the fields given (title, status, progress 0-100, deps). Deps must"
            + " name existing tasks and may not form a cycle.",
            Hints.UPSERT);

    private final TaskService tasks;

    TaskUpsertTool(TaskService tasks) {
        this.tasks = tasks;
    }

    @Override
    public Definition definition() {
        return DEFINITION;
    }

    @Override
    public ToolResult call(Arguments args, Progress progress) {
        Task t = tasks.upsert(new TaskChange(args.string("id"), args.optionalString("title").orElse(null),
                args.optionalString("status").orElse(null), args.optionalInt("progress", 0, 100).orElse(null),
                args.optionalStringList("deps").orElse(null)));
        return ToolResult.ok(Fields.of().put("task", Fields.of().put("id", t.id()).put("title", t.title())
                .put("status", t.status()).put("progress", t.progress()).put("deps", t.deps())
                .put("updated_at", t.updatedAt()).map()).map(),
                "task " + t.id() + " is " + t.status() + " at " + t.progress() + "%");
    }
}
