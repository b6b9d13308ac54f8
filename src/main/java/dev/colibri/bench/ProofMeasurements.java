package dev.colibri.bench;

import dev.colibri.Colibri;
import dev.colibri.audit.AuditChain;
import dev.colibri.cli.ChainVerifyMain;
import dev.colibri.merkle.FinalizeResult;
import dev.colibri.merkle.MerkleLog;
import java.util.List;

/**
 * The proofs, against absolute targets: the audit chain verified over every record in a child JVM
 * whose heap is capped ({@code --chain-heap}, 64 MB by default) and in this JVM, the full Merkle
 * recompute, and {@code merkle_finalize} after 1,000 new records on the big log.
 */
final class ProofMeasurements {

    private final BenchContext context;
    private final Colibri colibri;

    ProofMeasurements(BenchContext context, Colibri colibri) {
        this.context = context;
        this.colibri = colibri;
    }

    /**
     * {@code AuditChain.verify}, timed inside the child JVM (its start excluded), and in process; each
     * after one untimed pass, as these are the first rows measured after a build. The WAL is
     * checkpointed first, as before every other contender: on a reused workspace the boot may have
     * written (a restore's note), and the child's walk, whose transaction would begin with frames in
     * the log, would read through SQLite rather than from the file's pages ({@code verifyLive}
     * empties the log itself).
     */
    void chainVerify() throws Exception {
        BenchContext.quiesce(colibri);
        String heap = context.options().chainHeap();
        Series child = new Series();
        Series inProcess = new Series();
        childWalk(heap);
        colibri.audit().verifyLive();
        String last = "";
        for (int i = 0; i < context.options().runs(); i++) {
            last = childWalk(heap);
            child.add(Double.parseDouble(field(last, "ms")));
            inProcess.time(() -> colibri.audit().verifyLive());
        }
        context.add(Comparison.absolute("audit_verify_chain", "audit_verify_chain, all records, child JVM -Xmx" + heap,
                child.wall(), Target.millisAtMost(1_500))
                .withNote("AuditChain.verify timed inside a child JVM started with -Xmx" + heap
                        + " -XX:+UseSerialGC (JVM start excluded); last run: " + last));
        context.add(Comparison.absolute("audit_verify_chain_in_process", "  same, in this JVM (AuditService.verifyLive)",
                inProcess.wall(), Target.none()).withCpu(inProcess.cpu(), null));
    }

    /** The line a child JVM capped at {@code heap} prints after walking the whole chain, which must verify. */
    private String childWalk(String heap) throws Exception {
        Cmd.Result r = Cmd.run(List.of(ChildJvm.javaExecutable(), "-Xmx" + heap, "-XX:+UseSerialGC", "-cp",
                ChildJvm.classPath(), ChainVerifyMain.class.getName(), colibri.database().file().toString(),
                context.bench().workspace().keyFile().toString()));
        String line = r.stdout().strip();
        if (!"true".equals(field(line, "ok"))) {
            throw new IllegalStateException("the chain did not verify: " + line);
        }
        return line;
    }

    /** {@code MerkleLog.recompute} over every record, after one untimed pass. */
    void merkleRecompute() throws Exception {
        Series s = new Series();
        long size = colibri.database().read(AuditChain::count);
        colibri.database().read(c -> MerkleLog.recompute(c, size));
        for (int i = 0; i < context.options().runs(); i++) {
            s.time(() -> colibri.database().read(c -> MerkleLog.recompute(c, size)));
        }
        context.add(Comparison.absolute("merkle_recompute", "Merkle recompute, all records (MerkleLog.recompute)",
                s.wall(), Target.millisAtMost(700)).withCpu(s.cpu(), null));
    }

    /** {@code finalizeAndAnchor} of exactly 1,000 records appended after a finalized head. */
    void merkleFinalize() throws Exception {
        Series s = new Series();
        AuditChain chain = colibri.audit().chain();
        for (int i = 0; i < context.options().runs(); i++) {
            colibri.merkle().finalizeAndAnchor(null);
            colibri.database().write(c -> {
                for (int k = 0; k < 1_000; k++) {
                    chain.append(c, "observation", BenchWorkspace.content(k), null);
                }
                return null;
            });
            FinalizeResult[] r = new FinalizeResult[1];
            s.time(() -> r[0] = colibri.merkle().finalizeAndAnchor(null));
            if (r[0].newRecords() != 1_000 || !r[0].anchored()) {
                throw new IllegalStateException("finalize covered " + r[0].newRecords() + " new records, anchored "
                        + r[0].anchored());
            }
        }
        context.add(Comparison.absolute("merkle_finalize", "merkle_finalize after 1,000 new records (finalize + anchor)",
                s.wall(), Target.millisAtMost(20)).withCpu(s.cpu(), null)
                .withNote("two durable writes in one transaction: the fsynced anchor line, then the commit of nodes, head and anchored mark"));
    }

    /** The value of {@code name=value} in the child's line ({@code ms=12.3 ok=true ...}). */
    static String field(String line, String name) {
        for (String part : line.split("\\s+")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + "= in \"" + line + "\"");
    }
}
