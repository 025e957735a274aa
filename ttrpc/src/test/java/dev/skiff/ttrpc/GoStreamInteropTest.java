package dev.skiff.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming interop with containerd's Go ttrpc, both ways: server streaming, client streaming,
 * bidirectional, and an error status after data. The Go side is {@code src/test/go/stream}.
 *
 * <p>Prerequisites: Debian's {@code golang-go}, {@code golang-google-protobuf-dev},
 * {@code golang-google-grpc-dev}, and the sources of containerd/ttrpc v1.2.4 (streaming; the last
 * v1.2 release that needs nothing beyond Debian bookworm's Go packages) in a GOPATH named by the
 * environment variable {@value #GOPATH_ENV}, i.e. {@code $SKIFF_TTRPC_GOPATH/src/github.com/containerd/ttrpc}.
 * Debian bookworm only packages ttrpc 1.1.1, which predates streaming. Skipped, saying why, when
 * any of this is missing.
 */
@Timeout(180)
class GoStreamInteropTest {
    static final String GOPATH_ENV = "SKIFF_TTRPC_GOPATH";
    private static final String SVC = "skiff.interop.Streams";
    private static GoProgram program;

    @TempDir
    Path dir;

    private Process goServer;

    @BeforeAll
    static void buildGoProgram() throws Exception {
        GoProgram.go();
        String env = System.getenv(GOPATH_ENV);
        org.junit.jupiter.api.Assertions.assertTrue(env != null && !env.isEmpty(),
                "set " + GOPATH_ENV + " to a GOPATH holding github.com/containerd/ttrpc v1.2.4 "
                        + "(Debian ships only 1.1.1, without streaming)");
        Path gopath = Path.of(env);
        GoProgram.require(gopath, "github.com/containerd/ttrpc", "check " + GOPATH_ENV);
        GoProgram.require(GoProgram.DEBIAN_GOPATH, "google.golang.org/protobuf",
                "apt-get install golang-google-protobuf-dev");
        program = GoProgram.build("stream", List.of(gopath, GoProgram.DEBIAN_GOPATH));
    }

    @AfterEach
    void stopGo() throws InterruptedException {
        GoProgram.stop(goServer);
    }

    private static byte[] str(String s) {
        return StringValue.of(s).toByteArray();
    }

    private static String value(byte[] b) throws InvalidProtocolBufferException {
        return StringValue.parseFrom(b).getValue();
    }

    private static List<String> drain(ClientStream st) throws Exception {
        List<String> out = new ArrayList<>();
        for (Optional<byte[]> m = st.recv(); m.isPresent(); m = st.recv()) {
            out.add(value(m.get()));
        }
        return out;
    }

    @Test
    void javaClientStreamsWithGoServer() throws Exception {
        Path sock = dir.resolve("go.sock");
        goServer = program.startServer(sock);
        try (Client client = new Client(Transport.of(SocketChannel.open(UnixDomainSocketAddress.of(sock))))) {
            ClientStream count = client.newStream(SVC, "Count", StreamDesc.SERVER_STREAMING, str("3"), CallOptions.DEFAULT);
            assertEquals(List.of("#1", "#2", "#3"), drain(count));

            ClientStream concat = client.newStream(SVC, "Concat", StreamDesc.CLIENT_STREAMING, new byte[0], CallOptions.DEFAULT);
            for (String s : List.of("a", "b", "", "c")) {
                concat.send(str(s));
            }
            concat.closeSend();
            assertEquals("abc", value(concat.recv().orElseThrow()));

            ClientStream upper = client.newStream(SVC, "Upper", StreamDesc.BIDI_STREAMING, new byte[0], CallOptions.DEFAULT);
            upper.send(str("x"));
            assertEquals("X", value(upper.recv().orElseThrow()));
            upper.send(str("yz"));
            assertEquals("YZ", value(upper.recv().orElseThrow()));
            upper.closeSend();
            assertEquals(Optional.empty(), upper.recv());

            ClientStream fail = client.newStream(SVC, "Fail", StreamDesc.SERVER_STREAMING, str("x"), CallOptions.DEFAULT);
            assertEquals("partial", value(fail.recv().orElseThrow()));
            TtrpcException e = assertThrows(TtrpcException.class, fail::recv);
            assertEquals(Code.ABORTED, e.code());
            assertEquals("gave up", e.status().message());
        }
    }

    @Test
    void goClientStreamsWithJavaServer() throws Exception {
        ServiceRegistry registry = new ServiceRegistry()
                .stream(SVC, "Count", StreamDesc.SERVER_STREAMING, (call, stream) -> {
                    int n = Integer.parseInt(value(stream.recv().orElseThrow()));
                    for (int i = 1; i <= n; i++) {
                        stream.send(str("#" + i));
                    }
                    return null;
                })
                .stream(SVC, "Concat", StreamDesc.CLIENT_STREAMING, (call, stream) -> {
                    StringBuilder sb = new StringBuilder();
                    for (Optional<byte[]> m = stream.recv(); m.isPresent(); m = stream.recv()) {
                        sb.append(value(m.get()));
                    }
                    return str(sb.toString());
                })
                .stream(SVC, "Upper", StreamDesc.BIDI_STREAMING, (call, stream) -> {
                    for (Optional<byte[]> m = stream.recv(); m.isPresent(); m = stream.recv()) {
                        stream.send(str(value(m.get()).toUpperCase(Locale.ROOT)));
                    }
                    return null;
                })
                .stream(SVC, "Fail", StreamDesc.SERVER_STREAMING, (call, stream) -> {
                    stream.recv();
                    stream.send(str("partial"));
                    throw new TtrpcException(Code.ABORTED, "gave up");
                });
        Path sock = dir.resolve("java.sock");
        try (Server server = new Server(registry);
                ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(sock));
            server.start(listener);
            List<String> lines = program.runClient(sock);
            assertEquals(List.of("server-streaming ok", "client-streaming ok", "bidi-streaming ok", "stream-error ok"), lines);
        }
    }
}
