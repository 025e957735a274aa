package dev.skiff.virtiofs.host;

import dev.skiff.p9.fs.replay.Echoes;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.virtiofs.host.HostMessage.*;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A daemon's side of the {@link ShareHost}: its virtio-fs back-ends, served there. The host is
 * started on first use (the {@code command} given, in a session of its own, its output appended
 * to {@code log}) unless one already listens on the control socket, as one an earlier daemon
 * started does. Calls are one at a time on one connection; a broken connection is made again
 * (starting a host again if the old one died) on the next call.
 */
public final class ShareHostClient implements VirtioFsBackends, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs.host");
    /** A host's JVM starts in well under a second; a loaded machine may take a few. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path control;
    private final List<String> command;
    private final Path log;
    private SocketChannel channel;
    private InputStream in;
    private OutputStream out;

    /**
     * @param control the host's control socket
     * @param command the host's command line, started when no host answers (empty: never start one)
     * @param log     where a started host's output goes
     */
    public ShareHostClient(Path control, List<String> command, Path log) {
        this.control = control;
        this.command = List.copyOf(command);
        this.log = log;
    }

    @Override
    public ServedShare serve(ShareSpec spec) throws IOException {
        as(call(new Serve(spec.vm(), spec.tag(), spec.socket().toAbsolutePath().toString(),
                spec.dir().toAbsolutePath().toString(), spec.readOnly(), spec.replayUid(), spec.echoWindow().toMillis())),
                Done.class);
        return new Remote(spec.vm(), spec.tag(), spec.dir(), spec.readOnly());
    }

    @Override
    public ServedShare adopt(String vm, String tag) throws IOException {
        Shares s = as(call(new Adopt(vm, tag)), Shares.class);
        if (s.shares().size() != 1) {
            throw new IOException("the share host answered " + s.shares().size() + " shares for " + vm + "/" + tag);
        }
        ShareInfo i = s.shares().getFirst();
        return new Remote(vm, tag, Path.of(i.dir()), i.readOnly());
    }

    @Override
    public void releaseEarlier(String vm, String tag) throws IOException {
        synchronized (this) {
            if (channel == null && !tryConnect()) {
                return; // no share host runs, so none serves the share: nothing to start one for
            }
        }
        as(call(new Release(vm, tag)), Done.class);
    }

    /** Every share the host serves (for tests and diagnostics). */
    public List<ShareInfo> list() throws IOException {
        return as(call(new ListShares()), Shares.class).shares();
    }

    /** The host's process id, from the pid file it writes beside its socket; -1 if none. */
    public long hostPid() {
        try {
            return Long.parseLong(Files.readString(ShareHost.pidFile(control)).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static <T extends Reply> T as(Reply r, Class<T> type) throws IOException {
        if (r instanceof Failed f) {
            throw new IOException(f.message());
        }
        if (!type.isInstance(r)) {
            throw new IOException("the share host answered " + r + " where " + type.getSimpleName() + " was due");
        }
        return type.cast(r);
    }

    /** One request and its reply; an I/O failure drops the connection, to be made again next time. */
    synchronized Reply call(Request r) throws IOException {
        if (channel == null) {
            connectOrStart();
        }
        try {
            HostCodec.write(out, r);
            HostMessage m = HostCodec.read(in);
            if (m == null) {
                throw new IOException("the share host closed the connection");
            }
            if (!(m instanceof Reply reply)) {
                throw new IOException("the share host sent a request: " + m);
            }
            return reply;
        } catch (IOException e) {
            disconnect();
            throw new IOException("virtio-fs share host on " + control + ": " + e.getMessage()
                    + " (its log: " + log + ")", e);
        }
    }

    private void connectOrStart() throws IOException {
        if (tryConnect()) {
            return;
        }
        if (command.isEmpty()) {
            throw new IOException("no virtio-fs share host listens on " + control);
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        LOG.log(System.Logger.Level.INFO, "starting the virtio-fs share host (log: " + log + ")");
        // No pipes: its output is a file, so nothing breaks when this process dies.
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!tryConnect()) {
            if (!p.isAlive() && !tryConnect()) {
                throw new IOException("the virtio-fs share host exited with " + p.exitValue() + " before it listened; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the virtio-fs share host did not listen on " + control + " within "
                        + START_TIMEOUT.toSeconds() + " s; see " + log);
            }
            try {
                Thread.sleep(20); // the socket appearing is the only sign the host is up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the virtio-fs share host started");
            }
        }
    }

    private boolean tryConnect() {
        if (!Files.exists(control)) {
            return false;
        }
        try {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                c.connect(UnixDomainSocketAddress.of(control));
            } catch (IOException e) {
                c.close();
                return false; // a stale socket of a host that died: the new one replaces it
            }
            channel = c;
            in = Channels.newInputStream(c);
            out = Channels.newOutputStream(c);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void disconnect() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing cannot lose anything
            }
            channel = null;
        }
    }

    /** Closes the connection; the host and its shares live on. */
    @Override
    public synchronized void close() {
        disconnect();
    }

    /** A share served by the host. */
    private final class Remote implements ServedShare {
        private final String vm;
        private final String tag;
        private final Path dir;
        private final boolean readOnly;

        Remote(String vm, String tag, Path dir, boolean readOnly) {
            this.vm = vm;
            this.tag = tag;
            this.dir = dir;
            this.readOnly = readOnly;
        }

        @Override
        public Path dir() {
            return dir;
        }

        @Override
        public boolean readOnly() {
            return readOnly;
        }

        /** A host that cannot be asked answers "not an echo": the guest then hears a change twice, no worse. */
        @Override
        public Echoes echoes() {
            return new Echoes() {
                @Override
                public boolean addedName(long dirDev, long dirIno, String name) {
                    return ask(EchoKind.ADDED_NAME, dirDev, dirIno, name);
                }

                @Override
                public boolean removedName(long dirDev, long dirIno, String name) {
                    return ask(EchoKind.REMOVED_NAME, dirDev, dirIno, name);
                }

                @Override
                public boolean changedFile(long dev, long ino) {
                    return ask(EchoKind.CHANGED_FILE, dev, ino, "");
                }
            };
        }

        private boolean ask(EchoKind kind, long dev, long ino, String name) {
            try {
                return as(call(new Echo(vm, tag, kind, dev, ino, name)), Answer.class).yes();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, vm + ": " + tag + ": echo query failed: " + e.getMessage());
                return false;
            }
        }

        /** In batches the control connection carries; one expectation for all of them. */
        @Override
        public Expectation expect(List<HostChange> changes) throws IOException {
            List<Long> ids = new ArrayList<>();
            List<HostChange> skipped = new ArrayList<>();
            Expectation all = new Expectation() {
                @Override
                public List<HostChange> skipped() {
                    return skipped;
                }

                @Override
                public void close() {
                    for (long id : ids) {
                        try {
                            call(new EndReplay(vm, tag, id));
                        } catch (IOException e) {
                            // a host that cannot be reached dropped this connection's expectations itself
                        }
                    }
                }
            };
            try {
                for (int from = 0; from < changes.size(); from += HostCodec.MAX_LIST) {
                    List<HostChange> batch = changes.subList(from, Math.min(changes.size(), from + HostCodec.MAX_LIST));
                    Expecting e = as(call(new Expect(vm, tag, List.copyOf(batch))), Expecting.class);
                    ids.add(e.id());
                    for (int i : e.skipped()) {
                        if (i < 0 || i >= batch.size()) {
                            throw new IOException("the share host skipped change " + i + " of " + batch.size());
                        }
                        skipped.add(batch.get(i));
                    }
                }
            } catch (IOException e) {
                all.close();
                throw e;
            }
            return all;
        }

        @Override
        public void close() {
            try {
                call(new Release(vm, tag));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, vm + ": " + tag + " not released by the share host: " + e.getMessage());
            }
        }
    }
}
