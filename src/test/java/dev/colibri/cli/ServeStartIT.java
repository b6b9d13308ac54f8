package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditKey;
import dev.colibri.testing.ServerLauncher;
import dev.colibri.testing.ServerSession;
import dev.colibri.testing.TestWorkspace;
import dev.colibri.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that cannot open its workspace ends with exit code 2 and one line on stderr saying why,
 * before it answers anything, even when the client has already sent its {@code initialize}: the
 * database boots alongside the server's own start-up, but no request is read before it is over.
 */
class ServeStartIT {

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
            + "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"it\",\"version\":\"0\"}}}\n";

    @TempDir
    Path tmp;

    /** A finished server process started with {@code args}, after writing {@code initialize} to it. */
    private record Refused(int exitCode, String stdout, String stderr) {
    }

    @Test
    void aSecondServerOnAHeldWorkspaceExitsTwoNamingTheHolderAndAnswersNothing() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        try (ServerSession holder = ServerSession.start(ws)) {
            long pid = holder.process().orElseThrow().pid();
            Refused second = start(ws, "serve");
            Workspace w = ws.workspace();
            assertEquals(2, second.exitCode(), second.toString());
            assertEquals("", second.stdout());
            assertEquals("colibri: cannot open the workspace " + w.home() + ": the workspace is held by pid " + pid
                    + " (lock " + w.lockFile() + "); stop that process first (kill -INT " + pid + ")", lastLine(second));
        }
    }

    @Test
    void aWrongKeyEndsTheStartWithItsMessageAndNothingOnStdout() throws Exception {
        TestWorkspace ws = TestWorkspace.in(tmp);
        String keyId;
        try (Colibri c = Colibri.open(ws.workspace(), Clock.systemUTC())) {
            keyId = c.key().id();
            c.audit().append("decision", "bind the chain to its key", null);
        }
        byte[] other = Files.readAllBytes(ws.keyFile());
        other[0] ^= 0x5a;
        Files.write(ws.keyFile(), other);
        String otherId = AuditKey.of(other).id();

        Refused refused = start(ws);
        assertEquals(2, refused.exitCode(), refused.toString());
        assertEquals("", refused.stdout());
        assertEquals("colibri: the audit key " + ws.keyFile() + " (key id " + otherId + ") is not the key of this"
                + " workspace's chain (key id " + keyId + "); point COLIBRI_AUDIT_KEY_FILE at the right key. Colibri"
                + " never re-keys a chain", lastLine(refused));
    }

    @Test
    void serveWithOptionsStillGoesThroughTheCommandLine() throws Exception {
        ColibriProcess help = ColibriProcess.run(tmp, TestWorkspace.in(tmp).env(), "serve", "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.stdout().startsWith("Usage: colibri serve"), help.stdout());
        assertTrue(help.stdout().contains("Exit codes:"), help.stdout());
    }

    private static String lastLine(Refused r) {
        List<String> lines = r.stderr().lines().toList();
        assertTrue(!lines.isEmpty(), r.toString());
        return lines.get(lines.size() - 1);
    }

    private static Refused start(TestWorkspace ws, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ServerLauncher.command(args));
        pb.environment().remove(Workspace.ENV_COLD);
        pb.environment().putAll(ws.env());
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        OutputStream in = p.getOutputStream();
        in.write(INITIALIZE.getBytes(StandardCharsets.UTF_8));
        in.flush();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the refused server is still running after 60 s: " + err.getNow(""));
        }
        in.close();
        return new Refused(p.exitValue(), out.get(), err.get());
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
