package dev.colibri.mcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class HandshakePrimerTest {

    @Test
    void readsAndWritesEverySampleWithTheSdkMapper() throws InterruptedException {
        assertTrue(HandshakePrimer.prime(McpJsonDefaults.getMapper()));

        Thread t = HandshakePrimer.start(McpJsonDefaults.getMapper());
        t.join(30_000);
        assertFalse(t.isAlive());
        assertTrue(t.isDaemon(), "must never keep the JVM alive");
    }

    @Test
    void aMapperThatFailsOnlyLosesTheHeadStart() throws IOException {
        McpJsonMapper broken = mock(McpJsonMapper.class);
        when(broken.readValue(any(String.class), any(TypeRef.class))).thenThrow(new IOException("disk on fire"));
        when(broken.readValue(any(String.class), any(Class.class))).thenThrow(new IOException("disk on fire"));

        assertFalse(HandshakePrimer.prime(broken));
    }
}
