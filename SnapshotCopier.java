package dev.colibri.backup;
import java.nio.file.*;
public final class SnapshotCopier {
  private final Path live;
  public SnapshotCopier(Path live, WriteGate gate) { this.live = live; }
  public SnapshotCopy copy(Path target, ProgressListener p) throws java.io.IOException {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + live)) {
      c.unwrap(org.sqlite.SQLiteConnection.class).getDatabase().backup("main", target.toString(), null, 100, 3, -1);
    } catch (java.sql.SQLException e) { throw new java.io.IOException(e); }
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + target); var s = c.createStatement()) { s.execute("PRAGMA journal_mode=DELETE"); } catch (java.sql.SQLException e) { throw new java.io.IOException(e); }
    byte[] b = Files.readAllBytes(target);
    try { String h = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    return new SnapshotCopy(target, b.length, h, SnapshotCopy.Method.BACKUP_API, 1, 0); } catch (Exception e) { throw new java.io.IOException(e); }
  }
}
