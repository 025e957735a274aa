package dev.skiff.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import dev.skiff.ttrpc.codec.Envelopes;
import dev.skiff.ttrpc.codec.Request;
import dev.skiff.ttrpc.frame.Frame;
import dev.skiff.ttrpc.frame.FrameHeader;
import dev.skiff.ttrpc.frame.FrameReader;
import dev.skiff.ttrpc.frame.FrameWriter;
import dev.skiff.ttrpc.frame.MessageType;
import dev.skiff.ttrpc.frame.RequestFrame;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with containerd's own Go ttrpc, both ways, over a unix socket: a unary call, an error
 * status, metadata and a deadline; and the Go server's answer to an oversized frame. The Go side is {@code src/test/go/interop/main.go}, built here
 * with {@code go build} in GOPATH mode against Debian's packages.
 *
 * <p>Prerequisites (Debian): {@code golang-go} and {@code golang-github-containerd-ttrpc-dev}
 * (ttrpc 1.1.1, unary only: it predates streaming, so streams are not checked against Go). The
 * test is skipped, saying why, when they are missing.
 */
@Timeout(180)
class GoInteropTest {
    private static final String SVC = "skiff.interop.Echo";
    private static GoProgram program;

    @TempDir
    Path dir;

    private Process goServer;

    @BeforeAll
    static void buildGoProgram() throws Exception {
        GoProgram.go();
        GoProgram.require(GoProgram.DEBIAN_GOPATH, "github.com/containerd/ttrpc",
                "apt-get install golang-github-containerd-ttrpc-dev");
        program = GoProgram.build("interop", List.of(GoProgram.DEBIAN_GOPATH));
    }

    @AfterEach
    void stopGo() throws InterruptedException {
        GoProgram.stop(goServer);
    }

    private Path startGoServer() throws Exception {
        Path sock = dir.resolve("go.sock");
        goServer = program.startServer(sock);
        return sock;
    }

    @Test
    void javaClientCallsGoServer() throws Exception {
        Path sock = startGoServer();
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock));
        try (Client client = new Client(Transport.of(ch))) {
            StringValue echo = client.call(SVC, "Echo", StringValue.of("hi"), StringValue.parser(), CallOptions.DEFAULT);
            assertEquals("go:hi", echo.getValue());

            TtrpcException fail = org.junit.jupiter.api.Assertions.assertThrows(TtrpcException.class,
                    () -> client.call(SVC, "Fail", StringValue.of("x"), StringValue.parser(), CallOptions.DEFAULT));
            assertEquals(Code.NOT_FOUND, fail.code());
            assertEquals("no such thing: x", fail.status().message());

            StringValue md = client.call(SVC, "Metadata", StringValue.getDefaultInstance(), StringValue.parser(),
                    CallOptions.DEFAULT.withMetadata(Metadata.of("X-Trace", "a", "b")));
            assertEquals("a,b", md.getValue());

            // The Go handler answers INVALID_ARGUMENT when timeout_nano is missing, else waits for its context.
            TtrpcException late = org.junit.jupiter.api.Assertions.assertThrows(TtrpcException.class,
                    () -> client.call(SVC, "Sleep", StringValue.getDefaultInstance(), StringValue.parser(),
                            CallOptions.timeout(Duration.ofMillis(300))));
            assertEquals(Code.DEADLINE_EXCEEDED, late.code(), late.toString());

            TtrpcException unknown = org.junit.jupiter.api.Assertions.assertThrows(TtrpcException.class,
                    () -> client.call(SVC, "Nope", new byte[0], CallOptions.DEFAULT));
            assertEquals(Code.UNIMPLEMENTED, unknown.code());

            assertEquals("go:again", client.call(SVC, "Echo", StringValue.of("again"), StringValue.parser(),
                    CallOptions.DEFAULT).getValue());
        }
    }

    @Test
    void goClientCallsJavaServer() throws Exception {
        CountDownLatch sleepInterrupted = new CountDownLatch(1);
        ServiceRegistry registry = new ServiceRegistry()
                .unary(SVC, "Echo", StringValue.parser(), (call, req) -> StringValue.of("java:" + req.getValue()))
                .unary(SVC, "Fail", StringValue.parser(), (call, req) -> {
                    throw new TtrpcException(Code.NOT_FOUND, "no such thing: " + req.getValue());
                })
                .unary(SVC, "Metadata", StringValue.parser(),
                        (call, req) -> StringValue.of(String.join(",", call.metadata().get("x-trace"))))
                .unary(SVC, "Sleep", (call, req) -> {
                    if (call.deadline().isEmpty()) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "expected a deadline");
                    }
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        sleepInterrupted.countDown();
                        throw e;
                    }
                    return new byte[0];
                });
        Path sock = dir.resolve("java.sock");
        try (Server server = new Server(registry);
                ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(sock));
            server.start(listener);
            assertEquals(List.of("echo ok", "error ok", "metadata ok", "deadline ok", "after-deadline ok"),
                    program.runClient(sock));
            assertTrue(sleepInterrupted.await(30, TimeUnit.SECONDS), "Java server enforced timeout_nano");
        }
    }

    @Test
    void goServerRejectsOversizedFrameLikeUs() throws Exception {
        Path sock = startGoServer();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            Transport t = Transport.of(ch);
            int big = FrameHeader.MAX_DATA_LENGTH + 1;
            byte[] header = new byte[FrameHeader.SIZE];
            new FrameHeader(big, 1, MessageType.REQUEST.code(), 0).encode(header);
            t.out().write(header);
            byte[] chunk = new byte[64 * 1024];
            for (int left = big; left > 0; left -= chunk.length) {
                t.out().write(chunk, 0, Math.min(chunk.length, left));
            }
            new FrameWriter(t.out()).write(new RequestFrame(3, 0, Envelopes.encode(new Request(SVC, "Echo",
                    StringValue.of("x").toByteArray(), 0, List.of()))));
            FrameReader in = new FrameReader(t.in());
            Frame first = in.read();
            assertEquals(1, first.streamId());
            Status st = Status.fromProto(Envelopes.decodeResponse(first.payload()).status());
            assertEquals(Code.RESOURCE_EXHAUSTED, st.code(), st.toString());
            Frame second = in.read();
            assertEquals(3, second.streamId());
            assertEquals("go:x", StringValue.parseFrom(Envelopes.decodeResponse(second.payload()).payload()).getValue());
        }
    }
}
