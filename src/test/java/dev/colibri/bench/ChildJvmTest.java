package dev.colibri.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    @Test
    void aSingleJarIsStartedWithDashJarAsDocumented() {
        assertEquals(List.of("/jdk/bin/java", "-jar", "target/colibri.jar"),
                ChildJvm.serverCommand("/jdk/bin/java", "target/colibri.jar"));
        assertEquals(Path.of("target/colibri.jar").toAbsolutePath(), ChildJvm.jarOf("target/colibri.jar"));
    }

    @Test
    void classesAreStartedThroughTheMainClass() {
        String cp = "target/classes" + File.pathSeparator + "lib/a.jar";
        assertEquals(List.of("/jdk/bin/java", "-cp", cp, "dev.colibri.cli.Main"), ChildJvm.serverCommand("/jdk/bin/java", cp));
        assertNull(ChildJvm.jarOf(cp));
        assertNull(ChildJvm.jarOf("target/classes"));
    }

    @Test
    void theJavaOfThisJvm() {
        assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), ChildJvm.javaExecutable());
    }
}
