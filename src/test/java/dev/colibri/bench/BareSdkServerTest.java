package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BareSdkServerTest {

    @TempDir
    Path dir;

    @Test
    void answersTheHandshakeAndExitsWhenItsInputEnds() throws Exception {
        List<String> command = List.of(ChildJvm.javaExecutable(), "-cp", ChildJvm.classPath(), BareSdkServer.class.getName());
        // ColdStart.run fails unless tools/list lists a tool and the process exits once stdin closes.
        ColdStart.Session session = ColdStart.run(command, dir.resolve("home"), dir.resolve("key"), 0);
        assertTrue(session.coldStartMillis() > 0, "timed: " + session.coldStartMillis());
        try (var files = Files.list(dir)) {
            assertTrue(files.findAny().isEmpty(), "the bare server has no workspace and writes nothing");
        }
    }
}
