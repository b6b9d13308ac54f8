package dev.colibri.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.workspace.Durable;
import dev.colibri.workspace.WorkspaceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeyTest {

    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path tmp;

    private Path keyFile() {
        return tmp.resolve("config").resolve("colibri").resolve("audit.key");
    }

    private static byte[] sequentialKey() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) i;
        }
        return key;
    }

    @Test
    void firstLoadCreates32RandomBytesWithOwnerOnlyModes() throws IOException {
        AuditKey key = AuditKey.load(keyFile(), true);

        assertEquals(32, Files.size(keyFile()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile().getParent())));
        assertEquals(AuditKey.of(Files.readAllBytes(keyFile())).id(), key.id());
        try (Stream<Path> files = Files.list(keyFile().getParent())) {
            assertEquals(List.of("audit.key"), files.map(p -> p.getFileName().toString()).toList(),
                    "no " + Durable.TEMP_PREFIX + " file may be left beside the key");
        }
    }

    @Test
    void twoCreatedKeysDiffer() {
        AuditKey a = AuditKey.load(tmp.resolve("a.key"), true);
        AuditKey b = AuditKey.load(tmp.resolve("b.key"), true);

        assertNotEquals(a.id(), b.id());
    }

    @Test
    void createdKeyIsReloadedNotReplaced() throws IOException {
        AuditKey created = AuditKey.load(keyFile(), true);
        byte[] material = Files.readAllBytes(keyFile());

        AuditKey reloaded = AuditKey.load(keyFile(), true);

        assertEquals(created.id(), reloaded.id());
        assertArrayEquals(material, Files.readAllBytes(keyFile()));
    }

    @Test
    void loosePermissionsAreRefusedWithTheChmodToRun() throws IOException {
        AuditKey.load(keyFile(), true);
        Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("rw-r-----"));

        WorkspaceException e = assertThrows(WorkspaceException.class, () -> AuditKey.load(keyFile(), false));

        assertEquals("the audit key file " + keyFile() + " is readable by others (mode rw-r-----); run `chmod 600 "
                + keyFile() + "` and start again", e.getMessage());
    }

    @Test
    void anyGroupOrOtherPermissionIsRefused() throws IOException {
        Path file = Files.write(tmp.resolve("k"), sequentialKey());
        for (String mode : new String[] {"rw-----w-", "rw---x---", "r--r--r--"}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            WorkspaceException e = assertThrows(WorkspaceException.class, () -> AuditKey.load(file, false), mode);
            assertTrue(e.getMessage().contains("(mode " + mode + ")"), e.getMessage());
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertEquals("1f32ace16a81e767", AuditKey.load(file, false).id());
    }

    @Test
    void missingKeyWithoutPermissionToCreateIsRefusedAndNotCreated() {
        WorkspaceException e = assertThrows(WorkspaceException.class, () -> AuditKey.load(keyFile(), false));

        assertEquals("the audit key file " + keyFile() + " is missing but the audit chain already has records;"
                + " restore the key file (or set COLIBRI_AUDIT_KEY_FILE to it). Colibri never re-keys a chain",
                e.getMessage());
        assertFalse(Files.exists(keyFile()));
    }

    @Test
    void tooShortKeyIsRefused() throws IOException {
        WorkspaceException e = assertThrows(WorkspaceException.class, () -> AuditKey.of(new byte[15]));
        assertEquals("the audit key has 15 bytes; at least 16 are needed", e.getMessage());

        Path file = Files.write(tmp.resolve("short.key"), new byte[10]);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        WorkspaceException loaded = assertThrows(WorkspaceException.class, () -> AuditKey.load(file, true));
        assertEquals("the audit key has 10 bytes; at least 16 are needed", loaded.getMessage());
    }

    @Test
    void idIsAStableOneWayFingerprint() throws Exception {
        byte[] material = sequentialKey();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(material, "HmacSHA256"));
        String expected = HEX.formatHex(mac.doFinal("colibri/audit-key-id/v1".getBytes(StandardCharsets.US_ASCII)), 0, 8);

        assertEquals("1f32ace16a81e767", expected);
        assertEquals(expected, AuditKey.of(material).id());
        assertEquals(expected, AuditKey.of(material.clone()).id());
        byte[] other = material.clone();
        other[31] ^= 1;
        assertNotEquals(expected, AuditKey.of(other).id());
    }

    @Test
    void ofCopiesTheCallersBytes() throws Exception {
        byte[] material = sequentialKey();
        AuditKey key = AuditKey.of(material);

        assertArrayEquals(sequentialKey(), material, "the caller's array must not be wiped");
        Arrays.fill(material, (byte) 0x55);
        Mac expected = Mac.getInstance("HmacSHA256");
        expected.init(new SecretKeySpec(sequentialKey(), "HmacSHA256"));
        assertArrayEquals(expected.doFinal(new byte[] {1, 2, 3}), key.newMac().doFinal(new byte[] {1, 2, 3}));
    }

    @Test
    void newMacComputesHmacSha256WithTheFileKey() throws Exception {
        AuditKey key = AuditKey.load(keyFile(), true);
        Mac expected = Mac.getInstance("HmacSHA256");
        expected.init(new SecretKeySpec(Files.readAllBytes(keyFile()), "HmacSHA256"));

        assertArrayEquals(expected.doFinal("data".getBytes(StandardCharsets.US_ASCII)),
                key.newMac().doFinal("data".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void toStringShowsOnlyTheIdAndNeverTheKeyBytes() throws IOException {
        AuditKey key = AuditKey.load(keyFile(), true);
        byte[] material = Files.readAllBytes(keyFile());
        String shown = key.toString();

        assertEquals("AuditKey[id=" + key.id() + "]", shown);
        List<String> encodings = new ArrayList<>(List.of(
                HEX.formatHex(material),
                HEX.formatHex(material).toUpperCase(Locale.ROOT),
                Base64.getEncoder().encodeToString(material),
                Base64.getEncoder().withoutPadding().encodeToString(material),
                Base64.getUrlEncoder().withoutPadding().encodeToString(material),
                Base64.getMimeEncoder().encodeToString(material),
                Arrays.toString(material),
                new String(material, StandardCharsets.ISO_8859_1),
                new String(material, StandardCharsets.UTF_8)));
        for (String encoding : encodings) {
            assertFalse(shown.contains(encoding), "toString leaks the key as " + encoding);
        }
        String lowerShown = shown.toLowerCase(Locale.ROOT);
        for (int i = 0; i + 4 <= material.length; i++) {
            String window = HEX.formatHex(material, i, i + 4);
            assertFalse(lowerShown.contains(window), "toString leaks key bytes " + i + ".." + (i + 3));
        }
        for (int i = 0; i + 6 <= material.length; i++) {
            String window = Base64.getEncoder().encodeToString(Arrays.copyOfRange(material, i, i + 6));
            assertFalse(shown.contains(window), "toString leaks key bytes " + i + ".." + (i + 5) + " in base64");
        }
    }
}
