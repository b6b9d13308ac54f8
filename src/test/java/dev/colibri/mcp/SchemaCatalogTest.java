package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator.ValidationResponse;
import io.modelcontextprotocol.json.schema.jackson3.DefaultJsonSchemaValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tools' schemas ship in the jar, so they are checked against the JSON Schema 2020-12
 * meta-schema here, at build time, with the check the SDK would otherwise run at every start-up
 * (the server's {@link LazySchemaValidator} skips it).
 */
class SchemaCatalogTest {

    private final SchemaCatalog catalog = new SchemaCatalog(McpJsonDefaults.getMapper());
    private final JsonSchemaValidator sdk = new DefaultJsonSchemaValidator();

    @Test
    void everyServedSchemaConformsToTheMetaSchema() {
        for (Tool.Definition tool : ColibriTools.definitions()) {
            for (Map<String, Object> schema : List.of(catalog.input(tool.name()), catalog.output(tool.name()))) {
                ValidationResponse r = sdk.validateSchema(schema);
                assertTrue(r.valid(), tool.name() + ": " + r.errorMessage());
            }
        }
    }

    @Test
    void theMetaSchemaCheckCatchesABrokenSchema() {
        assertFalse(sdk.validateSchema(Map.of("type", "object", "properties", Map.of("n", Map.of("type", 5)))).valid());
    }

    @Test
    void theServersValidatorLeavesSchemasAloneButValidatesValuesWithTheSdksValidator() {
        LazySchemaValidator lazy = new LazySchemaValidator(() -> {
            throw new AssertionError("built before a value was validated");
        });
        assertTrue(lazy.validateSchema(Map.of("type", 5)).valid());

        LazySchemaValidator server = new LazySchemaValidator();
        Map<String, Object> schema = catalog.input("task_upsert");
        assertTrue(server.validate(schema, Map.of("id", "t1", "progress", 10)).valid());
        assertFalse(server.validate(schema, Map.of("id", "t1", "progress", "ten")).valid());
    }
}
