package dev.colibri.backup;

import java.nio.file.Path;

/**
 * A snapshot on disk.
 *
 * @param tier     {@code hot} or {@code warm} (in {@code data/backups}, by age) or {@code cold}
 * @param manifest the sidecar, or null when it is missing or unreadable
 */
public record Snapshot(String name, Path path, String tier, Manifest manifest, long sizeBytes, String createdAt,
        String kind, String round, double ageDays) {

    public boolean cold() {
        return "cold".equals(tier);
    }
}
