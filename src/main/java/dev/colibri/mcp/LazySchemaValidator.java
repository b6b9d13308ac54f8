package dev.colibri.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The SDK's JSON Schema validator, built on the first tool call instead of at start-up. Building it
 * loads and compiles the draft 2020-12 meta-schema, and the SDK would then check every tool's two
 * schemas against it before serving: about a tenth of a second of a cold start spent on files that
 * ship in the jar. Those files are checked against the meta-schema by the tests instead
 * ({@code SchemaCatalogTest}), so {@link #validateSchema} keeps the interface's default (valid).
 * Tool inputs and structured outputs are validated exactly as before, by the SDK's validator.
 */
final class LazySchemaValidator implements JsonSchemaValidator {

    private final Supplier<JsonSchemaValidator> factory;
    private volatile JsonSchemaValidator delegate;

    /** Over the validator the SDK would use by default. */
    LazySchemaValidator() {
        this(McpJsonDefaults::getSchemaValidator);
    }

    LazySchemaValidator(Supplier<JsonSchemaValidator> factory) {
        this.factory = factory;
    }

    @Override
    public ValidationResponse validate(Map<String, Object> schema, Object structuredContent) {
        return delegate().validate(schema, structuredContent);
    }

    private JsonSchemaValidator delegate() {
        JsonSchemaValidator d = delegate;
        if (d == null) {
            synchronized (this) {
                d = delegate;
                if (d == null) {
                    d = factory.get();
                    delegate = d;
                }
            }
        }
        return d;
    }
}
