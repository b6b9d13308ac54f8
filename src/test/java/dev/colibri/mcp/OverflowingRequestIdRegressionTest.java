package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.modelcontextprotocol.spec.McpSchema;
import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Regression found by the stdin fuzz of the reliability campaign: a request id such as {@code 1e999}
 * was read as a double, overflowed to Infinity, and the error response carried {@code "id":"Infinity"}
 * (a string the client never sent); {@code 1e-400} came back as {@code 0.0}. The id a rejected
 * request is answered with must be numerically the one it sent.
 */
class OverflowingRequestIdRegressionTest {

    private static final JsonMapper EXACT = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {"1e999", "-1e400", "1e-400", "1.5", "0.30000000000000000000001", "123456789012345678901234567890"})
    void aNumericIdThatOverflowsADoubleIsEchoedExactlyNotMangled(String id) {
        JsonRpcLineInspector inspector = new JsonRpcLineInspector();
        JsonRpcLineInspector.Verdict v = inspector.inspect("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}");
        JsonRpcLineInspector.Reject r = assertInstanceOf(JsonRpcLineInspector.Reject.class, v);
        assertEquals(McpSchema.ErrorCodes.INVALID_REQUEST, r.code());
        JsonNode echoed = EXACT.readTree(inspector.errorLine(r.code(), r.id(), r.reason())).get("id");
        assertEquals(0, new BigDecimal(id).compareTo(echoed.decimalValue()), "sent " + id + ", answered " + echoed);
    }
}
