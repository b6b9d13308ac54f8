package dev.colibri.cli;

import java.util.List;
import java.util.Map;

/** One step of a script; {@code number} counts from 1, {@code name} is the author's optional label. */
sealed interface Step {

    int number();

    String name();

    /** What the step does, in a few words: {@code backup_create}, {@code server stop}, {@code cli restore}. */
    String title();

    /** How messages refer to the step: {@code step 3 (backup_create)}. */
    default String where() {
        return "step " + number() + " (" + title() + ")";
    }

    /** A tool call over MCP, checked against {@code expect}, with fields captured into variables. */
    record ToolCall(int number, String name, String tool, Map<String, Object> args, Expectation expect,
            Map<String, JsonPath> capture) implements Step {
        @Override
        public String title() {
            return tool;
        }
    }

    /** Starts or stops the server subprocess. */
    record Server(int number, String name, boolean start) implements Step {
        @Override
        public String title() {
            return start ? "server start" : "server stop";
        }
    }

    /** The colibri CLI as a subprocess on the same workspace; its JSON stdout is checked and captured from. */
    record Cli(int number, String name, List<String> args, Expectation expect, Map<String, JsonPath> capture)
            implements Step {
        @Override
        public String title() {
            return titleOf(args);
        }

        static String titleOf(List<String> args) {
            StringBuilder t = new StringBuilder("cli");
            for (String a : args) {
                if (a.startsWith("-")) {
                    break;
                }
                t.append(' ').append(a);
            }
            return t.toString();
        }
    }

    /** Flips {@code bytes} bytes of a workspace file from {@code offset} on. */
    record Corrupt(int number, String name, String file, long offset, int bytes) implements Step {
        @Override
        public String title() {
            return "corrupt " + file;
        }
    }

    /** Moves a snapshot's creation time {@code days} back. */
    record Age(int number, String name, String snapshot, double days) implements Step {
        @Override
        public String title() {
            return "age " + snapshot;
        }
    }
}
