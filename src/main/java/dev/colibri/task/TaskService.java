package dev.colibri.task;

import dev.colibri.workspace.Database;

/** Task writes in their own transactions. */
public final class TaskService {

    private final Database db;
    private final TaskStore store;

    public TaskService(Database db, TaskStore store) {
        this.db = db;
        this.store = store;
    }

    public Task upsert(TaskChange change) {
        return db.write(c -> store.upsert(c, change));
    }
}
