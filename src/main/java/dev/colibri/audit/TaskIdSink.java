package dev.colibri.audit;

/**
 * Receives the task id of every record a chain walk reads, range by range, so that a check of the
 * records' references to tasks can ride on the same pass over the records instead of a scan of its
 * own.
 */
public interface TaskIdSink {

    /** A sink that ignores every task id. */
    TaskIdSink NONE = (from, to) -> new Range() {
        @Override
        public void text(byte[] taskId) {
        }

        @Override
        public void unclassified(long position) {
        }
    };

    /**
     * The receiver of the task ids of positions {@code [from, to)}, fed in position order by the one
     * thread that walks that range. Called once per range, in range order, before any walking
     * starts. Task ids stop at the first record the walk finds bad.
     */
    Range range(long from, long to);

    /** What one range of the walk saw. */
    interface Range {

        /**
         * A record that authenticated, whose {@code task_id} is a text value (its stored bytes) or
         * NULL ({@code taskId} null).
         */
        void text(byte[] taskId);

        /**
         * A record that authenticated but was read column by column, so the walk did not see
         * whether its {@code task_id} is stored as text.
         */
        void unclassified(long position);
    }
}
