package dev.skiff.ttrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streaming calls, Java client against Java server over in-memory pipes. */
@Timeout(60)
class StreamTest {
    private static final String SVC = "skiff.test.Streams";

    private final CountDownLatch recvInterrupted = new CountDownLatch(1);
    private Server server;
    private Client client;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static String s(Optional<byte[]> m) {
        return new String(m.orElseThrow(), UTF_8);
    }

    @BeforeEach
    void setUp() {
        ServiceRegistry registry = new ServiceRegistry()
                // server streaming: "n" -> n messages, then end without a final message
                .stream(SVC, "Count", StreamDesc.SERVER_STREAMING, (call, stream) -> {
                    int n = Integer.parseInt(new String(stream.recv().orElseThrow(), UTF_8));
                    for (int i = 1; i <= n; i++) {
                        stream.send(b("#" + i));
                    }
                    return null;
                })
                // server streaming that ends with a final message
                .stream(SVC, "CountThenBye", StreamDesc.SERVER_STREAMING, (call, stream) -> {
                    stream.send(b("one"));
                    return b("bye");
                })
                // client streaming: concatenate everything the client sends
                .stream(SVC, "Concat", StreamDesc.CLIENT_STREAMING, (call, stream) -> {
                    StringBuilder sb = new StringBuilder();
                    for (Optional<byte[]> m = stream.recv(); m.isPresent(); m = stream.recv()) {
                        sb.append(new String(m.get(), UTF_8));
                    }
                    return b(sb.toString());
                })
                // bidirectional: echo each message upper-cased
                .stream(SVC, "Upper", StreamDesc.BIDI_STREAMING, (call, stream) -> {
                    for (Optional<byte[]> m = stream.recv(); m.isPresent(); m = stream.recv()) {
                        stream.send(b(new String(m.get(), UTF_8).toUpperCase(java.util.Locale.ROOT)));
                    }
                    return null;
                })
                .stream(SVC, "FailMidway", StreamDesc.SERVER_STREAMING, (call, stream) -> {
                    stream.send(b("partial"));
                    throw new TtrpcException(Code.ABORTED, "gave up");
                })
                .stream(SVC, "WaitForever", StreamDesc.BIDI_STREAMING, (call, stream) -> {
                    try {
                        stream.recv();
                    } catch (InterruptedException | TtrpcException e) {
                        // Interrupted, or saw the call end between two waits: either way, stopped.
                        recvInterrupted.countDown();
                        throw e;
                    }
                    return null;
                });
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

    private static List<String> drain(ClientStream st) throws TtrpcException {
        List<String> out = new ArrayList<>();
        for (Optional<byte[]> m = st.recv(); m.isPresent(); m = st.recv()) {
            out.add(new String(m.get(), UTF_8));
        }
        return out;
    }

    @Test
    void serverStreaming() throws Exception {
        ClientStream st = client.newStream(SVC, "Count", StreamDesc.SERVER_STREAMING, b("3"), CallOptions.DEFAULT);
        assertEquals(List.of("#1", "#2", "#3"), drain(st));
        assertEquals(Optional.empty(), st.recv(), "stays ended");
    }

    @Test
    void serverStreamingWithFinalMessage() throws Exception {
        ClientStream st = client.newStream(SVC, "CountThenBye", StreamDesc.SERVER_STREAMING, new byte[0], CallOptions.DEFAULT);
        assertEquals(List.of("one", "bye"), drain(st));
    }

    @Test
    void manyMessagesArriveInOrder() throws Exception {
        ClientStream st = client.newStream(SVC, "Count", StreamDesc.SERVER_STREAMING, b("500"), CallOptions.DEFAULT);
        List<String> got = drain(st);
        assertEquals(500, got.size());
        for (int i = 0; i < 500; i++) {
            assertEquals("#" + (i + 1), got.get(i));
        }
    }

    @Test
    void clientStreaming() throws Exception {
        ClientStream st = client.newStream(SVC, "Concat", StreamDesc.CLIENT_STREAMING, new byte[0], CallOptions.DEFAULT);
        st.send(b("a"));
        st.send(b("b"));
        st.send(new byte[0]); // an empty message is still a message
        st.send(b("c"));
        st.closeSend();
        assertEquals("abc", s(st.recv()));
        assertEquals(Optional.empty(), st.recv());
    }

    @Test
    void clientStreamingWithFirstMessageInTheRequest() throws Exception {
        ClientStream st = client.newStream(SVC, "Concat", StreamDesc.CLIENT_STREAMING, b("first,"), CallOptions.DEFAULT);
        st.send(b("second"));
        st.closeSend();
        assertEquals("first,second", s(st.recv()));
    }

    @Test
    void bidirectional() throws Exception {
        ClientStream st = client.newStream(SVC, "Upper", StreamDesc.BIDI_STREAMING, new byte[0], CallOptions.DEFAULT);
        st.send(b("x"));
        assertEquals("X", s(st.recv()));
        st.send(b("yz"));
        assertEquals("YZ", s(st.recv()));
        st.closeSend();
        assertEquals(Optional.empty(), st.recv());
    }

    @Test
    void errorAfterDataEndsTheStreamWithAStatus() throws Exception {
        ClientStream st = client.newStream(SVC, "FailMidway", StreamDesc.SERVER_STREAMING, new byte[0], CallOptions.DEFAULT);
        assertEquals("partial", s(st.recv()));
        TtrpcException e = assertThrows(TtrpcException.class, st::recv);
        assertEquals(Code.ABORTED, e.code());
        assertEquals("gave up", e.status().message());
        assertThrows(TtrpcException.class, st::recv, "the failure sticks");
    }

    @Test
    void sendingOnANonStreamingClientIsRefused() throws Exception {
        ClientStream st = client.newStream(SVC, "Count", StreamDesc.SERVER_STREAMING, b("1"), CallOptions.DEFAULT);
        assertEquals(Code.FAILED_PRECONDITION, assertThrows(TtrpcException.class, () -> st.send(b("x"))).code());
        assertEquals(List.of("#1"), drain(st));
    }

    @Test
    void streamDeadlineIsEnforcedOnBothSides() throws Exception {
        ClientStream st = client.newStream(SVC, "WaitForever", StreamDesc.BIDI_STREAMING, new byte[0],
                CallOptions.timeout(Duration.ofSeconds(1)));
        assertEquals(Code.DEADLINE_EXCEEDED, assertThrows(TtrpcException.class, st::recv).code());
        assertTrue(recvInterrupted.await(30, TimeUnit.SECONDS), "server stopped the handler at the deadline");
    }

    @Test
    void unknownStreamMethodIsUnimplemented() throws Exception {
        ClientStream st = client.newStream(SVC, "Nope", StreamDesc.BIDI_STREAMING, new byte[0], CallOptions.DEFAULT);
        assertEquals(Code.UNIMPLEMENTED, assertThrows(TtrpcException.class, st::recv).code());
    }

    @Test
    void closeWakesABlockedRecv() throws Exception {
        ClientStream st = client.newStream(SVC, "WaitForever", StreamDesc.BIDI_STREAMING, new byte[0], CallOptions.DEFAULT);
        var failure = new java.util.concurrent.CompletableFuture<TtrpcException>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                st.recv();
                failure.complete(null);
            } catch (TtrpcException e) {
                failure.complete(e);
            }
        });
        st.close();
        assertEquals(Code.CANCELLED, failure.get(30, TimeUnit.SECONDS).code());
        reader.join();
    }

    @Test
    void oneThreadSendsWhileAnotherReceives() throws Exception {
        ClientStream st = client.newStream(SVC, "Upper", StreamDesc.BIDI_STREAMING, new byte[0], CallOptions.DEFAULT);
        int n = 300;
        var sent = new java.util.concurrent.CompletableFuture<Void>();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    st.send(b("m" + i));
                }
                st.closeSend();
                sent.complete(null);
            } catch (Throwable t) {
                sent.completeExceptionally(t);
            }
        });
        List<String> got = new ArrayList<>();
        for (Optional<byte[]> m = st.recv(); m.isPresent(); m = st.recv()) {
            got.add(new String(m.get(), UTF_8));
        }
        sent.get(30, TimeUnit.SECONDS);
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals("M" + i, got.get(i));
        }
    }
}
