package dev.skiff.virtiofs.device;

import dev.skiff.p9.fs.FileSystem;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.FdPassing;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Sockets;
import dev.skiff.vhost.BackendSession;
import dev.skiff.vhost.SessionEnd;
import dev.skiff.virtiofs.server.CachePolicy;
import dev.skiff.virtiofs.server.FuseLimits;
import dev.skiff.virtiofs.server.FuseSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serves one virtio-fs export to one front-end (QEMU's vhost-user-fs-pci): accepts a single
 * connection on a listening unix socket and runs a {@link BackendSession} on it until it ends.
 * Resources follow the life of what they serve: when the connection ends, or {@link #close} is
 * called, every node and open file of the FUSE session is released and the listening socket
 * closed. The {@link FileSystem} stays the caller's.
 *
 * <p>One connection only: a QEMU that reconnects (after a back-end restart) gets a new server,
 * since in-flight state is not kept across connections (vhost/PROTOCOL.md, "Not done yet").
 */
public final class VirtioFsServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs");

    private final int listenFd;
    private final FuseSession fuse;
    private final VirtioFsDevice device;
    private final Object lock = new Object();
    private BackendSession session;
    private boolean listening = true;
    private boolean closed;

    /** Serves on {@code listenFd}, a listening unix stream socket it owns from now on. */
    public VirtioFsServer(int listenFd, String tag, FileSystem fs, boolean readOnly, CachePolicy cache, FuseLimits limits) {
        this.listenFd = listenFd;
        this.fuse = new FuseSession(fs, readOnly, cache, limits);
        this.device = new VirtioFsDevice(tag, fuse);
    }

    /** Listens on {@code socket} (a stale socket file there is replaced) and serves from it. */
    public static VirtioFsServer listen(Path socket, String tag, FileSystem fs, boolean readOnly) throws IOException {
        Files.deleteIfExists(socket);
        int fd = FdPassing.listenUnix(socket.toString());
        return new VirtioFsServer(fd, tag, fs, readOnly, CachePolicy.COHERENT, FuseLimits.DEFAULT);
    }

    /** Waits for the front-end, then serves it until the connection ends; returns how it ended. */
    public SessionEnd serve() throws ErrnoException {
        try {
            int fd = FdPassing.accept(listenFd);
            BackendSession s = new BackendSession(fd, device);
            synchronized (lock) {
                // one front-end only: a second connection is refused at once, not left queued
                closeListener();
                if (closed) {
                    s.close();
                }
                session = s;
            }
            SessionEnd end = s.serve();
            LOG.log(System.Logger.Level.INFO, "virtio-fs session ended: " + end.kind()
                    + (end.cause() == null ? "" : " (" + end.cause().getMessage() + ")"));
            return end;
        } finally {
            close();
        }
    }

    /**
     * Serves on a platform thread of its own (it blocks in accept(2) and in the session's reads,
     * downcalls that would pin a virtual thread's carrier) until the connection ends or
     * {@link #close}; the future completes with how it ended, or with the socket's error.
     */
    public java.util.concurrent.CompletableFuture<SessionEnd> start(String threadName) {
        var ended = new java.util.concurrent.CompletableFuture<SessionEnd>();
        Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try {
                ended.complete(serve());
            } catch (ErrnoException | RuntimeException e) {
                ended.completeExceptionally(e);
            }
        });
        return ended;
    }

    /** Ends everything: the accept or the session under way, and every node and open file. */
    @Override
    public void close() {
        BackendSession s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = session;
        }
        device.close();
        if (s != null) {
            s.close();
        }
        synchronized (lock) {
            closeListener();
        }
        fuse.close();
    }

    /** Closes the listening socket once (its number may be reused after); called holding the lock. */
    private void closeListener() {
        if (listening) {
            listening = false;
            try {
                Sockets.shutdown(listenFd); // wakes a thread blocked in accept(2)
            } catch (ErrnoException e) {
                // not listening any more
            }
            Fds.closeQuietly(listenFd);
        }
    }
}
