package dev.colibri.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.workspace.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskStoreTest {

    private static final String NOW = "2024-01-02T03:04:05.678Z";
    private static final String ID_RULE = "id must be 1-128 characters of letters, digits and . _ : - starting with a"
            + " letter or digit, e.g. \"P0.2.1\"; got ";

    @TempDir
    Path dir;

    private Database db;
    private TaskStore store;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("colibri.db"));
        store = new TaskStore(Clock.fixed(Instant.parse(NOW), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Task upsert(String id, String title, String status, Integer progress, List<String> deps) {
        return db.write(c -> store.upsert(c, new TaskChange(id, title, status, progress, deps)));
    }

    private Task create(String id, String... deps) {
        return upsert(id, null, null, null, deps.length == 0 ? null : List.of(deps));
    }

    private Optional<Task> find(String id) {
        return db.read(c -> store.find(c, id));
    }

    private String refusal(String id, String title, String status, Integer progress, List<String> deps) {
        return assertThrows(IllegalArgumentException.class, () -> upsert(id, title, status, progress, deps))
                .getMessage();
    }

    @Test
    void newTaskGetsDefaults() {
        Task t = create("P0.1");

        assertEquals(new Task("P0.1", null, "pending", 0, List.of(), NOW), t);
        assertEquals(Optional.of(t), find("P0.1"));
    }

    @Test
    void fullUpsertStoresEveryField() {
        create("dep");

        Task t = upsert("P0.2", "Write tests", "in_progress", 40, List.of("dep"));

        assertEquals(new Task("P0.2", "Write tests", "in_progress", 40, List.of("dep"), NOW), t);
        assertEquals(Optional.of(t), find("P0.2"));
    }

    @Test
    void partialUpdateKeepsTheOtherFields() {
        create("dep");
        upsert("P0.2", "Write tests", "in_progress", 40, List.of("dep"));

        Task progressOnly = upsert("P0.2", null, null, 55, null);
        assertEquals(new Task("P0.2", "Write tests", "in_progress", 55, List.of("dep"), NOW), progressOnly);

        Task statusOnly = upsert("P0.2", null, "done", null, null);
        assertEquals(new Task("P0.2", "Write tests", "done", 55, List.of("dep"), NOW), statusOnly);

        assertEquals(Optional.of(statusOnly), find("P0.2"));
    }

    @Test
    void depsAreReplacedClearedAndDeduplicated() {
        create("a");
        create("b");
        create("t", "a");

        assertEquals(List.of("b"), create("t", "b", "b").deps());
        assertEquals(List.of("b"), find("t").orElseThrow().deps());

        assertEquals(List.of(), upsert("t", null, null, null, List.of()).deps());
        assertEquals(List.of(), find("t").orElseThrow().deps());
    }

    @Test
    void depsMustNameExistingTasksAndNothingIsStoredOtherwise() {
        create("a");

        assertEquals("dep \"ghost\" names no task; create it with task_upsert first",
                refusal("t", "title", null, null, List.of("a", "ghost")));
        assertEquals(Optional.empty(), find("t"), "the refused upsert must not create the task");
    }

    @Test
    void refusedDepsLeaveAnExistingTaskUnchanged() {
        create("a");
        Task before = upsert("t", "title", "blocked", 10, List.of("a"));

        refusal("t", "new title", "done", 90, List.of("ghost"));

        assertEquals(Optional.of(before), find("t"));
    }

    @Test
    void taskCannotDependOnItself() {
        assertEquals("task t cannot depend on itself", refusal("t", null, null, null, List.of("t")));
        assertEquals(Optional.empty(), find("t"));
    }

    @Test
    void threeCycleIsRefusedWithThePath() {
        create("C");
        create("B", "C");
        create("A", "B");

        assertEquals("deps would create a cycle: C -> A -> B -> C", refusal("C", null, null, null, List.of("A")));
        assertEquals(List.of(), find("C").orElseThrow().deps());
    }

    @Test
    void twoCycleIsRefusedWithThePath() {
        create("x");
        create("y", "x");

        assertEquals("deps would create a cycle: x -> y -> x", refusal("x", null, null, null, List.of("y")));
    }

    @Test
    void sharedDependencyIsNotACycle() {
        create("d");
        create("b", "d");
        create("c", "d");

        Task a = create("a", "b", "c");

        assertEquals(List.of("b", "c"), a.deps());
    }

    @Test
    void invalidStatusIsRefusedNamingTheChoices() {
        assertEquals("status must be one of [pending, in_progress, blocked, done, cancelled]; got \"finished\"",
                refusal("t", null, "finished", null, null));
        assertEquals("status must be one of [pending, in_progress, blocked, done, cancelled]; got \"\"",
                refusal("t", null, "", null, null));
    }

    /** Regression: a refused value echoed in the message ("malformed") latched the database read-only. */
    @Test
    void refusedStatusEchoingCorruptionWordsDoesNotLatchTheDatabase() {
        assertEquals("status must be one of [pending, in_progress, blocked, done, cancelled]; got \"malformed\"",
                refusal("t", null, "malformed", null, null));
        assertEquals("dep \"not.a.database\" names no task; create it with task_upsert first",
                refusal("t", null, null, null, List.of("not.a.database")));

        assertNull(db.corruption());
        assertEquals("pending", create("t").status());
    }

    @Test
    void progressOutsideZeroToHundredIsRefused() {
        assertEquals("progress must be between 0 and 100; got 101", refusal("t", null, null, 101, null));
        assertEquals("progress must be between 0 and 100; got -1", refusal("t", null, null, -1, null));
        assertEquals(0, upsert("t", null, null, 0, null).progress());
        assertEquals(100, upsert("t", null, null, 100, null).progress());
    }

    @Test
    void invalidIdsAreRefusedQuotingWhatWasGiven() {
        assertEquals(ID_RULE + "nothing", refusal(null, null, null, null, null));
        assertEquals(ID_RULE + "\"\"", refusal("", null, null, null, null));
        assertEquals(ID_RULE + "\"-lead\"", refusal("-lead", null, null, null, null));
        assertEquals(ID_RULE + "\"has space\"", refusal("has space", null, null, null, null));
        assertEquals(ID_RULE + "\"a/b\"", refusal("a/b", null, null, null, null));
        String tooLong = "a".repeat(129);
        assertEquals(ID_RULE + "\"" + tooLong + "\"", refusal(tooLong, null, null, null, null));
    }

    @Test
    void longestAndPunctuatedIdsAreAccepted() {
        String longest = "a".repeat(128);

        assertEquals(longest, create(longest).id());
        assertEquals("P0.2_x:y-z", create("P0.2_x:y-z").id());
        assertTrue(find(longest).isPresent());
    }

    @Test
    void unknownTaskIsNotFound() {
        assertEquals(Optional.empty(), find("nope"));
    }
}
