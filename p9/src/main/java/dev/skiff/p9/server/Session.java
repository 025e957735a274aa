package dev.skiff.p9.server;

import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.wire.Codec;
import dev.skiff.p9.wire.Fcall;
import dev.skiff.p9.wire.FrameReader;
import dev.skiff.p9.wire.FrameWriter;
import dev.skiff.p9.wire.MalformedMessageException;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Rmessage.Rflush;
import dev.skiff.p9.wire.Rmessage.Rlerror;
import dev.skiff.p9.wire.Rmessage.Rversion;
import dev.skiff.p9.wire.Tmessage;
import dev.skiff.p9.wire.Tmessage.Tflush;
import dev.skiff.p9.wire.Tmessage.Tversion;
import dev.skiff.p9.wire.UnknownMessageException;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One 9P connection: the read loop, the fid table, the requests in flight and the reply path.
 *
 * <p>The calling thread reads frames and serves short metadata requests itself
 * ({@link #servedInline}), and any other request too when it is the only one in flight (unless
 * it {@link #mayWait}); every other request runs on its own virtual thread, at most
 * {@link Limits#maxPending()} at once (beyond that the loop stops reading).
 * Tflush (flush(5)): if the old request is still pending it is flushed and awaited, its reply
 * having been sent or dropped, and only then is Rflush sent. Removing a request from the
 * pending table and writing its reply happen under one lock, so an Rflush can never overtake
 * the reply of the request it names, and a tag is free again as soon as its reply is out.
 *
 * <p>A malformed or oversized frame ends this connection only, with one log line.
 */
public final class Session implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.p9.server");
    /** Frames before Tversion are small; a larger one is refused before it is buffered. */
    private static final int PRE_VERSION_MAX = 8192;
    private static final int READ_BUFFER = 8192;

    private final Export export;
    private final QidMap qids;
    private final Limits limits;
    private final Dispatcher dispatcher;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final Closeable transport;
    private final String peer;
    private final ConcurrentHashMap<Integer, Fid> fids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Request> pending = new ConcurrentHashMap<>();
    private final ReentrantLock replyLock = new ReentrantLock();
    private final Semaphore permits;
    /** Per-request timing, or null when not asked for. */
    private final Stats stats;
    private volatile int msize;

    Session(Export export, QidMap qids, Limits limits, Stats stats, InputStream in, OutputStream out,
            Closeable transport, String peer) {
        this.stats = stats;
        this.export = export;
        this.qids = qids;
        this.limits = limits;
        this.dispatcher = new Dispatcher();
        // Buffered, so that a small frame costs one read(2), not one for its size field and
        // one for the rest; 8 KiB keeps FileInputStream on its stack buffer (no malloc per read).
        this.reader = new FrameReader(new BufferedInputStream(in, READ_BUFFER), PRE_VERSION_MAX);
        this.writer = new FrameWriter(out, PRE_VERSION_MAX);
        this.transport = transport;
        this.peer = peer;
        this.permits = new Semaphore(limits.maxPending());
    }

    Export export() {
        return export;
    }

    FileSystem fs() {
        return export.fs();
    }

    QidMap qids() {
        return qids;
    }

    /** The negotiated msize; 0 before Tversion. */
    int msize() {
        return msize;
    }

    /**
     * The largest payload of an Rread or Rreaddir, and the iounit given when a file is opened:
     * what fits in a message, rounded down to whole 4 KiB blocks. The Linux client splits a larger
     * read or write at the iounit, and an O_DIRECT file is O_DIRECT on the host too, where every
     * piece must be block-aligned: with an unaligned iounit (128 KiB + 4072 at the default msize)
     * each O_DIRECT write above it failed with EINVAL, and InnoDB could not create its files.
     */
    int iounit() {
        int payload = msize - P9.IOHDRSZ;
        return payload >= BLOCK ? payload & -BLOCK : payload;
    }

    /** The largest logical block size of the host file systems O_DIRECT must be aligned to. */
    private static final int BLOCK = 4096;

    /**
     * The iounit given when a directory is opened: at most {@link Limits#DIR_IOUNIT}. The Linux
     * client asks each Treaddir for the fid's iounit (p9_client_readdir) and allocates a reply
     * buffer of that size for it, the empty Treaddir that ends every listing included; with
     * Debian's init_on_alloc the guest zeroes it too. At the default msize such a buffer is a
     * 256 KiB page block, against 64 KiB for diod's msize, and a 500-entry listing under TCG took
     * 3% longer than through diod (against 2% shorter at a 64 KiB msize). Files keep the full
     * iounit: there, large requests are what makes sequential I/O fast.
     */
    int dirIounit() {
        return Math.min(iounit(), Limits.DIR_IOUNIT);
    }

    @Override
    public void run() {
        try {
            while (true) {
                long waitStart = stats == null ? 0 : System.nanoTime();
                boolean idle = stats != null && pending.isEmpty();
                byte[] frame = reader.readFrame();
                if (frame == null) {
                    break;
                }
                long received = stats == null ? 0 : System.nanoTime();
                if (idle) {
                    stats.idle(received - waitStart);
                }
                Fcall call;
                try {
                    call = Codec.decode(frame, frame.length);
                } catch (UnknownMessageException e) {
                    reply(e.tag(), new Rlerror(Errno.EOPNOTSUPP));
                    continue;
                }
                if (!(call.message() instanceof Tmessage t)) {
                    throw new MalformedMessageException("a reply (type " + call.message().type() + ") sent to the server");
                }
                accept(call.tag(), t, received);
            }
        } catch (MalformedMessageException e) {
            LOG.log(System.Logger.Level.WARNING, "closing 9P connection " + peer + ": " + e.getMessage());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "9P connection " + peer + " ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            abortAll();
            clunkAll();
            try {
                transport.close();
            } catch (IOException ignored) {
                // the peer is gone either way
            }
        }
    }

    private void accept(int tag, Tmessage t, long received) throws IOException, InterruptedException {
        switch (t) {
            case Tversion v -> version(tag, v);
            case Tflush f -> Thread.ofVirtual().name("p9-flush").start(() -> flush(tag, f.oldtag()));
            default -> {
                if (msize == 0) {
                    reply(tag, new Rlerror(Errno.EPROTO));
                    return;
                }
                permits.acquire();
                Request r = new Request(tag, t, received);
                boolean alone = pending.isEmpty();
                if (pending.putIfAbsent(tag, r) != null) {
                    permits.release();
                    throw new MalformedMessageException("tag " + tag + " reused while its request is in flight");
                }
                if (servedInline(t) || (alone && !mayWait(t))) {
                    execute(r);
                } else {
                    Thread.ofVirtual().name("p9-req").start(() -> execute(r));
                }
            }
        }
    }

    /**
     * Metadata requests that finish in one short system call or a few are served on the reading
     * thread: handing each to a new thread cost more than the request itself (a carrier wake-up,
     * on a host whose cores are busy emulating the guest), and made file creation and stat a
     * third slower than diod. Anything that moves data, may wait (locks, fifo opens, fsync) or
     * may take long runs on its own virtual thread, so such requests are served concurrently and
     * Tflush can reach them.
     */
    static boolean servedInline(Tmessage t) {
        return switch (t) {
            case Tmessage.Twalk w -> true;
            case Tmessage.Tgetattr g -> true;
            case Tmessage.Tclunk c -> true;
            case Tmessage.Tstatfs f -> true;
            case Tmessage.Treadlink l -> true;
            case Tmessage.Tmkdir m -> true;
            case Tmessage.Tsymlink l -> true;
            case Tmessage.Tmknod n -> true;
            case Tmessage.Tlink l -> true;
            case Tmessage.Trename n -> true;
            case Tmessage.Trenameat n -> true;
            case Tmessage.Tunlinkat u -> true;
            case Tmessage.Txattrwalk x -> true;
            case Tmessage.Treaddir d -> true;
            default -> false;
        };
    }

    /**
     * Requests that may wait for another party for as long as it likes: a blocking Tlock. They
     * always run on their own virtual thread, so that the reading thread stays free for the
     * Tflush or the unlock that ends the wait. Every other request is also served inline when
     * nothing else of the connection is in flight: a client that sends one request at a time
     * (the Linux client serving one system call, the common case) gains nothing from a hand-off
     * to another thread, and pays a carrier wake-up and a context switch for each (measured: a
     * 1 KiB Twrite took 0.56 ms handed off against 0.08 ms for an inline Tgetattr). As soon as
     * requests overlap, the data-moving ones run concurrently again.
     */
    static boolean mayWait(Tmessage t) {
        return t instanceof Tmessage.Tlock;
    }

    /**
     * Tversion (version(5)): negotiates msize down to {@link Limits#maxMsize()}, answers
     * "unknown" to anything but 9P2000.L (or a version that starts with it), and resets the
     * session: pending requests are aborted and every fid is clunked.
     */
    private void version(int tag, Tversion v) throws IOException {
        abortAll();
        clunkAll();
        int size = (int) Math.min(Integer.toUnsignedLong(v.msize()), limits.maxMsize());
        boolean ok = v.version().startsWith(P9.VERSION_9P2000_L) && size >= P9.MIN_MSIZE;
        if (!ok) {
            msize = 0;
            reply(tag, new Rversion(size, P9.VERSION_UNKNOWN));
            return;
        }
        msize = size;
        reader.maxSize(size);
        writer.maxSize(size);
        reply(tag, new Rversion(size, P9.VERSION_9P2000_L));
    }

    private void execute(Request r) {
        Rmessage reply;
        try {
            reply = dispatcher.handle(this, r);
        } catch (Request.Aborted e) {
            reply = null;
        } catch (Throwable t) {
            reply = Rlerrors.of(t, r.message);
        } finally {
            r.releaseFids();
        }
        finish(r, reply);
    }

    /** Retires a request: frees its tag and writes its reply (null: dropped because flushed). */
    private void finish(Request r, Rmessage reply) {
        replyLock.lock();
        try {
            pending.remove(r.tag, r);
            if (reply != null) {
                writer.write(r.tag, reply);
            }
            if (stats != null) {
                stats.request(r.message.type(), System.nanoTime() - r.received);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "reply to " + peer + " lost: " + e.getMessage());
        } finally {
            replyLock.unlock();
            if (r.takePermit()) {
                permits.release();
            }
            r.done.countDown();
        }
    }

    private void flush(int tag, int oldtag) {
        Request old;
        replyLock.lock();
        try {
            old = pending.get(oldtag);
        } finally {
            replyLock.unlock();
        }
        if (old != null) {
            old.flush();
            try {
                old.done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            reply(tag, new Rflush());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Rflush to " + peer + " lost: " + e.getMessage());
        }
    }

    private void reply(int tag, Rmessage m) throws IOException {
        replyLock.lock();
        try {
            writer.write(tag, m);
        } finally {
            replyLock.unlock();
        }
    }

    void releasePermit() {
        permits.release();
    }

    private void abortAll() {
        List<Request> all = new ArrayList<>(pending.values());
        all.forEach(Request::flush);
        for (Request r : all) {
            try {
                r.done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void clunkAll() {
        for (Integer id : new ArrayList<>(fids.keySet())) {
            Fid f = fids.remove(id);
            if (f != null) {
                f.release();
            }
        }
    }

    // ---- the fid table ----

    /** The fid, held for the rest of the request; EBADF if unknown. */
    /** The uid named at the Tattach fid {@code id} descends from; -1 for none or an unknown fid. */
    int attachUid(int id) {
        Fid f = id == P9.NOFID ? null : fids.get(id);
        return f == null ? -1 : f.uid;
    }

    Fid fid(Request r, int id) throws ErrnoException {
        Fid f = fids.get(id);
        if (f == null || !f.retain()) {
            throw new ErrnoException("find", "fid " + Integer.toUnsignedString(id), Errno.EBADF);
        }
        r.hold(f);
        return f;
    }

    /** Adds a new fid; EBADF if the id is taken or NOFID, EMFILE past the per-connection cap. */
    void addFid(Fid f) throws ErrnoException {
        if (f.id == P9.NOFID) {
            throw new ErrnoException("add", "NOFID", Errno.EBADF);
        }
        if (fids.size() >= limits.maxFids()) {
            throw new ErrnoException("add", "fid " + Integer.toUnsignedString(f.id)
                    + " (connection holds " + limits.maxFids() + ")", Errno.EMFILE);
        }
        if (fids.putIfAbsent(f.id, f) != null) {
            throw new ErrnoException("add", "fid " + Integer.toUnsignedString(f.id) + " (in use)", Errno.EBADF);
        }
    }

    /** Checks that a new fid id is free before work is done for it. */
    void checkFree(int id) throws ErrnoException {
        if (id == P9.NOFID || fids.containsKey(id)) {
            throw new ErrnoException("add", "fid " + Integer.toUnsignedString(id) + " (in use)", Errno.EBADF);
        }
    }

    /** Removes a fid from the table (Tclunk, Tremove); its resources go when the last user releases it. */
    Fid removeFid(int id) throws ErrnoException {
        Fid f = fids.remove(id);
        if (f == null) {
            throw new ErrnoException("clunk", "fid " + Integer.toUnsignedString(id), Errno.EBADF);
        }
        return f;
    }

    /** Replaces the fid entry for a walk with newfid == fid. */
    void replaceFid(Fid old, Fid now) {
        if (fids.replace(old.id, old, now)) {
            old.release();
        } else {
            now.release();
        }
    }

    int fidCount() {
        return fids.size();
    }
}
