package dev.skiff.virtiofs.host;

import dev.skiff.p9.fs.replay.Echoes;
import dev.skiff.p9.fs.replay.ReplayTarget.Expectation;
import dev.skiff.virtiofs.host.HostMessage.*;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process that serves a daemon's virtio-fs back-ends, so that they outlive the daemon: QEMU
 * 7.2's vhost-user-fs device cannot take a new back-end, so a back-end that died with a daemon
 * would take its container's mount with it. The daemon talks to it over a control socket
 * ({@link HostMessage}s): it serves and releases shares, asks a share's echo journal and awaits
 * its replays, all of which {@link InProcessBackends} does here; a daemon started again connects
 * and {@link Adopt}s the shares its predecessor made. A share ends when its daemon releases it or
 * when QEMU closes its socket (the VM went). The host exits once it has served no share and had no
 * daemon connected for its idle time.
 */
public final class ShareHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs.host");
    /** More daemons than this connected at once is a fault (one daemon, and a restarted one, connect). */
    static final int MAX_CONNECTIONS = 16;
    /** How long to wait after a failed accept (as Go's net/http does) before accepting again. */
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

    private record Key(String vm, String tag) {}

    private final Path control;
    private final ServerSocketChannel listener;
    private final InProcessBackends backends = new InProcessBackends();
    private final Map<Key, InProcessBackends.Served> shares = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Object idleLock = new Object();
    private long busySince = System.nanoTime();
    private volatile boolean closed;

    private ShareHost(Path control, ServerSocketChannel listener) {
        this.control = control;
        this.listener = listener;
    }

    /** Where the host on {@code control} writes its process id. */
    public static Path pidFile(Path control) {
        return control.resolveSibling(control.getFileName() + ".pid");
    }

    /** Loads every class of the host's code now, so that a rebuild of its jars under it is harmless; returns how many. */
    public static int preloadClasses() {
        return ClassPreload.load(List.of(ShareHost.class, dev.skiff.vhost.BackendSession.class,
                dev.skiff.p9.fs.passthrough.Passthrough.class, dev.skiff.sys.Fds.class));
    }

    /** Listens on {@code control} (a stale socket file there is replaced), readable by this user alone. */
    public static ShareHost listen(Path control) throws IOException {
        Files.createDirectories(control.toAbsolutePath().getParent());
        Files.deleteIfExists(control);
        ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            l.bind(UnixDomainSocketAddress.of(control));
            Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return new ShareHost(control, l);
    }

    /**
     * Serves control connections until {@link #close}, or until no share has been served and no
     * daemon connected for {@code idle}; then ends every share.
     */
    public void serve(Duration idle) throws IOException {
        Thread watcher = Thread.ofVirtual().name("share-host-idle").start(() -> closeWhenIdle(idle));
        try {
            while (!closed) {
                SocketChannel c;
                try {
                    c = listener.accept();
                } catch (ClosedChannelException e) {
                    break;
                } catch (IOException e) {
                    // out of descriptors, say: the shares being served must not end for it
                    LOG.log(System.Logger.Level.WARNING, "control socket accept failed: " + e.getMessage()
                            + "; retrying in " + ACCEPT_BACKOFF.toMillis() + " ms");
                    try {
                        Thread.sleep(ACCEPT_BACKOFF);
                    } catch (InterruptedException ie) {
                        break;
                    }
                    continue;
                }
                if (connections.incrementAndGet() > MAX_CONNECTIONS) {
                    connections.decrementAndGet();
                    refuse(c);
                    continue;
                }
                busy();
                Thread.ofVirtual().name("share-host-conn").start(() -> connection(c));
            }
        } finally {
            watcher.interrupt();
            close();
        }
    }

    private void refuse(SocketChannel c) {
        try (c) {
            HostCodec.write(Channels.newOutputStream(c), new Failed("the share host has " + MAX_CONNECTIONS
                    + " connections already; is another daemon using run folder " + control.getParent() + "?"));
        } catch (IOException ignored) {
            // the refused peer went first
        }
    }

    /** Marks the host in use: the idle clock starts again from the moment it is next unused. */
    private void busy() {
        synchronized (idleLock) {
            busySince = System.nanoTime();
        }
    }

    private void closeWhenIdle(Duration idle) {
        try {
            while (!closed) {
                Thread.sleep(Math.min(1000, Math.max(50, idle.toMillis() / 4))); // a coarse clock is enough to exit by
                boolean unused = shares.isEmpty() && connections.get() == 0;
                synchronized (idleLock) {
                    if (!unused) {
                        busySince = System.nanoTime();
                    } else if (System.nanoTime() - busySince >= idle.toNanos()) {
                        LOG.log(System.Logger.Level.INFO, "no share and no daemon for " + idle.toSeconds() + " s: exiting");
                        close();
                    }
                }
            }
        } catch (InterruptedException e) {
            // serve() ended
        }
    }

    private void connection(SocketChannel c) {
        Map<Long, Expectation> open = new HashMap<>();
        try (c) {
            InputStream in = Channels.newInputStream(c);
            OutputStream out = Channels.newOutputStream(c);
            HostMessage m;
            while ((m = HostCodec.read(in)) != null) {
                Reply reply = m instanceof Request r ? handle(r, open) : new Failed("not a request: " + m);
                HostCodec.write(out, reply);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.WARNING, "control connection dropped: " + e.getMessage());
            }
        } finally {
            open.values().forEach(Expectation::close); // what a gone daemon awaited is not awaited any more
            connections.decrementAndGet();
            busy();
        }
    }

    /** One request; failures are replies, never a dropped connection. */
    Reply handle(Request r, Map<Long, Expectation> open) {
        try {
            return switch (r) {
                case Serve s -> serve(s);
                case Adopt a -> {
                    InProcessBackends.Served s = shares.get(new Key(a.vm(), a.tag()));
                    yield s == null ? new Failed("virtio-fs share " + a.tag() + " of VM " + a.vm() + " is not served any "
                            + "more (its VM or its device went); restart the container")
                            : new Shares(List.of(info(s)));
                }
                case Release x -> {
                    InProcessBackends.Served s = shares.remove(new Key(x.vm(), x.tag()));
                    if (s != null) {
                        s.close();
                        LOG.log(System.Logger.Level.INFO, x.vm() + ": released " + x.tag());
                    }
                    yield new Done();
                }
                case Expect e -> {
                    InProcessBackends.Served s = share(e.vm(), e.tag());
                    Expectation x = s.expect(e.changes());
                    long id = ids.incrementAndGet();
                    open.put(id, x);
                    List<Integer> skipped = new ArrayList<>();
                    for (int i = 0; i < e.changes().size(); i++) {
                        if (x.skipped().contains(e.changes().get(i))) {
                            skipped.add(i);
                        }
                    }
                    yield new Expecting(id, skipped);
                }
                case EndReplay e -> {
                    Expectation x = open.remove(e.id());
                    if (x != null) {
                        x.close();
                    }
                    yield new Done();
                }
                case Echo e -> {
                    InProcessBackends.Served s = shares.get(new Key(e.vm(), e.tag()));
                    if (s == null) {
                        yield new Answer(false);
                    }
                    Echoes echoes = s.echoes();
                    yield new Answer(switch (e.kind()) {
                        case ADDED_NAME -> echoes.addedName(e.dev(), e.ino(), e.name());
                        case REMOVED_NAME -> echoes.removedName(e.dev(), e.ino(), e.name());
                        case CHANGED_FILE -> echoes.changedFile(e.dev(), e.ino());
                    });
                }
                case ListShares l -> new Shares(shares.values().stream().map(ShareHost::info).toList());
            };
        } catch (IOException | RuntimeException e) {
            return new Failed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Reply serve(Serve s) throws IOException {
        Key key = new Key(s.vm(), s.tag());
        if (!absolute(s.socket()) || !absolute(s.dir())) {
            return new Failed("socket and folder must be absolute paths: " + s.socket() + ", " + s.dir());
        }
        InProcessBackends.Served old = shares.remove(key);
        if (old != null) {
            old.close(); // a VM of the same name booted again: the earlier device is gone with its VM
        }
        InProcessBackends.Served served = backends.serve(new VirtioFsBackends.ShareSpec(s.vm(), s.tag(), Path.of(s.socket()),
                Path.of(s.dir()), s.readOnly(), s.replayUid(), Duration.ofMillis(s.echoWindowMillis())));
        shares.put(key, served);
        served.whenEnded().thenRun(() -> {
            if (shares.remove(key, served)) {
                LOG.log(System.Logger.Level.INFO, s.vm() + ": " + s.tag() + " ended with its session");
            }
        });
        LOG.log(System.Logger.Level.INFO, s.vm() + ": " + s.tag() + " serves " + s.dir() + (s.readOnly() ? " (read-only)" : ""));
        return new Done();
    }

    private InProcessBackends.Served share(String vm, String tag) throws IOException {
        InProcessBackends.Served s = shares.get(new Key(vm, tag));
        if (s == null) {
            throw new IOException("virtio-fs share " + tag + " of VM " + vm + " is not served");
        }
        return s;
    }

    private static ShareInfo info(InProcessBackends.Served s) {
        return new ShareInfo(s.spec().vm(), s.spec().tag(), s.dir().toString(), s.readOnly());
    }

    /** How many shares are served (for tests). */
    int shareCount() {
        return shares.size();
    }

    /** Stops listening and ends every share. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // the name first: a daemon that finds no socket starts a new host, whose socket this must not remove
            Files.deleteIfExists(control);
        } catch (IOException ignored) {
            // a stale socket file is replaced by the next host
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing a listener cannot lose anything
        }
        for (Key k : List.copyOf(shares.keySet())) {
            InProcessBackends.Served s = shares.remove(k);
            if (s != null) {
                s.close();
            }
        }
    }

    private static boolean absolute(String path) {
        return path.startsWith("/") && path.indexOf('\0') < 0;
    }
}
