package dev.colibri.bench;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The cold-start floor of the benchmark: the MCP SDK's own stdio server ({@code StdioServerTransportProvider},
 * the SDK's default JSON mapper) with one trivial tool and nothing of Colibri's: no workspace, no
 * database, no schemas to load. It takes the one start-up shortcut Colibri's server takes that the SDK
 * leaves to its user: the JSON-schema validator is not built at start (here it is asked for at each
 * validation, as this server is only timed up to {@code tools/list}), so that the gap between this row
 * and Colibri's is what Colibri itself adds. Started by the benchmark through {@code bin/colibri} with
 * {@code COLIBRI_MAIN}, so with the same JVM flags and AppCDS archive as the server; exits when its
 * standard input ends. Never part of the product's server.
 */
public final class BareSdkServer {

    private BareSdkServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        CountDownLatch inputEnded = new CountDownLatch(1);
        InputStream in = new EndOfInput(new FileInputStream(FileDescriptor.in), inputEnded);
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        McpJsonMapper mapper = McpJsonDefaults.getMapper();
        McpSchema.Tool echo = McpSchema.Tool.builder().name("echo").description("Returns its text.")
                .inputSchema(new McpSchema.JsonSchema("object", Map.of("text", Map.of("type", "string")),
                        List.of("text"), false, null, null))
                .build();
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(mapper, in, protocol))
                .serverInfo("bare-sdk-server", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .jsonSchemaValidator((schema, content) -> McpJsonDefaults.getSchemaValidator().validate(schema, content))
                .tools(McpServerFeatures.SyncToolSpecification.builder().tool(echo)
                        .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                                .content(List.of(new McpSchema.TextContent(String.valueOf(request.arguments().get("text")))))
                                .build())
                        .build())
                .build();
        inputEnded.await();
        server.closeGracefully();
        System.exit(0);
    }

    /** Standard input that counts down a latch when it reaches its end (or fails). */
    private static final class EndOfInput extends FilterInputStream {

        private final CountDownLatch ended;

        EndOfInput(InputStream in, CountDownLatch ended) {
            super(in);
            this.ended = ended;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n < 0) {
                    ended.countDown();
                }
                return n;
            } catch (IOException e) {
                ended.countDown();
                throw e;
            }
        }
    }
}
