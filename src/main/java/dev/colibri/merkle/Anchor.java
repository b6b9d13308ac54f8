package dev.colibri.merkle;

/** One line of the external anchor log. */
public record Anchor(long seq, String workspaceId, String round, long size, String root, String anchoredAt) {
}
