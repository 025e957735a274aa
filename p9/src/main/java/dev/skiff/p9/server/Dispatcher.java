package dev.skiff.p9.server;

import dev.skiff.p9.fs.Caller;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Tmessage;
import dev.skiff.p9.wire.Tmessage.*;

/**
 * Routes a request to its handler: an exhaustive switch over the sealed {@link Tmessage}, so
 * the compiler proves every message has one (QEMU's pdu_handlers table, hw/9pfs/9p.c).
 * Handlers are thin: check, delegate to the backend, build the reply.
 */
final class Dispatcher {

    /** Routes {@code r}, with its fid's attach uid bound as the {@link Caller}. */
    Rmessage handle(Session s, Request r) throws Exception {
        Tmessage t = r.message;
        ReadOnly.check(s.export(), t);
        return Caller.as(s.attachUid(fidOf(t)), () -> route(s, r, t));
    }

    private static Rmessage route(Session s, Request r, Tmessage t) throws Exception {
        return switch (t) {
            case Tversion m -> throw new IllegalStateException("Tversion is handled by the session");
            case Tflush m -> throw new IllegalStateException("Tflush is handled by the session");
            case Tauth m -> Auth.auth(s, m);
            case Tattach m -> FidOps.attach(s, r, m);
            case Twalk m -> FidOps.walk(s, r, m);
            case Tclunk m -> FidOps.clunk(s, m);
            case Tremove m -> FidOps.remove(s, m);
            case Tlopen m -> IoOps.lopen(s, r, m);
            case Tlcreate m -> IoOps.lcreate(s, r, m);
            case Tread m -> IoOps.read(s, r, m);
            case Twrite m -> IoOps.write(s, r, m);
            case Treaddir m -> IoOps.readdir(s, r, m);
            case Tfsync m -> IoOps.fsync(s, r, m);
            case Tlock m -> LockOps.lock(s, r, m);
            case Tgetlock m -> LockOps.getlock(s, r, m);
            case Tgetattr m -> NodeOps.getattr(s, r, m);
            case Tsetattr m -> NodeOps.setattr(s, r, m);
            case Tstatfs m -> NodeOps.statfs(s, r, m);
            case Treadlink m -> NodeOps.readlink(s, r, m);
            case Tsymlink m -> NodeOps.symlink(s, r, m);
            case Tmknod m -> NodeOps.mknod(s, r, m);
            case Tmkdir m -> NodeOps.mkdir(s, r, m);
            case Tlink m -> NodeOps.link(s, r, m);
            case Trename m -> NodeOps.rename(s, r, m);
            case Trenameat m -> NodeOps.renameat(s, r, m);
            case Tunlinkat m -> NodeOps.unlinkat(s, r, m);
            case Txattrwalk m -> XattrOps.xattrwalk(s, r, m);
            case Txattrcreate m -> XattrOps.xattrcreate(s, r, m);
        };
    }

    /** The fid whose attach a request acts for: the one walked from, or the folder changed. */
    static int fidOf(Tmessage t) {
        return switch (t) {
            case Tversion m -> P9.NOFID;
            case Tflush m -> P9.NOFID;
            case Tauth m -> P9.NOFID;
            case Tattach m -> P9.NOFID;
            case Twalk m -> m.fid();
            case Tclunk m -> m.fid();
            case Tremove m -> m.fid();
            case Tlopen m -> m.fid();
            case Tlcreate m -> m.fid();
            case Tread m -> m.fid();
            case Twrite m -> m.fid();
            case Treaddir m -> m.fid();
            case Tfsync m -> m.fid();
            case Tlock m -> m.fid();
            case Tgetlock m -> m.fid();
            case Tgetattr m -> m.fid();
            case Tsetattr m -> m.fid();
            case Tstatfs m -> m.fid();
            case Treadlink m -> m.fid();
            case Tsymlink m -> m.fid();
            case Tmknod m -> m.dfid();
            case Tmkdir m -> m.dfid();
            case Tlink m -> m.dfid();
            case Trename m -> m.fid();
            case Trenameat m -> m.olddirfid();
            case Tunlinkat m -> m.dirfid();
            case Txattrwalk m -> m.fid();
            case Txattrcreate m -> m.fid();
        };
    }
}
