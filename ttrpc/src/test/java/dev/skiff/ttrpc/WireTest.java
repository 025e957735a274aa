package dev.skiff.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.skiff.ttrpc.codec.Envelopes;
import dev.skiff.ttrpc.codec.KeyValue;
import dev.skiff.ttrpc.codec.Request;
import dev.skiff.ttrpc.codec.Response;
import dev.skiff.ttrpc.frame.DataFrame;
import dev.skiff.ttrpc.frame.Flags;
import dev.skiff.ttrpc.frame.Frame;
import dev.skiff.ttrpc.frame.FrameHeader;
import dev.skiff.ttrpc.frame.FrameReader;
import dev.skiff.ttrpc.frame.FrameWriter;
import dev.skiff.ttrpc.frame.RequestFrame;
import dev.skiff.ttrpc.frame.ResponseFrame;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each side against raw frames: what goes on the wire, and how malformed peers are answered. */
@Timeout(60)
class WireTest {
    private final Pipes pipes = Pipes.open();
    /** Not the common pool: it may have a single worker on a small machine. */
    private final ExecutorService async = Executors.newVirtualThreadPerTaskExecutor();
    private Server server;
    private Client client;

    @AfterEach
    void tearDown() throws IOException {
        async.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        pipes.client().close();
        pipes.server().close();
    }

    private static byte[] request(String method, byte[] payload) {
        return Envelopes.encode(new Request("svc", method, payload, 0, List.of()));
    }

    private static Status status(Frame f) throws IOException {
        return Status.fromProto(Envelopes.decodeResponse(assertInstanceOf(ResponseFrame.class, f).payload()).status());
    }

    /** A Java server, and a raw reader/writer standing in for the client. */
    private FrameReader rawClient() {
        server = new Server(new ServiceRegistry().unary("svc", "Echo", (call, req) -> req));
        server.serve(pipes.server());
        return new FrameReader(pipes.client().in());
    }

    @Test
    void serverRejectsEvenAndReusedStreamIds() throws Exception {
        FrameReader in = rawClient();
        FrameWriter out = new FrameWriter(pipes.client().out());
        out.write(new RequestFrame(2, 0, request("Echo", new byte[] {1})));
        Frame f = in.read();
        assertEquals(2, f.streamId());
        assertEquals(Status.of(Code.INVALID_ARGUMENT, "StreamID must be odd for client initiated streams"), status(f));

        out.write(new RequestFrame(5, 0, request("Echo", new byte[] {5})));
        Frame ok = in.read();
        assertEquals(5, ok.streamId());
        assertEquals(Status.OK, status(ok));
        assertEquals(5, Envelopes.decodeResponse(ok.payload()).payload()[0]);

        out.write(new RequestFrame(3, 0, request("Echo", new byte[] {3})));
        assertEquals(Status.of(Code.INVALID_ARGUMENT, "StreamID cannot be re-used and must increment"), status(in.read()));
    }

    @Test
    void serverAnswersOversizedFrameAndKeepsTheConnection() throws Exception {
        FrameReader in = rawClient();
        byte[] header = new byte[FrameHeader.SIZE];
        int big = FrameHeader.MAX_DATA_LENGTH + 10;
        new FrameHeader(big, 7, 1, 0).encode(header);
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                pipes.client().out().write(header);
                byte[] chunk = new byte[64 * 1024];
                for (int left = big; left > 0; left -= chunk.length) {
                    pipes.client().out().write(chunk, 0, Math.min(chunk.length, left));
                }
                new FrameWriter(pipes.client().out()).write(new RequestFrame(9, 0, request("Echo", new byte[] {9})));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, async);
        Frame f = in.read();
        assertEquals(7, f.streamId());
        assertEquals(Code.RESOURCE_EXHAUSTED, status(f).code());
        Frame next = in.read();
        assertEquals(9, next.streamId());
        assertEquals(Status.OK, status(next));
        sent.get(30, TimeUnit.SECONDS);
    }

    @Test
    void serverAnswersGarbageRequestsAndInactiveStreams() throws Exception {
        FrameReader in = rawClient();
        FrameWriter out = new FrameWriter(pipes.client().out());
        out.write(new RequestFrame(1, 0, new byte[] {(byte) 0xff, 1, 2}));
        Status bad = status(in.read());
        assertEquals(Code.INVALID_ARGUMENT, bad.code());
        out.write(new DataFrame(3, 0, new byte[] {1}));
        assertEquals(Status.of(Code.INVALID_ARGUMENT, "StreamID is no longer active"), status(in.read()));
        out.write(new ResponseFrame(5, 0, new byte[0])); // ignored, as containerd does
        out.write(new RequestFrame(7, 0, request("Echo", new byte[] {7})));
        Frame ok = in.read();
        assertEquals(7, ok.streamId());
    }

    /** A Java client, and a raw reader/writer standing in for the server. */
    private FrameReader rawServer() {
        client = new Client(pipes.client());
        return new FrameReader(pipes.server().in());
    }

    @Test
    void clientStreamIdsAreOddAndIncreasingAndCarryTimeoutAndMetadata() throws Exception {
        FrameReader in = rawServer();
        FrameWriter out = new FrameWriter(pipes.server().out());
        CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> call("a",
                CallOptions.timeout(Duration.ofMinutes(5)).withMetadata(Metadata.of("K", "v"))), async);
        Frame r1 = in.read();
        assertEquals(1, r1.streamId());
        assertEquals(0, r1.flags(), "unary requests carry no flags");
        Request req = Envelopes.decodeRequest(r1.payload());
        assertEquals("a", req.method());
        assertEquals(List.of(new KeyValue("k", "v")), req.metadata());
        long timeout = req.timeoutNano();
        assertEquals(true, timeout > 0 && timeout <= Duration.ofMinutes(5).toNanos(), "timeout_nano " + timeout);

        CompletableFuture<byte[]> second = CompletableFuture.supplyAsync(() -> call("b", CallOptions.DEFAULT), async);
        Frame r2 = in.read();
        assertEquals(3, r2.streamId());
        assertEquals(0, Envelopes.decodeRequest(r2.payload()).timeoutNano());

        // Answer out of order; each caller gets its own response.
        out.write(new ResponseFrame(3, 0, Envelopes.encode(new Response(null, new byte[] {3}))));
        out.write(new ResponseFrame(1, 0, Envelopes.encode(new Response(Status.OK.toProto(), new byte[] {1}))));
        assertEquals(3, second.get(30, TimeUnit.SECONDS)[0]);
        assertEquals(1, first.get(30, TimeUnit.SECONDS)[0]);
    }

    /**
     * A client taking over a byte stream from an earlier one (a restarted daemon on the agent's port)
     * starts its ids elsewhere, and a reply written for the earlier client that lands on it names an
     * id it never gave: dropped, and its own call gets its own reply.
     */
    @Test
    void aClientStartedHigherCarriesOnFromThereAndDropsAStaleReply() throws Exception {
        client = new Client(pipes.client(), 1001);
        FrameReader in = new FrameReader(pipes.server().in());
        FrameWriter out = new FrameWriter(pipes.server().out());
        CompletableFuture<byte[]> call = CompletableFuture.supplyAsync(() -> call("a", CallOptions.DEFAULT), async);
        assertEquals(1001, in.read().streamId());
        out.write(new ResponseFrame(1, 0, Envelopes.encode(new Response(null, new byte[] {'x'})))); // the earlier client's
        out.write(new ResponseFrame(1001, 0, Envelopes.encode(new Response(null, new byte[] {'a'}))));
        assertEquals('a', call.get(30, TimeUnit.SECONDS)[0]);
        CompletableFuture<byte[]> next = CompletableFuture.supplyAsync(() -> call("b", CallOptions.DEFAULT), async);
        assertEquals(1003, in.read().streamId());
        out.write(new ResponseFrame(1003, 0, Envelopes.encode(new Response(null, new byte[] {'b'}))));
        assertEquals('b', next.get(30, TimeUnit.SECONDS)[0]);
    }

    @Test
    void aRandomFirstStreamIdIsOddAndLeavesMostIdsToUse() {
        for (int i = 0; i < 10_000; i++) {
            long id = Client.randomFirstStreamId();
            assertEquals(1, id % 2, "odd: " + id);
            assertEquals(true, id >= 1 && id < Client.RANDOM_FIRST_LIMIT, "in range: " + id);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Client(pipes.client(), 2));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Client(pipes.client(), 0x1_0000_0001L));
    }

    @Test
    void clientFlagsForStreams() throws Exception {
        FrameReader in = rawServer();
        ClientStream cs = client.newStream("svc", "C", StreamDesc.CLIENT_STREAMING, new byte[0], CallOptions.DEFAULT);
        assertEquals(Flags.REMOTE_OPEN, in.read().flags());
        cs.send(new byte[] {1});
        Frame d = in.read();
        assertInstanceOf(DataFrame.class, d);
        assertEquals(0, d.flags());
        cs.closeSend();
        assertEquals(Flags.REMOTE_CLOSED | Flags.NO_DATA, in.read().flags());
        client.newStream("svc", "S", StreamDesc.SERVER_STREAMING, new byte[] {1}, CallOptions.DEFAULT);
        Frame s = in.read();
        assertEquals(Flags.REMOTE_CLOSED, s.flags());
        assertEquals(3, s.streamId());
    }

    @Test
    void clientDeadlineWhenTheServerNeverAnswers() throws Exception {
        FrameReader in = rawServer();
        TtrpcException e = org.junit.jupiter.api.Assertions.assertThrows(TtrpcException.class,
                () -> client.call("svc", "Silent", new byte[0], CallOptions.timeout(Duration.ofMillis(100))));
        assertEquals(Code.DEADLINE_EXCEEDED, e.code());
        assertInstanceOf(RequestFrame.class, in.read());
    }

    @Test
    void clientFailsOnlyTheStreamOfAnOversizedResponse() throws Exception {
        FrameReader in = rawServer();
        CompletableFuture<TtrpcException> failed = CompletableFuture.supplyAsync(() -> {
            try {
                client.call("svc", "Big", new byte[0], CallOptions.DEFAULT);
                return null;
            } catch (TtrpcException e) {
                return e;
            }
        }, async);
        assertEquals(1, in.read().streamId());
        byte[] header = new byte[FrameHeader.SIZE];
        int big = FrameHeader.MAX_DATA_LENGTH + 1;
        new FrameHeader(big, 1, 2, 0).encode(header);
        pipes.server().out().write(header);
        byte[] chunk = new byte[64 * 1024];
        for (int left = big; left > 0; left -= chunk.length) {
            pipes.server().out().write(chunk, 0, Math.min(chunk.length, left));
        }
        assertEquals(Code.RESOURCE_EXHAUSTED, failed.get(30, TimeUnit.SECONDS).code());

        CompletableFuture<byte[]> next = CompletableFuture.supplyAsync(() -> call("again", CallOptions.DEFAULT), async);
        Frame r = in.read();
        assertEquals(3, r.streamId());
        new FrameWriter(pipes.server().out()).write(new ResponseFrame(3, 0,
                Envelopes.encode(new Response(null, new byte[] {42}))));
        assertEquals(42, next.get(30, TimeUnit.SECONDS)[0]);
    }

    private byte[] call(String method, CallOptions options) {
        try {
            return client.call("svc", method, new byte[0], options);
        } catch (TtrpcException e) {
            throw new RuntimeException(e);
        }
    }
}
