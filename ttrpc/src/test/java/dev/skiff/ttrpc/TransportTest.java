package dev.skiff.ttrpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The same client and server over the kinds of byte channel a {@link Transport} wraps. */
@Timeout(60)
class TransportTest {
    private static final ServiceRegistry ECHO = new ServiceRegistry()
            .unary("svc", "Echo", (call, req) -> req)
            .stream("svc", "Twice", StreamDesc.SERVER_STREAMING, (call, stream) -> {
                byte[] m = stream.recv().orElseThrow();
                stream.send(m);
                stream.send(m);
                return null;
            });

    private static void exercise(Client client) throws Exception {
        assertEquals("ping", new String(client.call("svc", "Echo", "ping".getBytes(UTF_8),
                CallOptions.timeout(Duration.ofSeconds(30))), UTF_8));
        ClientStream st = client.newStream("svc", "Twice", StreamDesc.SERVER_STREAMING, new byte[] {7}, CallOptions.DEFAULT);
        assertEquals(7, st.recv().orElseThrow()[0]);
        assertEquals(7, st.recv().orElseThrow()[0]);
        assertEquals(true, st.recv().isEmpty());
    }

    @Test
    void unixDomainSocketChannels(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("t.sock");
        try (Server server = new Server(ECHO);
                ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(sock));
            server.start(listener);
            try (Client client = new Client(Transport.of(SocketChannel.open(UnixDomainSocketAddress.of(sock))))) {
                exercise(client);
            }
        }
    }

    @Test
    void socketInputAndOutputStreams() throws Exception {
        try (Server server = new Server(ECHO);
                ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    Socket s = listener.accept();
                    server.serve(Transport.of(s.getInputStream(), s.getOutputStream()));
                } catch (java.io.IOException e) {
                    // listener closed by the test
                }
            });
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
            try (Client client = new Client(Transport.of(s.getInputStream(), s.getOutputStream()))) {
                exercise(client);
            }
        }
    }
}
