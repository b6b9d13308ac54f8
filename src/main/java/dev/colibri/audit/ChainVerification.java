package dev.colibri.audit;

/**
 * The outcome of walking the audit chain.
 *
 * @param ok       whether every record links and authenticates
 * @param length   the number of records stored
 * @param headHash hex hash of the last record that verified (the genesis value when none did)
 * @param breakAt  0-based position of the first bad record, or null when ok
 * @param reason   what was wrong at {@code breakAt}, or null when ok
 */
public record ChainVerification(boolean ok, long length, String headHash, Long breakAt, String reason) {

    public String status() {
        return ok ? "ok" : "broken";
    }
}
