package dev.colibri.cli;

import java.util.List;

/**
 * How one step of a run went.
 *
 * @param number   the step's number (0 for the server start that opens every run)
 * @param title    what it did ({@code backup_create}, {@code server stop} ...)
 * @param name     the author's label, or null
 * @param status   passed, failed, or skipped after an earlier failure
 * @param millis   how long it took
 * @param detail   a short note for the step's line (captured values, the tool's text)
 * @param failures every expectation that did not hold; empty unless failed
 */
record StepResult(int number, String title, String name, Status status, long millis, String detail,
        List<String> failures) {

    enum Status { PASSED, FAILED, SKIPPED }

    StepResult {
        failures = List.copyOf(failures);
    }

    static StepResult skipped(Step step) {
        return new StepResult(step.number(), step.title(), step.name(), Status.SKIPPED, 0, "", List.of());
    }

    boolean failed() {
        return status == Status.FAILED;
    }

    /** How messages refer to the step: {@code step 3 (backup_create)}. */
    String where() {
        return "step " + number + " (" + title + ")";
    }
}
