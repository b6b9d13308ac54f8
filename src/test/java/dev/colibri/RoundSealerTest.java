package dev.colibri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.backup.ProgressListener;
import dev.colibri.testing.TestWorkspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundSealerTest {

    @TempDir
    Path tmp;

    @Test
    void sealWritesTheDocumentNamingTheRootAndTheSnapshot() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        try (Colibri c = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            c.audit().append("decision", "ship it", null);
            RoundSealer.Seal seal = c.sealer().seal("r7", ProgressListener.none());
            String doc = Files.readString(seal.sealDocument());
            assertTrue(doc.contains(seal.head().root()), doc);
            assertTrue(doc.contains(seal.snapshot().snapshot().name()), doc);
            IllegalArgumentException again = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> c.sealer().seal("r7", ProgressListener.none()));
            assertTrue(again.getMessage().startsWith("round r7 is already sealed"), again.getMessage());
        }
    }

    @Test
    void concurrentSealsOfOneRoundLeaveOneSealNamingTheReportedSnapshot() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        try (Colibri c = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            c.audit().append("decision", "ship it", null);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<RoundSealer.Seal>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(() -> c.sealer().seal("r1", ProgressListener.none())));
            }
            List<RoundSealer.Seal> won = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (Future<RoundSealer.Seal> f : calls) {
                try {
                    won.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    refused.add(e.getCause().getMessage());
                }
            }
            pool.shutdown();
            assertEquals(1, won.size(), refused.toString());
            assertEquals(2, refused.size());
            refused.forEach(m -> assertTrue(m.startsWith("round r1 is already sealed"), m));
            String doc = Files.readString(won.get(0).sealDocument());
            assertTrue(doc.contains(won.get(0).snapshot().snapshot().name()), doc);
        }
    }
}
