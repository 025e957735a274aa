package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server against clients that hold connections: half-sent request heads, idle kept-alive
 * connections, more connections than slots. Over a real unix socket, with the real engine behind
 * it ({@link EngineServer}); each wait is on the server closing a socket (a read's end of stream)
 * or on a reply.
 */
@Timeout(120)
class ConnectionLimitsTest {
    @TempDir
    Path dir;
    private EngineServer server;
    private final List<SocketChannel> held = new ArrayList<>();

    private Path start(int max, Duration head, Duration idle) throws Exception {
        server = new EngineServer(dir, max, head, idle);
        return server.socket;
    }

    @AfterEach
    void stop() throws Exception {
        for (SocketChannel ch : held) {
            ch.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private SocketChannel open(Path socket, String send) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        if (!send.isEmpty()) {
            ch.write(ByteBuffer.wrap(send.getBytes(StandardCharsets.US_ASCII)));
        }
        held.add(ch);
        return ch;
    }

    /** Reads until the server closes the connection; what it sent before. */
    private static String untilClosed(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        StringBuilder text = new StringBuilder();
        try {
            while (ch.read(b) >= 0) {
                b.flip();
                text.append(StandardCharsets.US_ASCII.decode(b));
                b.clear();
            }
        } catch (IOException reset) {
            // closed with our bytes unread: closed all the same
        }
        return text.toString();
    }

    /**
     * Waits until the server has read the first bytes of {@code n} request heads (its connection
     * threads run on their own): the state a test of the head rules starts from.
     */
    private void awaitHeads(long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (server.server.connections(ConnectionTable.Phase.HEAD) < n) {
            assertTrue(System.nanoTime() < deadline, "the server did not read " + n + " heads");
            Thread.sleep(10);
        }
    }

    private static String ping(Path socket) throws IOException {
        try (RawClient c = new RawClient(socket)) {
            RawClient.Reply r = c.request("GET", "/_ping", null);
            return r.status() + " " + r.text();
        }
    }

    @Test
    void aHalfSentHeadIsClosedAtTheHeadDeadline() throws Exception {
        Path socket = start(16, Duration.ofMillis(300), Duration.ofMinutes(10));
        SocketChannel slow = open(socket, "GET /_ping HTTP/1.1\r\nHost: skiff\r\n");
        assertEquals("", untilClosed(slow), "closed without a reply");
        assertEquals("200 OK", ping(socket));
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAtTheIdleDeadline() throws Exception {
        Path socket = start(16, Duration.ofMinutes(10), Duration.ofMillis(300));
        SocketChannel kept = open(socket, "GET /_ping HTTP/1.1\r\nHost: skiff\r\n\r\n");
        String replies = untilClosed(kept);
        assertTrue(replies.startsWith("HTTP/1.1 200 OK") && replies.endsWith("OK"), "answered, then closed: " + replies);
    }

    @Test
    void aRequestInItsHandlerOutlivesBothDeadlines() throws Exception {
        Path socket = start(16, Duration.ofMillis(200), Duration.ofMillis(200));
        // docker events: a stream that lasts until the client goes
        SocketChannel events = open(socket, "GET /v1.47/events HTTP/1.1\r\nHost: skiff\r\n\r\n");
        ByteBuffer b = ByteBuffer.allocate(4096);
        assertTrue(events.read(b) > 0, "the stream's head came");
        // a slow head on another connection goes at its deadline while the stream stays
        assertEquals("", untilClosed(open(socket, "GET /")));
        assertTrue(events.isOpen());
        events.configureBlocking(false);
        b.clear();
        assertEquals(0, events.read(b), "the stream is still open (nothing to read, no end of stream)");
    }

    @Test
    void aFullServerEvictsTheLongestIdleConnectionToServeANewOne() throws Exception {
        Path socket = start(3, Duration.ofMinutes(10), Duration.ofMinutes(10));
        SocketChannel oldest = open(socket, "");
        open(socket, "");
        open(socket, "");
        assertEquals("200 OK", ping(socket));
        assertEquals("", untilClosed(oldest), "the longest-idle connection made room");
    }

    @Test
    void aServerFullOfRequestsAnswers503AtOnce() throws Exception {
        Path socket = start(2, Duration.ofMinutes(10), Duration.ofMinutes(10));
        open(socket, "GET /_pi");
        open(socket, "GET /_pi");
        awaitHeads(2);
        String refused = untilClosed(open(socket, ""));
        assertTrue(refused.startsWith("HTTP/1.1 503 "), refused);
        assertTrue(refused.contains("API requests at once; try again"), refused);
    }

    @Test
    void elevenHundredIdleConnectionsAndAHundredHalfHeadsLeaveRoomForDockerVersion() throws Exception {
        Path socket = start(ApiServer.MAX_CONNECTIONS, Duration.ofSeconds(2), ApiServer.IDLE_DEADLINE);
        List<SocketChannel> heads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            heads.add(open(socket, "GET /version HTTP/1.1\r\nHo"));
        }
        awaitHeads(100);
        for (int i = 0; i < 1100; i++) {
            open(socket, "");
        }
        try (RawClient c = new RawClient(socket)) {
            RawClient.Reply r = c.request("GET", "/v1.47/version", null);
            assertEquals(200, r.status(), r.text());
        }
        for (SocketChannel h : heads) {
            assertEquals("", untilClosed(h), "a half-sent head is closed at its deadline");
        }
    }
}
