package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.Caller;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.Node;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.virtiofs.wire.Fuse;
import dev.skiff.virtiofs.wire.FuseDecoder;
import dev.skiff.virtiofs.wire.FuseReply;
import dev.skiff.virtiofs.wire.FuseRequest;
import dev.skiff.virtiofs.wire.GuestBuffer;
import dev.skiff.virtiofs.wire.InHeader;
import dev.skiff.virtiofs.wire.ReplyWriter;
import dev.skiff.virtiofs.wire.RequestCopy;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One FUSE mount: INIT negotiation, the node and file-handle tables, and dispatch of each request
 * to its handler, served from a {@link FileSystem} (the same backends, and so the same semantics
 * and containment, as the 9P server). Thread-safe: requests are served concurrently, each on its
 * own virtual thread.
 *
 * <p>Errors end here, once ({@link #serve}): a backend {@link ErrnoException} becomes the reply's
 * -errno; anything unexpected becomes EIO with one log line, and the session goes on.
 */
public final class FuseSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs");

    /** The INIT flags we grant when the kernel offers them (see FUSE.md for what is left out, and why). */
    static final int OFFERED = Fuse.ASYNC_READ | Fuse.POSIX_LOCKS | Fuse.ATOMIC_O_TRUNC | Fuse.BIG_WRITES
            | Fuse.DONT_MASK | Fuse.PARALLEL_DIROPS | Fuse.MAX_PAGES | Fuse.HANDLE_KILLPRIV_V2;

    static final FuseReply NONE = new FuseReply.None();
    static final FuseReply EMPTY = new FuseReply.Empty();

    final FileSystem fs;
    final boolean readOnly;
    final CachePolicy cache;
    final FuseLimits limits;
    final NodeTable nodes;
    final HandleTable handles;
    private volatile boolean initialized;
    private volatile boolean closed;

    public FuseSession(FileSystem fs, boolean readOnly, CachePolicy cache, FuseLimits limits) {
        this.fs = fs;
        this.readOnly = readOnly;
        this.cache = cache;
        this.limits = limits;
        this.nodes = new NodeTable(fs.root(), limits.maxNodes());
        this.handles = new HandleTable(limits.maxHandles());
    }

    public FuseLimits limits() {
        return limits;
    }

    /**
     * Serves one request: copies it out of {@code readable}, decodes and answers it into
     * {@code writable}; returns the byte count to complete the request with (0 for no reply).
     */
    public int serve(List<MemorySegment> readable, List<MemorySegment> writable) {
        GuestBuffer out = new GuestBuffer(writable);
        InHeader h;
        try {
            h = RequestCopy.header(readable);
        } catch (RequestCopy.NoHeader e) {
            LOG.log(System.Logger.Level.WARNING, "FUSE request refused: " + e.getMessage());
            return 0;
        }
        FuseReply reply;
        try {
            byte[] copy = RequestCopy.copy(readable, h, limits.maxRequest());
            FuseRequest body = FuseDecoder.body(h, copy, readable);
            reply = Caller.as(h.uid(), () -> handle(h, body, out)); // the caller's fsuid, for the replay layer
        } catch (ErrnoException e) {
            reply = new FuseReply.Error(e.errno());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "FUSE " + Fuse.name(h.opcode()) + " failed", e);
            reply = new FuseReply.Error(Errno.EIO);
        }
        return ReplyWriter.write(out, h.unique(), reply);
    }

    /** Serves one decoded request. */
    FuseReply handle(InHeader h, FuseRequest r, GuestBuffer out) throws IOException {
        if (!initialized && !(r instanceof FuseRequest.Init)) {
            return noReply(r) ? NONE : new FuseReply.Error(Errno.EIO);
        }
        ReadOnlyGuard.check(readOnly, r);
        return switch (r) {
            case FuseRequest.Init m -> init(m);
            case FuseRequest.Lookup m -> EntryOps.lookup(this, h, m);
            case FuseRequest.Forget m -> {
                nodes.forget(h.nodeid(), m.nlookup());
                yield NONE;
            }
            case FuseRequest.BatchForget m -> {
                m.forgets().forEach(f -> nodes.forget(f.nodeid(), f.nlookup()));
                yield NONE;
            }
            case FuseRequest.Getattr m -> EntryOps.getattr(this, h);
            case FuseRequest.Setattr m -> EntryOps.setattr(this, h, m);
            case FuseRequest.Readlink m -> EntryOps.readlink(this, h);
            case FuseRequest.Symlink m -> EntryOps.symlink(this, h, m);
            case FuseRequest.Mknod m -> EntryOps.mknod(this, h, m);
            case FuseRequest.Mkdir m -> EntryOps.mkdir(this, h, m);
            case FuseRequest.Unlink m -> EntryOps.unlink(this, h, m);
            case FuseRequest.Rename m -> EntryOps.rename(this, h, m);
            case FuseRequest.Link m -> EntryOps.link(this, h, m);
            case FuseRequest.Statfs m -> EntryOps.statfs(this, h);
            case FuseRequest.Open m -> FileOps.open(this, h, m);
            case FuseRequest.Create m -> FileOps.create(this, h, m);
            case FuseRequest.Read m -> FileOps.read(this, m, out);
            case FuseRequest.Write m -> FileOps.write(this, m);
            case FuseRequest.Release m -> FileOps.release(this, m);
            case FuseRequest.Fsync m -> FileOps.fsync(this, m);
            case FuseRequest.Readdir m -> FileOps.readdir(this, m, out);
            case FuseRequest.Setxattr m -> XattrOps.setxattr(this, h, m);
            case FuseRequest.Getxattr m -> XattrOps.getxattr(this, h, m);
            case FuseRequest.Listxattr m -> XattrOps.listxattr(this, h, m);
            case FuseRequest.Removexattr m -> XattrOps.removexattr(this, h, m);
            case FuseRequest.Flush m -> LockOps.flush(this, m);
            case FuseRequest.Getlk m -> LockOps.getlk(this, m);
            case FuseRequest.Setlk m -> LockOps.setlk(this, m);
            // With default_permissions (virtio-fs mounts set it) the kernel checks access itself;
            // after one ENOSYS it stops asking (fuse_access sets fc->no_access).
            case FuseRequest.Access m -> new FuseReply.Error(Errno.ENOSYS);
            case FuseRequest.Interrupt m -> NONE; // requests end on their own; SETLKW retries briefly
            case FuseRequest.Destroy m -> {
                initialized = false;
                drop();
                yield EMPTY;
            }
            case FuseRequest.Unsupported m -> new FuseReply.Error(Errno.ENOSYS);
        };
    }

    private static boolean noReply(FuseRequest r) {
        return r instanceof FuseRequest.Forget || r instanceof FuseRequest.BatchForget
                || r instanceof FuseRequest.Interrupt;
    }

    /**
     * INIT (fuse_lowlevel.c do_init is the model): major 7 only; a newer major is answered with
     * ours so the kernel can fall back; minors below 31 are refused (EPROTO). We reply the
     * kernel's minor up to 33 (HANDLE_KILLPRIV_V2's) and grant the {@link #OFFERED} flags the
     * kernel offered.
     */
    private FuseReply init(FuseRequest.Init m) throws ErrnoException {
        if (initialized) {
            throw new ErrnoException("init", "second INIT", Errno.EIO);
        }
        if (m.major() > Fuse.KERNEL_VERSION) {
            return new FuseReply.InitOut(Fuse.KERNEL_VERSION, Fuse.KERNEL_MINOR_VERSION, 0, 0, 0, 0, 0, 0, 0);
        }
        if (m.major() < Fuse.KERNEL_VERSION || m.minor() < Fuse.OLDEST_MINOR_VERSION) {
            throw new ErrnoException("init", "FUSE " + m.major() + "." + m.minor(), Errno.EPROTO);
        }
        initialized = true;
        int inFlight = limits.maxInFlight();
        int minor = Math.min(m.minor(), Fuse.KERNEL_MINOR_VERSION);
        int offered = minor >= 33 ? OFFERED : OFFERED & ~Fuse.HANDLE_KILLPRIV_V2;
        return new FuseReply.InitOut(Fuse.KERNEL_VERSION, minor, m.maxReadahead(),
                m.flags() & offered, inFlight, Math.max(1, inFlight * 3 / 4), limits.maxWrite(), 1,
                limits.maxPages());
    }

    /** The entry reply for {@code node}, which the table takes over (closed here if that fails). */
    FuseReply.EntryOut entry(Node node) throws IOException {
        Attr a;
        try {
            a = fs.getattr(node);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return entry(nodes.remember(node), a);
    }

    FuseReply.EntryOut entry(long nodeid, Attr a) {
        return new FuseReply.EntryOut(nodeid, 0, cache.entryNanos(), cache.attrNanos(), a);
    }

    boolean closed() {
        return closed;
    }

    /** Node ids known (the root included); for tests and diagnostics. */
    int nodeCount() {
        return nodes.size();
    }

    int handleCount() {
        return handles.size();
    }

    private void drop() {
        handles.clear();
        nodes.clear();
    }

    /** Ends the session: every open file and node is released (the file system itself is the caller's). */
    @Override
    public void close() {
        closed = true;
        initialized = false;
        drop();
    }
}
