package dev.skiff.p9.server;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.wire.P9;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A server on a temporary export and clients connected to it over real unix-domain socket
 * pairs (a listener in the temp dir, accepted and connected), as the Linux client's trans=fd
 * socketpair would be.
 */
public final class Harness implements AutoCloseable {
    public final Path export;
    public final Server server;
    private final Path sockets;
    private final List<AutoCloseable> open = new ArrayList<>();
    private int n;

    public Harness(Path tmp, FileSystem fs, Path export, boolean readOnly, byte[] secret, Limits limits) {
        this.export = export;
        this.sockets = tmp;
        this.server = new Server(new Export(export.toString(), fs, readOnly, secret), limits);
        open.add(fs);
    }

    /** A passthrough export at tmp/export. */
    public static Harness passthrough(Path tmp) throws IOException {
        return passthrough(tmp, false, null, Limits.DEFAULT);
    }

    public static Harness passthrough(Path tmp, boolean readOnly, byte[] secret, Limits limits) throws IOException {
        Path export = Files.createDirectories(tmp.resolve("export"));
        return new Harness(tmp, new Passthrough(export), export, readOnly, secret, limits);
    }

    /** A mapped export at tmp/export. */
    public static Harness mapped(Path tmp) throws IOException {
        Path export = Files.createDirectories(tmp.resolve("export"));
        return new Harness(tmp, new dev.skiff.p9.fs.mapped.Mapped(export), export, false, null, Limits.DEFAULT);
    }

    /** A new connection, not yet versioned. */
    public P9Client connect() throws IOException {
        Path p = sockets.resolve("s" + (n++));
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            l.bind(UnixDomainSocketAddress.of(p));
            SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p));
            SocketChannel s = l.accept();
            server.start(s);
            P9Client client = P9Client.of(c);
            open.add(client);
            return client;
        } finally {
            Files.deleteIfExists(p);
        }
    }

    /** A new connection, versioned at 1 MiB, with fid {@link #ROOT} attached to the export. */
    public P9Client attach() throws IOException {
        P9Client c = connect();
        c.version(P9.MAX_MSIZE);
        c.attach(ROOT, P9.NOFID, "root", "", 0);
        return c;
    }

    public static final int ROOT = 0;

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }
}
