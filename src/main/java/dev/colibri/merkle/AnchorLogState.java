package dev.colibri.merkle;

import java.util.List;
import java.util.Optional;

/**
 * What the anchor log holds and whether its line chain is intact.
 *
 * @param anchors   every line that parsed, in file order
 * @param intact    whether each line links to the hash of the line before it
 * @param problem   what is wrong (1-based line number and why), or null when intact
 * @param lastLineHash hex SHA-256 of the last line, the {@code prev} of the next one
 */
public record AnchorLogState(List<Anchor> anchors, boolean intact, String problem, String lastLineHash) {

    public AnchorLogState {
        anchors = List.copyOf(anchors);
    }

    /** The most recent anchor of a workspace for a tree size. */
    public Optional<Anchor> latestFor(String workspaceId, long size) {
        for (int i = anchors.size() - 1; i >= 0; i--) {
            Anchor a = anchors.get(i);
            if (a.size() == size && a.workspaceId().equals(workspaceId)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The largest anchored size of a workspace, or -1. */
    public long maxSizeFor(String workspaceId) {
        return anchors.stream().filter(a -> a.workspaceId().equals(workspaceId)).mapToLong(Anchor::size).max().orElse(-1);
    }
}
