package dev.colibri.cli;

import dev.colibri.audit.ChainVerification;
import dev.colibri.merkle.RootReport;
import dev.colibri.restore.Outcome;
import dev.colibri.restore.Plan;
import dev.colibri.restore.RestoreStep;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code restore --yes} prints: the outcome of the offline restore as JSON (its chain and
 * Merkle parts named as {@code audit_verify_chain} and {@code merkle_root} name them) or for people.
 */
final class RestoreReport {

    private RestoreReport() {
    }

    static Map<String, Object> fields(Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", o.ok());
        m.put("restored", o.restored());
        m.put("snapshot", o.snapshot());
        m.put("tier", o.tier());
        m.put("broken_file", o.brokenFile());
        m.put("records_lost", o.recordsLost());
        m.put("steps", o.steps().stream().map(RestoreReport::step).toList());
        m.put("rejected", o.rejected().stream().map(RestoreReport::rejected).toList());
        m.put("audit_chain", o.chain() == null ? null : chain(o.chain()));
        m.put("merkle", o.merkle() == null ? null : merkle(o.merkle()));
        return m;
    }

    private static Map<String, Object> step(RestoreStep s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("status", s.status());
        m.put("detail", s.detail());
        return m;
    }

    private static Map<String, Object> rejected(Plan.Rejected r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("tier", r.tier());
        m.put("reason", r.reason());
        return m;
    }

    private static Map<String, Object> chain(ChainVerification v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", v.status());
        m.put("length", v.length());
        m.put("head_hash", v.headHash());
        if (v.breakAt() != null) {
            m.put("break_at", v.breakAt());
            m.put("reason", v.reason());
        }
        return m;
    }

    private static Map<String, Object> merkle(RootReport r) {
        Map<String, Object> anchor = new LinkedHashMap<>();
        anchor.put("status", r.anchorStatus());
        anchor.put("anchored_root", r.anchoredRoot());
        anchor.put("log_intact", r.anchorLogIntact());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("root", r.root());
        m.put("size", r.size());
        m.put("anchor", anchor);
        m.put("records", r.recordsPresent());
        m.put("pending_records", r.pendingRecords());
        m.put("detail", r.detail());
        return m;
    }

    static void human(Outcome o, PrintWriter out) {
        if (o.restored()) {
            out.println("restored " + o.snapshot() + " (" + o.tier() + " tier) as data/colibri.db");
        } else {
            out.println("NOT restored" + (o.snapshot() == null ? "" : " from " + o.snapshot()));
        }
        Table.pairs(out, "original kept as", o.brokenFile() == null ? "-" : o.brokenFile(),
                "records lost", o.recordsLost() == null ? "unknown" : o.recordsLost(),
                "audit chain", o.chain() == null ? "not checked" : o.chain().ok()
                        ? "ok, " + o.chain().length() + " records"
                        : "BROKEN at position " + o.chain().breakAt() + ": " + o.chain().reason(),
                "merkle anchor", o.merkle() == null ? "not checked"
                        : o.merkle().anchorStatus() + " (" + o.merkle().detail() + ")");
        out.println();
        Table table = new Table("STEP", "STATUS", "DETAIL");
        o.steps().forEach(s -> table.row(s.name(), s.status(), s.detail()));
        table.print(out);
        if (!o.rejected().isEmpty()) {
            out.println();
            out.println("passed over:");
            Table rejected = new Table("NAME", "TIER", "REASON");
            o.rejected().forEach(r -> rejected.row(r.name(), r.tier(), r.reason()));
            rejected.print(out);
        }
        if (o.restored()) {
            out.println();
            out.println("next: start the server; it records the restore in the audit chain at boot");
        }
    }

    /** Why a restore that did not fully succeed is not ok, in one line. */
    static String problem(Outcome o) {
        RestoreStep failed = o.failure();
        if (failed != null) {
            return "restore step " + failed.name() + " failed: " + failed.detail();
        }
        if (o.chain() != null && !o.chain().ok()) {
            return "restored, but the audit chain of the restored database is broken at position " + o.chain().breakAt()
                    + ": " + o.chain().reason();
        }
        if (o.merkle() != null && "mismatch".equals(o.merkle().anchorStatus())) {
            return "restored, but its Merkle root does not match the anchor: " + o.merkle().detail();
        }
        return "the restore did not complete";
    }
}
