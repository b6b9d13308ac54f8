package dev.colibri.backup;
public record SnapshotCopy(java.nio.file.Path path, long sizeBytes, String sha256Hex, Method method, int attempts, long durationMillis) {
  public enum Method { FILE_COPY, BACKUP_API }
}
