package dev.colibri.merkle;

/** A finalized tree head: the root over the first {@code size} records. */
public record TreeHead(long size, String root, String round, String createdAt, boolean anchored) {
}
