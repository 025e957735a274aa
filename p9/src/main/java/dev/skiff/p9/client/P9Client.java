package dev.skiff.p9.client;

import dev.skiff.p9.wire.Codec;
import dev.skiff.p9.wire.DirEntry;
import dev.skiff.p9.wire.Fcall;
import dev.skiff.p9.wire.FrameReader;
import dev.skiff.p9.wire.FrameWriter;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Rmessage.*;
import dev.skiff.p9.wire.Tmessage;
import dev.skiff.p9.wire.Tmessage.*;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A 9P2000.L client over any byte stream, for tests and tools. Requests may be issued from
 * many threads at once; a virtual thread reads replies and completes them by tag. Each typed
 * method sends one request and waits for its reply, throwing {@link RlerrorException} for an
 * Rlerror. {@link #send} gives the raw asynchronous form (used to test Tflush).
 */
public final class P9Client implements Closeable {
    private final FrameReader reader;
    private final FrameWriter writer;
    private final Closeable transport;
    private final ConcurrentHashMap<Integer, CompletableFuture<Rmessage>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextTag = new AtomicInteger();
    private final AtomicInteger nextFid = new AtomicInteger(1);
    private volatile IOException failure;
    private volatile int msize = P9.MAX_MSIZE;

    public P9Client(InputStream in, OutputStream out, Closeable transport) {
        this.reader = new FrameReader(in, P9.MAX_MSIZE);
        this.writer = new FrameWriter(out, P9.MAX_MSIZE);
        this.transport = transport;
        Thread.ofVirtual().name("p9-client-reader").start(this::readLoop);
    }

    public static P9Client of(SocketChannel channel) {
        return new P9Client(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
    }

    /** A request in flight: its tag (for Tflush) and its reply to come. */
    public record Call(int tag, CompletableFuture<Rmessage> reply) {}

    private void readLoop() {
        IOException end = new EOFException("connection closed by the server");
        try {
            Fcall f;
            while ((f = reader.read()) != null) {
                CompletableFuture<Rmessage> c = pending.remove(f.tag());
                if (c != null && f.message() instanceof Rmessage r) {
                    c.complete(r);
                }
            }
        } catch (IOException e) {
            end = e;
        }
        failure = end;
        for (Integer tag : List.copyOf(pending.keySet())) {
            CompletableFuture<Rmessage> c = pending.remove(tag);
            if (c != null) {
                c.completeExceptionally(end);
            }
        }
    }

    /** Sends a request without waiting; the tag is chosen among those not in flight. */
    public Call send(Tmessage t) throws IOException {
        if (failure != null) {
            throw new IOException("9P connection is closed", failure);
        }
        CompletableFuture<Rmessage> c = new CompletableFuture<>();
        int tag;
        if (t instanceof Tversion) {
            tag = P9.NOTAG;
            pending.put(tag, c);
        } else {
            do {
                tag = nextTag.getAndIncrement() & 0xffff;
            } while (tag == P9.NOTAG || pending.putIfAbsent(tag, c) != null);
        }
        try {
            writer.write(tag, t);
        } catch (IOException e) {
            pending.remove(tag);
            throw e;
        }
        if (failure != null && pending.remove(tag) != null) {
            c.completeExceptionally(failure);
        }
        return new Call(tag, c);
    }

    /** Writes raw bytes to the server: for tests of malformed input. */
    public void sendRaw(byte[] bytes) throws IOException {
        writer.writeFrame(bytes);
    }

    /** Sends a request and waits for its reply; Rlerror becomes {@link RlerrorException}. */
    public Rmessage call(Tmessage t) throws IOException {
        return await(t, send(t).reply());
    }

    /** Waits for a reply obtained from {@link #send}. */
    public static Rmessage await(Tmessage t, CompletableFuture<Rmessage> reply) throws IOException {
        Rmessage r;
        try {
            r = reply.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for 9P reply");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        if (r instanceof Rlerror err) {
            throw new RlerrorException(t.getClass().getSimpleName(), err.ecode());
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private <R extends Rmessage> R call(Tmessage t, Class<R> type) throws IOException {
        Rmessage r = call(t);
        if (!type.isInstance(r)) {
            throw new IOException("9P " + t.getClass().getSimpleName() + " answered by " + r.getClass().getSimpleName());
        }
        return (R) r;
    }

    /** A fid number not yet used by this client. */
    public int newFid() {
        return nextFid.getAndIncrement();
    }

    public int msize() {
        return msize;
    }

    // ---- typed operations ----

    public Rversion version(int requested) throws IOException {
        Rversion v = call(new Tversion(requested, P9.VERSION_9P2000_L), Rversion.class);
        msize = v.msize();
        return v;
    }

    public Qid auth(int afid, String uname, String aname, int nUname) throws IOException {
        return call(new Tauth(afid, uname, aname, nUname), Rauth.class).aqid();
    }

    public Qid attach(int fid, int afid, String uname, String aname, int nUname) throws IOException {
        return call(new Tattach(fid, afid, uname, aname, nUname), Rattach.class).qid();
    }

    public List<Qid> walk(int fid, int newfid, String... names) throws IOException {
        return call(new Twalk(fid, newfid, List.of(names)), Rwalk.class).qids();
    }

    public Rlopen lopen(int fid, int flags) throws IOException {
        return call(new Tlopen(fid, flags), Rlopen.class);
    }

    public Rlcreate lcreate(int fid, String name, int flags, int mode, int gid) throws IOException {
        return call(new Tlcreate(fid, name, flags, mode, gid), Rlcreate.class);
    }

    public byte[] read(int fid, long offset, int count) throws IOException {
        return call(new Tread(fid, offset, count), Rread.class).data();
    }

    public int write(int fid, long offset, byte[] data) throws IOException {
        return call(new Twrite(fid, offset, data), Rwrite.class).count();
    }

    public void clunk(int fid) throws IOException {
        call(new Tclunk(fid), Rclunk.class);
    }

    public void remove(int fid) throws IOException {
        call(new Tremove(fid), Rremove.class);
    }

    public Rstatfs statfs(int fid) throws IOException {
        return call(new Tstatfs(fid), Rstatfs.class);
    }

    public Rgetattr getattr(int fid) throws IOException {
        return call(new Tgetattr(fid, P9.GETATTR_ALL), Rgetattr.class);
    }

    public void setattr(Tsetattr t) throws IOException {
        call(t, Rsetattr.class);
    }

    public List<DirEntry> readdir(int fid, long offset, int count) throws IOException {
        return DirEntry.unpack(call(new Treaddir(fid, offset, count), Rreaddir.class).data());
    }

    public Qid mkdir(int dfid, String name, int mode, int gid) throws IOException {
        return call(new Tmkdir(dfid, name, mode, gid), Rmkdir.class).qid();
    }

    public Qid symlink(int dfid, String name, String target, int gid) throws IOException {
        return call(new Tsymlink(dfid, name, target, gid), Rsymlink.class).qid();
    }

    public Qid mknod(int dfid, String name, int mode, int major, int minor, int gid) throws IOException {
        return call(new Tmknod(dfid, name, mode, major, minor, gid), Rmknod.class).qid();
    }

    public String readlink(int fid) throws IOException {
        return call(new Treadlink(fid), Rreadlink.class).target();
    }

    public void link(int dfid, int fid, String name) throws IOException {
        call(new Tlink(dfid, fid, name), Rlink.class);
    }

    public void rename(int fid, int dfid, String name) throws IOException {
        call(new Trename(fid, dfid, name), Rrename.class);
    }

    public void renameat(int olddir, String oldname, int newdir, String newname) throws IOException {
        call(new Trenameat(olddir, oldname, newdir, newname), Rrenameat.class);
    }

    public void unlinkat(int dfid, String name, int flags) throws IOException {
        call(new Tunlinkat(dfid, name, flags), Runlinkat.class);
    }

    public void fsync(int fid, boolean datasync) throws IOException {
        call(new Tfsync(fid, datasync ? 1 : 0), Rfsync.class);
    }

    public long xattrwalk(int fid, int newfid, String name) throws IOException {
        return call(new Txattrwalk(fid, newfid, name), Rxattrwalk.class).size();
    }

    public void xattrcreate(int fid, String name, long size, int flags) throws IOException {
        call(new Txattrcreate(fid, name, size, flags), Rxattrcreate.class);
    }

    /** Tlock; returns the P9_LOCK_* status. */
    public int lock(int fid, int type, int flags, long start, long length) throws IOException {
        return call(new Tlock(fid, type, flags, start, length, 1, "skiff"), Rlock.class).status();
    }

    public Rgetlock getlock(int fid, int type, long start, long length) throws IOException {
        return call(new Tgetlock(fid, type, start, length, 1, "skiff"), Rgetlock.class);
    }

    /** Tflush of {@code oldtag}; returns once Rflush has arrived. */
    public void flush(int oldtag) throws IOException {
        call(new Tflush(oldtag), Rflush.class);
    }

    /** True once the server has closed the connection. */
    public boolean closedByServer() {
        return failure != null;
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }
}
