package dev.skiff.guest.share;

import dev.skiff.p9.wire.Codec;
import dev.skiff.p9.wire.Fcall;
import dev.skiff.p9.wire.MalformedMessageException;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Rmessage.Rattach;
import dev.skiff.p9.wire.Rmessage.Rlcreate;
import dev.skiff.p9.wire.Rmessage.Rlerror;
import dev.skiff.p9.wire.Rmessage.Rlock;
import dev.skiff.p9.wire.Rmessage.Rversion;
import dev.skiff.p9.wire.Rmessage.Rwalk;
import dev.skiff.p9.wire.Tmessage.Tattach;
import dev.skiff.p9.wire.Tmessage.Tclunk;
import dev.skiff.p9.wire.Tmessage.Tflush;
import dev.skiff.p9.wire.Tmessage.Tlcreate;
import dev.skiff.p9.wire.Tmessage.Tlock;
import dev.skiff.p9.wire.Tmessage.Tlopen;
import dev.skiff.p9.wire.Tmessage.Trename;
import dev.skiff.p9.wire.Tmessage.Trenameat;
import dev.skiff.p9.wire.Tmessage.Tversion;
import dev.skiff.p9.wire.Tmessage.Twalk;
import dev.skiff.p9.wire.Tmessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one 9P session between the guest kernel and the host's server has established, kept by the
 * share's relay so that a new server (the host's daemon restarted after a crash) can be brought to
 * the same state without the kernel noticing: which fids name which file (by path from the
 * attach, and the file's qid), which are open and how, the POSIX locks taken through each, and the
 * requests still waiting for an answer.
 *
 * <p>A restore ({@link #restore}) attaches again, walks every fid back to its path, checks that
 * the file found there is the same one (its qid path: the server derives it from the host inode),
 * opens it again with its flags (never creating or truncating) and takes its locks again with
 * the reclaim flag; then the requests in flight are sent once more. A fid that cannot come back
 * (its file was deleted or replaced while no server ran, an xattr fid, an open-unlinked file) is
 * stale: every later request naming it gets ESTALE from the relay, and its clunk succeeds.
 *
 * <p>What a restore cannot give back: a request the old server carried out whose answer was lost
 * is carried out again (a create then fails with EEXIST, an append appends twice), as with NFS
 * after a server reboot; and a lock another client took while no server ran is reported lost in
 * the guest's log.
 */
final class SessionLog {
    /** Fids the relay uses for itself during a restore, far above the kernel's (it counts from 0). */
    static final int FIRST_OWN_FID = 0xffff_ff00;
    /** The tag of the restore's own requests: sent one at a time, before any of the kernel's. */
    static final int OWN_TAG = 0;

    private static final int ESTALE = 116;
    /** Linux's 9P2000.L open flags that must not be repeated when a file is opened again. */
    private static final int CREATE_FLAGS = 0100 | 0200 | 01000; // O_CREAT | O_EXCL | O_TRUNC
    /** A guard against a kernel that never clunks: fids are few (one per open file or cached dentry). */
    static final int MAX_FIDS = 1 << 20;

    /** Who an attach was for: a restore attaches again as the same user to the same export. */
    private record Identity(String uname, String aname, int nUname) {}

    /** One fid the kernel holds. */
    private static final class FidState {
        final Identity identity;
        List<String> path;
        long qidPath;
        int openFlags = -1; // not open
        boolean restorable = true; // xattr and auth fids are not
        final LockRanges locks = new LockRanges();

        FidState(Identity identity, List<String> path, long qidPath) {
            this.identity = identity;
            this.path = path;
            this.qidPath = qidPath;
        }
    }

    /** A request sent on and not yet answered: the whole frame, to send again to a new server. */
    private record Pending(byte[] frame, int type) {}

    /** One request of a restore sent to the new server and its answer. */
    @FunctionalInterface
    interface Exchange {
        Rmessage call(Tmessage t) throws IOException;
    }

    /** A restore's outcome: the kernel's requests to send again, in order, and the answers the relay gives itself. */
    record Restore(List<byte[]> resend, List<byte[]> replies, String summary) {}

    private int msize; // 0 until the kernel's session is set up
    private final Map<Integer, FidState> fids = new LinkedHashMap<>();
    private final Set<Integer> stale = new HashSet<>();
    private final Map<Integer, Pending> outstanding = new LinkedHashMap<>();

    /**
     * A request from the kernel: recorded, and null returned when it goes on to the server; or the
     * answer the relay gives itself, for a request naming a stale fid.
     */
    synchronized byte[] request(byte[] frame) {
        int type = frame[4] & 0xff;
        int tag = u16(frame, 5);
        int staleFid = staleFidIn(frame, type);
        if (staleFid != -1) {
            return staleAnswer(type, tag, staleFid);
        }
        if (type == P9.TVERSION) {
            // the kernel starts a session (at mount): nothing from an earlier one counts
            fids.clear();
            stale.clear();
            msize = 0;
        }
        outstanding.put(tag, new Pending(frame, type));
        return null;
    }

    /** The relay's own answer to a request naming stale {@code fid}: a clunk succeeds, anything else gets ESTALE. */
    private byte[] staleAnswer(int type, int tag, int fid) {
        if (type == P9.TCLUNK || type == P9.TREMOVE) {
            stale.remove(fid); // the kernel lets go of it: the number may name a new fid next
        }
        return type == P9.TCLUNK ? Codec.encode(tag, new Rmessage.Rclunk()) : Codec.encode(tag, new Rlerror(ESTALE));
    }

    /** Whether a request of this type, once answered, changes what the log holds. */
    private static boolean tracked(int requestType) {
        return switch (requestType) {
            case P9.TVERSION, P9.TATTACH, P9.TWALK, P9.TLOPEN, P9.TLCREATE, P9.TXATTRWALK, P9.TXATTRCREATE,
                 P9.TRENAME, P9.TRENAMEAT, P9.TLOCK, P9.TCLUNK, P9.TREMOVE, P9.TFLUSH -> true;
            default -> false;
        };
    }

    /** Whether an answer of this type changes what the log holds beyond its tag: its body is needed then. */
    static boolean needsBody(int responseType) {
        return switch (responseType) {
            case P9.RVERSION, P9.RATTACH, P9.RWALK, P9.RLCREATE, P9.RLOCK -> true;
            default -> false;
        };
    }

    /**
     * An answer from the server, on its way to the kernel. {@code frame} holds the whole frame when
     * {@link #needsBody} says so, else at least its 7-byte header.
     */
    synchronized void response(byte[] frame) {
        int type = frame[4] & 0xff;
        Pending p = outstanding.remove(u16(frame, 5));
        if (p == null) {
            return; // an answer to a flushed request, or one the log never saw
        }
        if (!tracked(p.type)) {
            return; // reads, writes, attributes, directories, names: nothing a new server needs to be told
        }
        Tmessage t;
        try {
            t = (Tmessage) decode(p.frame).message();
        } catch (MalformedMessageException | RuntimeException e) {
            return; // the server answers a request it could not parse: nothing was established
        }
        if (t instanceof Tclunk c) {
            fids.remove(c.fid()); // gone whatever the answer
            return;
        }
        if (t instanceof Tmessage.Tremove r) {
            fids.remove(r.fid());
            return;
        }
        if (t instanceof Tflush f) {
            outstanding.remove(f.oldtag()); // answered or not, the kernel is done with it
            return;
        }
        if (type == P9.RLERROR) {
            return;
        }
        try {
            apply(t, needsBody(type) ? (Rmessage) decode(frame).message() : null);
        } catch (MalformedMessageException | RuntimeException e) {
            // an answer the kernel will reject too; the log keeps what it had
        }
    }

    private void apply(Tmessage t, Rmessage r) {
        switch (t) {
            case Tversion v when r instanceof Rversion rv -> msize = rv.msize();
            case Tattach a when r instanceof Rattach ra && fids.size() < MAX_FIDS ->
                    fids.put(a.fid(), new FidState(new Identity(a.uname(), a.aname(), a.nUname()), List.of(), ra.qid().path()));
            case Twalk w when r instanceof Rwalk rw && rw.qids().size() == w.names().size() -> {
                FidState from = fids.get(w.fid());
                if (from != null && (fids.size() < MAX_FIDS || fids.containsKey(w.newfid()))) {
                    long qid = w.names().isEmpty() ? from.qidPath : rw.qids().getLast().path();
                    FidState to = new FidState(from.identity, resolve(from.path, w.names()), qid);
                    to.restorable = from.restorable;
                    fids.put(w.newfid(), to);
                }
            }
            case Tlopen o -> {
                FidState f = fids.get(o.fid());
                if (f != null) {
                    f.openFlags = o.flags();
                }
            }
            case Tlcreate c when r instanceof Rlcreate rc -> {
                FidState f = fids.get(c.fid());
                if (f != null) {
                    f.path = resolve(f.path, List.of(c.name()));
                    f.qidPath = rc.qid().path();
                    f.openFlags = c.flags();
                }
            }
            case Tmessage.Txattrwalk x -> {
                FidState from = fids.get(x.fid());
                if (from != null) {
                    FidState to = new FidState(from.identity, from.path, from.qidPath);
                    to.restorable = false;
                    fids.put(x.newfid(), to);
                }
            }
            case Tmessage.Txattrcreate x -> {
                FidState f = fids.get(x.fid());
                if (f != null) {
                    f.restorable = false;
                }
            }
            case Trename m -> {
                FidState f = fids.get(m.fid());
                FidState dir = fids.get(m.dfid());
                if (f != null && dir != null) {
                    renamed(f.identity.aname, f.path, resolve(dir.path, List.of(m.name())));
                }
            }
            case Trenameat m -> {
                FidState from = fids.get(m.olddirfid());
                FidState to = fids.get(m.newdirfid());
                if (from != null && to != null) {
                    renamed(from.identity.aname, resolve(from.path, List.of(m.oldname())),
                            resolve(to.path, List.of(m.newname())));
                }
            }
            case Tlock l when r instanceof Rlock rl && rl.status() == P9.LOCK_SUCCESS -> {
                FidState f = fids.get(l.fid());
                if (f != null) {
                    f.locks.apply(l);
                }
            }
            default -> {
                // an error answer, or a request that establishes nothing
            }
        }
    }

    /** Every fid at or below {@code from} (in the export {@code aname}) is now below {@code to}. */
    private void renamed(String aname, List<String> from, List<String> to) {
        for (FidState f : fids.values()) {
            if (f.identity.aname.equals(aname) && f.path.size() >= from.size()
                    && f.path.subList(0, from.size()).equals(from)) {
                List<String> moved = new ArrayList<>(to);
                moved.addAll(f.path.subList(from.size(), f.path.size()));
                f.path = List.copyOf(moved);
            }
        }
    }

    /** Whether a session was set up, so that a new server has something to be brought to. */
    synchronized boolean established() {
        return msize != 0;
    }

    /**
     * Brings a new server to this session's state through {@code ex}, which sends each request and
     * returns its answer (the caller holds back the kernel's requests meanwhile). An IOException
     * from {@code ex} (the new server went away too) leaves the log as it was, for the next one.
     */
    synchronized Restore restore(Exchange ex) throws IOException {
        Set<Integer> lost = new HashSet<>();
        List<String> lockLosses = new ArrayList<>();
        int restored = 0;
        if (msize != 0) {
            Rmessage v = ex.call(new Tversion(msize, "9P2000.L"));
            if (!(v instanceof Rversion rv) || rv.msize() < msize) {
                lost.addAll(fids.keySet()); // the kernel would send frames the server refuses
            } else {
                int own = FIRST_OWN_FID;
                Map<Identity, Root> roots = new LinkedHashMap<>();
                for (FidState f : fids.values()) {
                    if (!roots.containsKey(f.identity)) {
                        Rmessage a = ex.call(new Tattach(own, P9.NOFID, f.identity.uname, f.identity.aname, f.identity.nUname));
                        roots.put(f.identity, a instanceof Rattach ra ? new Root(own, ra.qid().path()) : null);
                        own++;
                    }
                }
                for (Map.Entry<Integer, FidState> e : fids.entrySet()) {
                    Root root = roots.get(e.getValue().identity);
                    if (root != null && e.getValue().restorable && bringBack(ex, root, e.getKey(), e.getValue(), lockLosses)) {
                        restored++;
                    } else {
                        lost.add(e.getKey());
                    }
                }
                for (Root root : roots.values()) {
                    if (root != null) {
                        ex.call(new Tclunk(root.fid()));
                    }
                }
            }
        }
        // the restore went through: from here on the log describes the new server's session
        for (Integer fid : lost) {
            fids.remove(fid);
            stale.add(fid);
        }
        List<byte[]> resend = new ArrayList<>();
        List<byte[]> replies = new ArrayList<>();
        for (var it = outstanding.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Pending p = e.getValue();
            int staleFid = staleFidIn(p.frame, p.type);
            if (staleFid != -1) {
                it.remove();
                replies.add(staleAnswer(p.type, e.getKey(), staleFid));
            } else {
                resend.add(p.frame);
            }
        }
        String summary = restored + " file(s) restored, " + lost.size() + " stale, " + resend.size()
                + " request(s) sent again" + (lockLosses.isEmpty() ? "" : "; locks lost: " + String.join(", ", lockLosses));
        return new Restore(resend, replies, summary);
    }

    /** A fid attached by the restore itself, and the export root's qid path. */
    private record Root(int fid, long qidPath) {}

    /** Walks {@code fid} back to its file from {@code root}, opens it and takes its locks again; false if it cannot be. */
    private boolean bringBack(Exchange ex, Root root, int fid, FidState f, List<String> lockLosses) throws IOException {
        List<String> path = f.path;
        long qid = root.qidPath();
        int from = root.fid();
        int at = 0;
        do {
            List<String> chunk = path.subList(at, Math.min(path.size(), at + P9.MAXWELEM));
            Rmessage r = ex.call(new Twalk(from, fid, chunk));
            if (!(r instanceof Rwalk w) || w.qids().size() != chunk.size()) {
                if (from == fid) {
                    ex.call(new Tclunk(fid)); // walked part of the way: the fid exists on the server
                }
                return false;
            }
            if (!chunk.isEmpty()) {
                qid = w.qids().getLast().path();
            }
            from = fid;
            at += chunk.size();
        } while (at < path.size());
        if (qid != f.qidPath || (f.openFlags != -1
                && !(ex.call(new Tlopen(fid, f.openFlags & ~CREATE_FLAGS)) instanceof Rmessage.Rlopen))) {
            ex.call(new Tclunk(fid)); // another file stands there now, or it cannot be opened again
            return false;
        }
        for (Tlock l : f.locks.held(fid)) {
            if (!(ex.call(l) instanceof Rlock r) || r.status() != P9.LOCK_SUCCESS) {
                lockLosses.add("/" + String.join("/", path) + " [" + l.start() + ", +" + l.length() + ")");
            }
        }
        return true;
    }

    /** The first fid a request names that is stale, or -1. */
    private int staleFidIn(byte[] frame, int type) {
        if (stale.isEmpty() || frame.length < 11) {
            return -1;
        }
        switch (type) {
            case P9.TVERSION, P9.TFLUSH, P9.TATTACH, P9.TAUTH -> {
                return -1;
            }
            default -> {
                // every other 9P2000.L request names its fid (or its directory's) first
            }
        }
        int fid = u32(frame, 7);
        if (stale.contains(fid)) {
            return fid;
        }
        int second = switch (type) {
            case P9.TRENAME, P9.TLINK -> frame.length >= 15 ? u32(frame, 11) : -1;
            case P9.TRENAMEAT -> {
                int nameEnd = 11 + 2 + u16(frame, 11);
                yield frame.length >= nameEnd + 4 ? u32(frame, nameEnd) : -1;
            }
            default -> -1;
        };
        return second != -1 && stale.contains(second) ? second : -1;
    }

    /** {@code base} followed by {@code names}, with "." dropped and ".." going up (never above the root). */
    static List<String> resolve(List<String> base, List<String> names) {
        List<String> out = new ArrayList<>(base);
        for (String n : names) {
            if (n.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
            } else if (!n.equals(".") && !n.isEmpty()) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }

    private static Fcall decode(byte[] frame) throws MalformedMessageException {
        return Codec.decode(frame, frame.length);
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static int u32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
