package dev.colibri.mcp;

import dev.colibri.backup.BackupResult;
import dev.colibri.backup.Snapshot;
import java.util.Map;

/** The {@code snapshot} object shared by backup_create and round_seal. */
final class SnapshotFields {

    private SnapshotFields() {
    }

    static Map<String, Object> of(Snapshot s) {
        return Fields.of().put("name", s.name()).put("path", s.path().toString()).put("size_bytes", s.sizeBytes())
                .put("sha256", s.manifest() == null ? null : s.manifest().sha256()).put("created_at", s.createdAt())
                .put("kind", s.kind()).putNullable("round", s.round()).put("tier", s.tier())
                .put("label", s.manifest() == null ? null : s.manifest().label()).map();
    }

    static Map<String, Object> of(BackupResult r) {
        Map<String, Object> m = of(r.snapshot());
        m.put("method", r.method());
        m.put("cold", r.cold());
        if (r.snapshot().manifest() != null) {
            m.put("chain_length", r.snapshot().manifest().chainLength());
            m.put("merkle_size", r.snapshot().manifest().merkleSize());
        }
        return m;
    }
}
