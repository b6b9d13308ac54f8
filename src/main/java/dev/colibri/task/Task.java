package dev.colibri.task;

import java.util.List;

/** A pipeline task as stored. */
public record Task(String id, String title, String status, int progress, List<String> deps, String updatedAt) {

    public Task {
        deps = List.copyOf(deps);
    }
}
