package dev.colibri.audit;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.WorkspaceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The HMAC-SHA256 key of the audit chain. It lives in a file outside the workspace (never in the
 * database, a snapshot, a manifest, a log line or a tool result); only its {@link #id()}, a
 * one-way fingerprint, is ever shown or stored.
 */
public final class AuditKey {

    static final int KEY_BYTES = 32;
    private static final int MIN_KEY_BYTES = 16;

    private final byte[] material;
    private final String id;

    /** @param material the key's bytes, owned from now on (the caller passes a copy) */
    private AuditKey(byte[] material) {
        this.material = material;
        this.id = HexFormat.of().formatHex(new HmacSha256(material)
                .doFinal("colibri/audit-key-id/v1".getBytes(StandardCharsets.US_ASCII)), 0, 8);
    }

    /** A key from raw bytes (tests, and the file loader). */
    public static AuditKey of(byte[] material) {
        if (material.length < MIN_KEY_BYTES) {
            throw new WorkspaceException("the audit key has " + material.length + " bytes; at least " + MIN_KEY_BYTES
                    + " are needed");
        }
        return new AuditKey(material.clone());
    }

    /**
     * Loads the key file, or creates it (32 random bytes, mode 0600) when {@code mayCreate}.
     *
     * @param mayCreate false when the chain already has records: a missing key is then an error,
     *                  never a silent re-key
     */
    public static AuditKey load(Path file, boolean mayCreate) {
        if (!Files.exists(file)) {
            if (!mayCreate) {
                throw new WorkspaceException("the audit key file " + file + " is missing but the audit chain already has"
                        + " records; restore the key file (or set COLIBRI_AUDIT_KEY_FILE to it). Colibri never re-keys a chain");
            }
            return create(file);
        }
        checkPermissions(file);
        try {
            return of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new WorkspaceException("cannot read the audit key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static AuditKey create(Path file) {
        byte[] material = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(material);
        try {
            Path dir = file.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path temp = Durable.tempSibling(file);
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(temp, material);
                Durable.fsync(temp);
                Durable.moveAtomically(temp, file, false);
            } finally {
                Files.deleteIfExists(temp);
            }
            if (dir != null) {
                Durable.fsyncDirectory(dir);
            }
        } catch (IOException e) {
            throw new WorkspaceException("cannot create the audit key file " + file + ": " + e.getMessage()
                    + "; set COLIBRI_AUDIT_KEY_FILE to a writable location", e);
        }
        return new AuditKey(material);
    }

    private static void checkPermissions(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw new WorkspaceException("the audit key file " + file + " is readable by others (mode "
                            + PosixFilePermissions.toString(perms) + "); run `chmod 600 " + file + "` and start again");
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new WorkspaceException("cannot read the permissions of " + file + ": " + e.getMessage(), e);
        }
    }

    /** A one-way 16-hex-digit fingerprint of the key; safe to store and show. */
    public String id() {
        return id;
    }

    /** A fresh HMAC-SHA256 under this key (not thread-safe: one per thread or per verification). */
    HmacSha256 newMac() {
        return new HmacSha256(material);
    }

    /** Constant-time comparison of two hashes. */
    static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    @Override
    public String toString() {
        return "AuditKey[id=" + id + "]";
    }
}
