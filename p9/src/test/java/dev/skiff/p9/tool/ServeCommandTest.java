package dev.skiff.p9.tool;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.client.RlerrorException;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code skiff 9p serve}: stdin/stdout in a child JVM (as the benchmark runs it), --listen, options. */
class ServeCommandTest {
    @TempDir Path tmp;

    @Test
    void servesStdinStdoutInAChildProcess() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        Files.writeString(export.resolve("hello"), "world");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ServeCommand.class.getName(), export.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (P9Client c = new P9Client(p.getInputStream(), p.getOutputStream(), p::destroy)) {
            assertEquals(dev.skiff.p9.server.Limits.DEFAULT_MSIZE, c.version(P9.MAX_MSIZE).msize(),
                    "a client asking 1 MiB gets the default cap");
            c.attach(0, P9.NOFID, "root", export.toString(), 0);
            c.walk(0, 1, "hello");
            c.lopen(1, P9.DOTL_RDONLY);
            assertEquals("world", new String(c.read(1, 0, 100)));
            p.getOutputStream().close();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server exits when its input ends");
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void listensOnAUnixSocketReadOnly() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        Listening server = Listening.start(tmp.resolve("p9.sock"), "--read-only", export.toString());
        try (server; P9Client c = server.connect()) {
            c.version(8192);
            c.attach(0, P9.NOFID, "root", "", 0);
            assertEquals(Errno.EROFS, assertThrows(RlerrorException.class, () -> c.mkdir(0, "d", 0755, 0)).errno());
        }
        assertFalse(server.thread.isAlive(), "the server stops when its socket is closed");
    }

    /** {@code skiff 9p serve --listen unix:SOCK ARGS} on a virtual thread; close() stops it. */
    private record Listening(ServeCommand cmd, Thread thread, Path sock) implements AutoCloseable {
        static Listening start(Path sock, String... args) throws InterruptedException {
            ServeCommand cmd = new ServeCommand();
            java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("--listen", "unix:" + sock));
            argv.addAll(java.util.List.of(args));
            Thread t = Thread.ofVirtual().start(() -> new CommandLine(cmd).execute(argv.toArray(String[]::new)));
            assertTrue(cmd.bound.await(30, TimeUnit.SECONDS), "socket bound");
            return new Listening(cmd, t, sock);
        }

        P9Client connect() throws java.io.IOException {
            return P9Client.of(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
        }

        @Override
        public void close() throws Exception {
            cmd.listener.close();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Test
    void msizeOptionSetsTheCapAndRejectsNonsense() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        try (Listening server = Listening.start(tmp.resolve("ms.sock"), "--msize", "1048576", export.toString());
                P9Client c = server.connect()) {
            assertEquals(P9.MAX_MSIZE, c.version(P9.MAX_MSIZE).msize());
            c.attach(0, P9.NOFID, "root", "", 0);
            byte[] big = new byte[P9.MAX_MSIZE - P9.IOHDRSZ];
            c.walk(0, 1);
            c.lcreate(1, "big", P9.DOTL_RDWR, 0644, 0);
            assertEquals(big.length, c.write(1, 0, big), "a whole 1 MiB frame is accepted");
        }
        java.io.StringWriter err = new java.io.StringWriter();
        int rc = new CommandLine(new ServeCommand()).setErr(new java.io.PrintWriter(err))
                .execute("--msize", "100", export.toString());
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("--msize must be between 4096 and 1048576"), err.toString());
    }

    @Test
    void mappedOptionServesTheMappedBackend() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        try (Listening server = Listening.start(tmp.resolve("m.sock"), "--mapped", export.toString());
                P9Client c = server.connect()) {
            c.version(8192);
            c.attach(0, P9.NOFID, "root", "", 0);
            c.mknod(0, "dev", 020600, 1, 3, 0);
        }
        assertTrue(Files.isRegularFile(export.resolve("dev")), "mapped: a device is a plain file");
    }

    @Test
    void badArgumentsSayWhatToDo() {
        CommandLine cl = new CommandLine(new ServeCommand());
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(2, cl.execute("--listen", "tcp:8.8.8.8:564", tmp.toString()));
        assertTrue(err.toString().contains("loopback"), err.toString());
        assertEquals(2, cl.execute("--listen", "udp:x", tmp.toString()));
        assertEquals(2, cl.execute(tmp.resolve("missing").toString()));
    }
}
