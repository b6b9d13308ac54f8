package dev.colibri.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

/**
 * A scripted MCP session, read and checked completely before anything runs: a bad step, a use of
 * a variable before its capture, or a tool call while the script has stopped the server is
 * reported with the step's number, so a script either runs as written or not at all.
 */
record Script(String description, List<Step> steps) {

    private static final Set<String> TOP_KEYS = Set.of("description", "steps");

    Script {
        steps = List.copyOf(steps);
    }

    /** Thrown for a script that cannot run; the message says which step and why. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Reads a script.
     *
     * @throws Invalid naming the step and what is wrong with it
     */
    static Script parse(String text) throws Invalid {
        Object root;
        try {
            root = Json.parse(text);
        } catch (JacksonException e) {
            TokenStreamLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            String why = Expectation.firstLine(e.getOriginalMessage());
            int marker = why.indexOf(" (start marker at");
            throw new Invalid("not valid JSON" + where + ": " + (marker < 0 ? why : why.substring(0, marker)));
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new Invalid("a script is a JSON object with \"description\" and \"steps\", got " + Json.kind(root));
        }
        for (Object key : top.keySet()) {
            if (!TOP_KEYS.contains(key)) {
                throw new Invalid("unknown key \"" + key + "\" at the top level; allowed: description, steps");
            }
        }
        Object description = top.get("description");
        if (description != null && !(description instanceof String)) {
            throw new Invalid("\"description\" must be a string, got " + Json.kind(description));
        }
        if (!(top.get("steps") instanceof List<?> list) || list.isEmpty()) {
            throw new Invalid("\"steps\" must be a non-empty list of steps");
        }
        StepReader reader = new StepReader();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            steps.add(reader.read(i + 1, list.get(i)));
        }
        return new Script(description == null ? "" : (String) description, steps);
    }

    /** Whether the server runs after the last step (the runner stops it then). */
    boolean endsWithServerRunning() {
        boolean running = true;
        for (Step s : steps) {
            if (s instanceof Step.Server server) {
                running = server.start();
            }
        }
        return running;
    }
}
