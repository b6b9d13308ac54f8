package dev.colibri.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The CLI's exit codes, the same for every command. */
final class Exit {

    static final int OK = 0;
    /** A check failed: the tool reported an error and still returned its full result. */
    static final int CHECK_FAILED = 1;
    /** The command could not do its work: bad arguments, an unknown snapshot, a held workspace, a missing key. */
    static final int USAGE = 2;

    private Exit() {
    }

    /** The exit code list every command's help shows. */
    static Map<String, String> helpList() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "success");
        codes.put("1", "a check failed (unsafe snapshot, broken audit chain, anchor mismatch, failed script step)");
        codes.put("2", "usage or setup error (bad arguments, unknown snapshot, invalid script, workspace held by a"
                + " running server, missing or wrong audit key)");
        return codes;
    }
}
