package dev.colibri.restore;

/**
 * The outcome of one step of an offline restore.
 *
 * @param name   the step: {@code clean_temporaries}, {@code verify}, {@code copy}, {@code move_aside},
 *               {@code move_wal_shm}, {@code put_in_place}, {@code recheck}, {@code record_restore},
 *               {@code audit_chain}, {@code merkle_root}
 * @param status {@code ok}, {@code skipped} or {@code fail}
 * @param detail what happened, with the paths involved
 */
public record RestoreStep(String name, String status, String detail) {

    public boolean failed() {
        return "fail".equals(status);
    }
}
