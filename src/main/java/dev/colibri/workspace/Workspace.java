package dev.colibri.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a Colibri workspace keeps its files. Resolved once at start-up from the environment and
 * validated there, so that a bad setting fails fast with a message instead of surfacing later.
 *
 * @param home       the workspace root ({@code COLIBRI_HOME}, default the working directory)
 * @param coldDir    the off-host cold tier ({@code COLIBRI_COLD_DIR}); {@code null} when not configured
 * @param keyFile    the HMAC key of the audit chain ({@code COLIBRI_AUDIT_KEY_FILE})
 */
public record Workspace(Path home, Path coldDir, Path keyFile) {

    public static final String ENV_HOME = "COLIBRI_HOME";
    public static final String ENV_COLD = "COLIBRI_COLD_DIR";
    public static final String ENV_KEY = "COLIBRI_AUDIT_KEY_FILE";

    public Workspace {
        home = home.toAbsolutePath().normalize();
        coldDir = coldDir == null ? null : coldDir.toAbsolutePath().normalize();
        keyFile = keyFile.toAbsolutePath().normalize();
    }

    /** Resolves the workspace from environment variables, falling back to {@code cwd} and the user's home. */
    public static Workspace fromEnvironment(Map<String, String> env, Path cwd, Path userHome) {
        Path home = nonBlank(env.get(ENV_HOME)).map(Path::of).orElse(cwd);
        Path cold = nonBlank(env.get(ENV_COLD)).map(Path::of).orElse(null);
        Path key = nonBlank(env.get(ENV_KEY)).map(Path::of)
                .orElse(userHome.resolve(".config").resolve("colibri").resolve("audit.key"));
        return new Workspace(home, cold, key);
    }

    /** The process environment, the working directory and {@code user.home}. */
    public static Workspace fromSystem() {
        return fromEnvironment(System.getenv(), Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")));
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public Path dataDir() { return home.resolve("data"); }

    public Path database() { return dataDir().resolve("colibri.db"); }

    public Path wal() { return dataDir().resolve("colibri.db-wal"); }

    public Path shm() { return dataDir().resolve("colibri.db-shm"); }

    public Path lockFile() { return dataDir().resolve("colibri.lock"); }

    public Path backupsDir() { return dataDir().resolve("backups"); }

    public Path docsDir() { return home.resolve("docs"); }

    public Path anchorLog() { return docsDir().resolve("anchors.jsonl"); }

    public Path roundsDir() { return docsDir().resolve("rounds"); }

    public Optional<Path> cold() { return Optional.ofNullable(coldDir); }

    /**
     * Creates the directories the server writes to and checks that the root is usable.
     *
     * @throws WorkspaceException naming the path and what to do when the root is not a writable directory
     */
    public void prepare() {
        if (Files.exists(home) && !Files.isDirectory(home)) {
            throw new WorkspaceException("COLIBRI_HOME " + home + " is not a directory; point COLIBRI_HOME at a workspace folder");
        }
        for (Path dir : new Path[] {dataDir(), backupsDir(), docsDir(), roundsDir()}) {
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new WorkspaceException("cannot create " + dir + " (" + e.getMessage()
                        + "); check that COLIBRI_HOME " + home + " is writable", e);
            }
            if (!Files.isWritable(dir)) {
                throw new WorkspaceException(dir + " is not writable; fix its permissions (the server writes there)");
            }
        }
    }
}
