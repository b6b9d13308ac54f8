package dev.colibri.task;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Pipeline tasks: create or update, with deps that must name existing tasks and form no cycle. */
public final class TaskStore {

    /** The statuses a task may have. */
    public static final List<String> STATUSES = List.of("pending", "in_progress", "blocked", "done", "cancelled");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final Clock clock;

    public TaskStore(Clock clock) {
        this.clock = clock;
    }

    /** Creates or updates a task inside the caller's write transaction. */
    public Task upsert(Connection c, TaskChange change) throws SQLException {
        validate(change);
        Optional<Task> existing = find(c, change.id());
        String title = change.title() != null ? change.title() : existing.map(Task::title).orElse(null);
        String status = change.status() != null ? change.status() : existing.map(Task::status).orElse("pending");
        int progress = change.progress() != null ? change.progress() : existing.map(Task::progress).orElse(0);
        List<String> deps = change.deps() != null ? List.copyOf(new LinkedHashSet<>(change.deps()))
                : existing.map(Task::deps).orElse(List.of());
        String now = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO tasks(id, title, status, progress, created_at,"
                + " updated_at) VALUES(?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET title = excluded.title,"
                + " status = excluded.status, progress = excluded.progress, updated_at = excluded.updated_at")) {
            ps.setString(1, change.id());
            ps.setString(2, title);
            ps.setString(3, status);
            ps.setInt(4, progress);
            ps.setString(5, now);
            ps.setString(6, now);
            ps.executeUpdate();
        }
        if (change.deps() != null) {
            replaceDeps(c, change.id(), deps);
        }
        return new Task(change.id(), title, status, progress, deps, now);
    }

    private static void validate(TaskChange change) {
        if (change.id() == null || !ID.matcher(change.id()).matches()) {
            throw new IllegalArgumentException("id must be 1-128 characters of letters, digits and . _ : -"
                    + " starting with a letter or digit, e.g. \"P0.2.1\"; got " + quote(change.id()));
        }
        if (change.status() != null && !STATUSES.contains(change.status())) {
            throw new IllegalArgumentException("status must be one of " + STATUSES + "; got " + quote(change.status()));
        }
        if (change.progress() != null && (change.progress() < 0 || change.progress() > 100)) {
            throw new IllegalArgumentException("progress must be between 0 and 100; got " + change.progress());
        }
        if (change.deps() != null && change.deps().contains(change.id())) {
            throw new IllegalArgumentException("task " + change.id() + " cannot depend on itself");
        }
    }

    private void replaceDeps(Connection c, String id, List<String> deps) throws SQLException {
        for (String dep : deps) {
            if (find(c, dep).isEmpty()) {
                throw new IllegalArgumentException("dep \"" + dep + "\" names no task; create it with task_upsert first");
            }
        }
        List<String> cycle = cycleThrough(c, id, deps);
        if (!cycle.isEmpty()) {
            throw new IllegalArgumentException("deps would create a cycle: " + String.join(" -> ", cycle));
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM task_deps WHERE task_id = ?")) {
            del.setString(1, id);
            del.executeUpdate();
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO task_deps(task_id, depends_on) VALUES(?,?)")) {
            for (String dep : deps) {
                ins.setString(1, id);
                ins.setString(2, dep);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    /** A path id -> dep -> ... -> id if the new deps close a cycle, else empty. */
    private static List<String> cycleThrough(Connection c, String id, List<String> deps) throws SQLException {
        for (String start : deps) {
            Deque<List<String>> paths = new ArrayDeque<>();
            paths.push(List.of(id, start));
            Set<String> seen = new HashSet<>();
            while (!paths.isEmpty()) {
                List<String> path = paths.pop();
                String last = path.get(path.size() - 1);
                if (last.equals(id)) {
                    return path;
                }
                if (seen.add(last)) {
                    for (String next : depsOf(c, last)) {
                        List<String> longer = new ArrayList<>(path);
                        longer.add(next);
                        paths.push(longer);
                    }
                }
            }
        }
        return List.of();
    }

    /** A stored task. */
    public Optional<Task> find(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, title, status, progress, updated_at FROM tasks WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Task(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        depsOf(c, id), rs.getString(5)));
            }
        }
    }

    private static List<String> depsOf(Connection c, String id) throws SQLException {
        List<String> deps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT depends_on FROM task_deps WHERE task_id = ? ORDER BY depends_on")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    deps.add(rs.getString(1));
                }
            }
        }
        return deps;
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }
}
