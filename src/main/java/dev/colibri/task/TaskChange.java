package dev.colibri.task;

import java.util.List;

/**
 * What a {@code task_upsert} asks for; null fields keep the stored value (or the default for a new
 * task: status {@code pending}, progress 0, no deps).
 */
public record TaskChange(String id, String title, String status, Integer progress, List<String> deps) {

    public TaskChange {
        deps = deps == null ? null : List.copyOf(deps);
    }
}
