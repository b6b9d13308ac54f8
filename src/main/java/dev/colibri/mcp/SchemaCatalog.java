package dev.colibri.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The tools' JSON Schemas, kept as files in the project's {@code schemas/} folder and shipped in
 * the jar under {@code /schemas}: {@code <tool>.input.json} and {@code <tool>.output.json}.
 */
final class SchemaCatalog {

    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() { };

    private final McpJsonMapper mapper;

    SchemaCatalog(McpJsonMapper mapper) {
        this.mapper = mapper;
    }

    Map<String, Object> input(String tool) {
        return load(tool + ".input.json");
    }

    Map<String, Object> output(String tool) {
        return load(tool + ".output.json");
    }

    private Map<String, Object> load(String file) {
        String resource = "/schemas/" + file;
        try (InputStream in = SchemaCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is missing from the jar; rebuild with mvn package");
            }
            Map<String, Object> schema = mapper.readValue(new String(in.readAllBytes(), StandardCharsets.UTF_8), MAP);
            schema.remove("$schema");
            schema.remove("$id");
            return schema;
        } catch (IOException e) {
            throw new IllegalStateException("schema " + resource + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
