package dev.colibri.cli;

import dev.colibri.Colibri;
import dev.colibri.mcp.StdioServer;
import dev.colibri.workspace.Workspace;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;

/** {@code colibri serve}: the MCP server over stdio (the default with no arguments). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve MCP over stdio on the workspace in COLIBRI_HOME (default: the current directory)."
                + " Stdout carries only JSON-RPC; logs go to stderr.")
final class ServeCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return serve();
    }

    /**
     * Serves until stdin closes and returns the exit code. {@link Main} calls it directly for a plain
     * {@code serve} (or no arguments), without building the command tree, which costs a short-lived
     * server a sizeable part of its start.
     */
    static int serve() throws Exception {
        // Stdout is the protocol channel: keep the real descriptor for the transport and send any
        // stray System.out output (from us or a library) to stderr.
        OutputStream protocol = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        CompletableFuture<Colibri> booting = Colibri.openInBackground(Workspace.fromSystem(), Clock.systemUTC());
        new StdioServer(booting, Version.current()).serve(new FileInputStream(FileDescriptor.in), protocol);
        return 0;
    }
}
