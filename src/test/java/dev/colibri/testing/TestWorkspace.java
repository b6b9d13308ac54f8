package dev.colibri.testing;

import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A workspace in a temporary folder, with its key file beside it (never in ~/.config). */
public record TestWorkspace(Path home, Path keyFile, Path coldDir) {

    public static TestWorkspace in(Path tmp) throws IOException {
        Path home = Files.createDirectories(tmp.resolve("ws"));
        return new TestWorkspace(home, tmp.resolve("keys").resolve("audit.key"), null);
    }

    public TestWorkspace withCold(Path cold) {
        return new TestWorkspace(home, keyFile, cold);
    }

    public Workspace workspace() {
        return new Workspace(home, coldDir, keyFile);
    }

    /** The environment a server process needs for this workspace. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(Workspace.ENV_HOME, home.toString());
        env.put(Workspace.ENV_KEY, keyFile.toString());
        if (coldDir != null) {
            env.put(Workspace.ENV_COLD, coldDir.toString());
        }
        return env;
    }

    public Path database() {
        return workspace().database();
    }
}
