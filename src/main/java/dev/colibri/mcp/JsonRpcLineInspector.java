package dev.colibri.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks, with Jackson's tree model, that a line is a JSON-RPC 2.0 message of a shape the MCP SDK
 * can deserialize without throwing, and renders the error responses sent for lines that are not.
 *
 * <p>Parsing uses Jackson's default {@code StreamReadConstraints}, so absurdly nested input fails
 * with a parse error (nesting depth 500) instead of recursing until the stack overflows.
 * Thread-safe: the mapper is immutable and no state is kept between calls.
 */
final class JsonRpcLineInspector {

    /** What to do with one line. */
    sealed interface Verdict permits Accept, Reject, Drop {
    }

    /** Kinds of well-formed message; only requests expect an answer. */
    enum Kind { REQUEST, NOTIFICATION, RESPONSE }

    /** Well-formed: hand the line to the SDK. {@code id} is null for notifications. */
    record Accept(Kind kind, JsonNode id) implements Verdict {
    }

    /** Malformed: answer with this error; {@code id} is the echoable id or null. */
    record Reject(int code, JsonNode id, String reason) implements Verdict {
    }

    /** A valid response the SDK cannot represent (e.g. {@code "id": null}); never answer a response. */
    record Drop(String reason) implements Verdict {
    }

    /** Floats as BigDecimal, so a numeric id such as 1e999 or 1e-400 is echoed as sent, not as Infinity or 0.0. */
    private final JsonMapper mapper = JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    Verdict inspect(String line) {
        JsonNode root;
        try {
            root = mapper.readTree(line);
        } catch (JacksonException e) {
            return new Reject(McpSchema.ErrorCodes.PARSE_ERROR, null,
                    "Parse error: the line is not valid JSON (" + summarize(e.getOriginalMessage()) + ")");
        }
        if (!root.isObject()) {
            return invalid(null, "expected a JSON-RPC 2.0 object but got " + describe(root)
                    + (root.isArray() ? " (batches are not supported)" : ""));
        }
        return inspectObject(root);
    }

    /** Renders a complete JSON-RPC error response as a single line of JSON. */
    String errorLine(int code, JsonNode id, String message) {
        ObjectNode error = mapper.createObjectNode().put("code", code).put("message", message);
        ObjectNode response = mapper.createObjectNode().put("jsonrpc", McpSchema.JSONRPC_VERSION);
        if (id == null) {
            response.putNull("id");
        } else {
            response.set("id", id);
        }
        return mapper.writeValueAsString(response.set("error", error));
    }

    private Verdict inspectObject(JsonNode root) {
        JsonNode id = root.get("id");
        JsonNode echoId = id != null && (id.isString() || id.isNumber()) ? id : null;
        JsonNode version = root.get("jsonrpc");
        if (version == null || !version.isString() || !McpSchema.JSONRPC_VERSION.equals(version.stringValue())) {
            return invalid(echoId, "\"jsonrpc\" must be the string \"2.0\"");
        }
        boolean isResponse = root.has("result") || root.has("error");
        if (root.has("method")) {
            return isResponse ? invalid(echoId, "a message cannot have both \"method\" and \"result\"/\"error\"")
                    : inspectCall(root, id, echoId);
        }
        if (isResponse) {
            return inspectResponse(root, id, echoId);
        }
        return invalid(echoId, "a message needs \"method\" (request or notification) or \"result\"/\"error\" (response)");
    }

    private Verdict inspectCall(JsonNode root, JsonNode id, JsonNode echoId) {
        if (!root.get("method").isString()) {
            return invalid(echoId, "\"method\" must be a string");
        }
        JsonNode params = root.get("params");
        if (params != null && !params.isObject() && !params.isArray() && !params.isNull()) {
            return invalid(echoId, "\"params\" must be an object or an array");
        }
        if (id == null) {
            return new Accept(Kind.NOTIFICATION, null);
        }
        return isSupportedId(id) ? new Accept(Kind.REQUEST, id)
                : invalid(echoId, "\"id\" must be a string or an integer, not " + describe(id));
    }

    private Verdict inspectResponse(JsonNode root, JsonNode id, JsonNode echoId) {
        JsonNode result = root.get("result");
        JsonNode error = root.get("error");
        if ((result == null) == (error == null)) {
            return invalid(echoId, "a response must have exactly one of \"result\" or \"error\"");
        }
        if (error != null && !isErrorObject(error)) {
            return invalid(echoId, "\"error\" must be an object with an integer \"code\" and a string \"message\"");
        }
        if (id == null) {
            return invalid(null, "a response must have an \"id\"");
        }
        if (id.isNull()) {
            return new Drop("client sent a response with \"id\": null: " + root.path("error").path("message"));
        }
        if (!isSupportedId(id)) {
            return invalid(echoId, "\"id\" must be a string or an integer, not " + describe(id));
        }
        return result != null && result.isNull() ? new Drop("client sent \"result\": null for id " + id)
                : new Accept(Kind.RESPONSE, id);
    }

    /** The SDK accepts String, Integer and Long ids only. */
    private static boolean isSupportedId(JsonNode id) {
        return id.isString() || id.isIntegralNumber() && id.canConvertToLong();
    }

    private static boolean isErrorObject(JsonNode error) {
        if (!error.isObject()) {
            return false;
        }
        JsonNode code = error.get("code");
        JsonNode message = error.get("message");
        return code != null && code.isIntegralNumber() && code.canConvertToInt()
                && message != null && message.isString();
    }

    private static Reject invalid(JsonNode id, String reason) {
        return new Reject(McpSchema.ErrorCodes.INVALID_REQUEST, id, "Invalid Request: " + reason);
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** First line of an exception message, capped so an error response never echoes much input. */
    static String summarize(String text) {
        if (text == null) {
            return "unreadable input";
        }
        String line = text.lines().findFirst().orElse(text);
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
