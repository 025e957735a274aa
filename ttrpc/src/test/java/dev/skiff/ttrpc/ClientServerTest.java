package dev.skiff.ttrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import dev.skiff.ttrpc.frame.FrameHeader;
import java.io.FileNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Java client against Java server, over in-memory pipes: unary calls, errors, deadlines, limits. */
@Timeout(60)
class ClientServerTest {
    private static final String SVC = "skiff.test.Echo";

    private final CountDownLatch handlerInterrupted = new CountDownLatch(1);
    private final CountDownLatch handlerStarted = new CountDownLatch(1);
    private ServiceRegistry registry;
    private Server server;
    private Client client;

    @BeforeEach
    void setUp() {
        registry = new ServiceRegistry()
                .unary(SVC, "Echo", (call, req) -> req)
                .unary(SVC, "Metadata", (call, req) -> String.join(",", call.metadata().get("x-trace")).getBytes(UTF_8))
                .unary(SVC, "Deadline", (call, req) -> call.deadline().isPresent() ? new byte[] {1} : new byte[] {0})
                .unary(SVC, "NotFound", (call, req) -> {
                    throw new TtrpcException(Code.NOT_FOUND, "container " + new String(req, UTF_8) + " not found");
                })
                .unary(SVC, "Missing", (call, req) -> {
                    throw new FileNotFoundException("/no/such/file");
                })
                .unary(SVC, "Crash", (call, req) -> {
                    throw new RuntimeException("boom");
                })
                .unary(SVC, "Block", (call, req) -> {
                    handlerStarted.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        handlerInterrupted.countDown();
                        throw e;
                    }
                    return req;
                })
                .unary(SVC, "Huge", (call, req) -> new byte[FrameHeader.MAX_DATA_LENGTH + 1])
                .unary(SVC, "Upper", StringValue.parser(),
                        (call, req) -> StringValue.of(req.getValue().toUpperCase(java.util.Locale.ROOT)));
        Pipes pipes = Pipes.open();
        server = new Server(registry);
        server.serve(pipes.server());
        client = new Client(pipes.client());
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    private byte[] call(String method, String body) throws TtrpcException {
        return client.call(SVC, method, body.getBytes(UTF_8), CallOptions.DEFAULT);
    }

    @Test
    void unaryEcho() throws Exception {
        assertEquals("hello", new String(call("Echo", "hello"), UTF_8));
        assertEquals(0, call("Echo", "").length);
    }

    @Test
    void typedProtobufCall() throws Exception {
        StringValue out = client.call(SVC, "Upper", StringValue.of("skiff"), StringValue.parser(), CallOptions.DEFAULT);
        assertEquals("SKIFF", out.getValue());
    }

    @Test
    void metadataReachesTheHandler() throws Exception {
        byte[] out = client.call(SVC, "Metadata", new byte[0],
                CallOptions.DEFAULT.withMetadata(Metadata.of("X-Trace", "a", "b")));
        assertEquals("a,b", new String(out, UTF_8));
    }

    @Test
    void timeoutIsSentToTheServer() throws Exception {
        assertArrayEquals(new byte[] {1}, client.call(SVC, "Deadline", new byte[0], CallOptions.timeout(Duration.ofMinutes(1))));
        assertArrayEquals(new byte[] {0}, client.call(SVC, "Deadline", new byte[0], CallOptions.DEFAULT));
    }

    @Test
    void handlerStatusReachesTheCaller() {
        TtrpcException e = assertThrows(TtrpcException.class, () -> call("NotFound", "abc"));
        assertEquals(Code.NOT_FOUND, e.code());
        assertEquals("container abc not found", e.status().message());
    }

    @Test
    void exceptionsAreMappedToCodes() {
        assertEquals(Code.NOT_FOUND, assertThrows(TtrpcException.class, () -> call("Missing", "")).code());
        TtrpcException crash = assertThrows(TtrpcException.class, () -> call("Crash", ""));
        assertEquals(Code.UNKNOWN, crash.code());
        assertEquals("boom", crash.status().message());
    }

    @Test
    void unknownServiceAndMethodAreUnimplemented() {
        TtrpcException s = assertThrows(TtrpcException.class, () -> client.call("nope", "X", new byte[0], CallOptions.DEFAULT));
        assertEquals(Code.UNIMPLEMENTED, s.code());
        assertEquals("service nope", s.status().message());
        TtrpcException m = assertThrows(TtrpcException.class, () -> call("Nope", ""));
        assertEquals(Code.UNIMPLEMENTED, m.code());
        assertEquals("method Nope", m.status().message());
    }

    @Test
    void deadlineEndsTheCallAndInterruptsTheHandler() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(SVC, "Block", new byte[0], CallOptions.timeout(Duration.ofSeconds(1))));
        assertEquals(Code.DEADLINE_EXCEEDED, e.code());
        assertTrue(handlerStarted.await(30, TimeUnit.SECONDS));
        assertTrue(handlerInterrupted.await(30, TimeUnit.SECONDS), "server enforces timeout_nano");
        assertEquals("ok", new String(call("Echo", "ok"), UTF_8), "connection still usable");
    }

    @Test
    void expiredTimeoutFailsWithoutSending() {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(SVC, "Echo", new byte[0], CallOptions.timeout(Duration.ZERO)));
        assertEquals(Code.DEADLINE_EXCEEDED, e.code());
    }

    @Test
    void oversizedResponseBecomesResourceExhausted() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class, () -> call("Huge", ""));
        assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
        assertEquals("still", new String(call("Echo", "still"), UTF_8));
    }

    @Test
    void oversizedRequestIsRefusedLocally() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(SVC, "Echo", new byte[FrameHeader.MAX_DATA_LENGTH], CallOptions.DEFAULT));
        assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
        assertEquals("fine", new String(call("Echo", "fine"), UTF_8));
    }

    @Test
    void manyConcurrentCalls() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 50; i++) {
            String body = "call-" + i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    assertEquals(body, new String(call("Echo", body), UTF_8));
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(101L, client.nextStreamId(), "50 odd ids used: 1..99");
    }

    /** The server takes a connection whose first id is not 1: it asks only that ids increase. */
    @Test
    void aClientStartingAtARandomIdIsServed() throws Exception {
        Pipes pipes = Pipes.open();
        server.serve(pipes.server());
        try (Client other = new Client(pipes.client(), Client.randomFirstStreamId())) {
            for (String word : List.of("one", "two")) {
                assertEquals(word, new String(other.call(SVC, "Echo", word.getBytes(UTF_8), CallOptions.DEFAULT), UTF_8));
            }
        }
    }

    @Test
    void serverGoingAwayFailsPendingCallsCleanly() throws Exception {
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                call("Block", "");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertTrue(handlerStarted.await(30, TimeUnit.SECONDS));
        server.close();
        caller.join();
        ConnectionClosedException e = assertInstanceOf(ConnectionClosedException.class, failure.get());
        assertEquals(Code.UNAVAILABLE, e.code());
        assertTrue(handlerInterrupted.await(30, TimeUnit.SECONDS));
        assertThrows(ConnectionClosedException.class, () -> call("Echo", "after"));
        assertTrue(client.isClosed());
    }
}
