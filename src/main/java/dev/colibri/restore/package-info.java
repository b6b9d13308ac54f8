/**
 * Restoring the live database from a snapshot: {@link dev.colibri.restore.RestorePlanner} decides
 * what to restore and lays out the steps without changing anything, {@link dev.colibri.restore.OfflineRestore}
 * carries them out with the server stopped, and {@link dev.colibri.restore.RestoreNote} makes the
 * restore visible in the audit chain at the next boot.
 */
package dev.colibri.restore;
