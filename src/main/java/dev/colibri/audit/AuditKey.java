package dev.colibri.audit;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.WorkspaceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 key of the audit chain. It lives in a file outside the workspace (never in the
 * database, a snapshot, a manifest, a log line or a tool result); only its {@link #id()}, a
 * one-way fingerprint, is ever shown or stored.
 */
public final class AuditKey {

    static final int KEY_BYTES = 32;
    private static final int MIN_KEY_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final String id;

    private AuditKey(byte[] material) {
        this.key = new SecretKeySpec(material, ALGORITHM);
        this.id = fingerprint(material);
        Arrays.fill(material, (byte) 0);
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

    private static String fingerprint(byte[] material) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(material, ALGORITHM));
            byte[] tag = mac.doFinal("colibri/audit-key-id/v1".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(tag, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** A one-way 16-hex-digit fingerprint of the key; safe to store and show. */
    public String id() {
        return id;
    }

    /** A fresh MAC instance (not thread-safe: one per thread or per verification). */
    public Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
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
