package dev.colibri.merkle;

/**
 * A tree head recomputed from the records and compared with the external anchor log.
 *
 * @param size           the size of the latest tree head (0 when none was finalized)
 * @param root           hex root recomputed over the records present, up to {@code size}
 * @param storedRoot     hex root the database recorded for that head, or null
 * @param recordsPresent how many records the database holds
 * @param pendingRecords records appended after the latest head (not yet finalized)
 * @param anchorStatus   {@code match}, {@code mismatch} or {@code missing}
 * @param anchoredRoot   the root the anchor log holds for {@code size}, or null
 * @param anchorLogIntact whether the anchor log's own line chain verifies
 * @param detail         a sentence explaining the status
 */
public record RootReport(long size, String root, String storedRoot, long recordsPresent, long pendingRecords,
        String anchorStatus, String anchoredRoot, boolean anchorLogIntact, String detail) {
}
