package dev.colibri.backup;

/**
 * A snapshot that was written, checked and renamed into place.
 *
 * @param cold where the cold copy stands: {@code copied}, {@code not_configured}, {@code not_requested}
 *             or {@code failed: ...}
 */
public record BackupResult(Snapshot snapshot, String integrity, long durationMillis, String method, String cold) {
}
