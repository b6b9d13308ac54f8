package dev.colibri.backup;

import dev.colibri.workspace.Durable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sidecar written beside each snapshot: what it is, its checksum, and the chain and Merkle state
 * it holds. Never the HMAC key (only the key's one-way id).
 */
public record Manifest(int formatVersion, String name, String kind, String round, String label, String createdAt,
        long sizeBytes, String sha256, int schemaVersion, String workspaceId, String auditKeyId, long chainLength,
        String chainHead, long merkleSize, String merkleRoot, String method, String sqliteVersion) {

    static final int FORMAT = 1;
    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE).build();

    void write(Path file) throws IOException {
        Durable.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    /** Reads a manifest; a damaged one is reported with its path. */
    public static Manifest read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readAllBytes(file), Manifest.class);
        } catch (RuntimeException e) {
            throw new IOException("manifest " + file + " is not readable: " + e.getMessage(), e);
        }
    }
}
