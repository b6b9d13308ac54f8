package dev.colibri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariablesTest {

    @Test
    void substitutesInsideStringsAndKeepsTheTypeOfAWholeReference() {
        Variables vars = new Variables();
        vars.put("snap", "colibri-r1-20261128.db");
        vars.put("size", 4);
        vars.put("head", Map.of("size", 4));
        Object args = Json.parse("""
                {"snapshot": "${snap}", "note": "size ${size} of ${snap}", "n": "${size}", "list": ["${snap}", 1],
                 "unknown": "${nope} stays", "obj": "head=${head}", "dollar": "$snap"}""");
        assertEquals(Json.parse("""
                {"snapshot": "colibri-r1-20261128.db", "note": "size 4 of colibri-r1-20261128.db", "n": 4,
                 "list": ["colibri-r1-20261128.db", 1], "unknown": "${nope} stays", "obj": "head={\\"size\\":4}",
                 "dollar": "$snap"}"""), vars.substitute(args));
        assertEquals("restore colibri-r1-20261128.db", vars.text("restore ${snap}"));
        assertEquals("4", vars.text("${size}"));
    }

    @Test
    void findsReferencesAnywhere() {
        assertEquals(List.of("a", "b", "c"), Variables.references(Json.parse("{\"x\": [\"${a}-${b}\", {\"y\": \"${c}\"}]}")));
    }
}
