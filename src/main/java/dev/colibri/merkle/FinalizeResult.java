package dev.colibri.merkle;

/** A finalized tree head and whether its anchor line is durable in the anchor log. */
public record FinalizeResult(long size, String root, String round, boolean anchored, long newRecords, String detail) {
}
