package dev.skiff.p9.wire;

import dev.skiff.p9.wire.Rmessage.*;
import dev.skiff.p9.wire.Tmessage.*;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes and decodes whole frames: size[4] type[1] tag[2] body. Layouts follow Linux
 * include/net/9p/9p.h and net/9p/protocol.c (p9pdu_vwritef/readf) and diod's protocol.md.
 * Decoding is strict: every length field is checked against the frame, Twalk/Rwalk carry at
 * most {@link P9#MAXWELEM} elements and a frame may not carry trailing bytes. The codec
 * never touches a stream; see {@link FrameReader} and {@link FrameWriter} for that.
 */
public final class Codec {
    private Codec() {}

    /** Encodes one message with its tag into a new array holding exactly the frame. */
    public static byte[] encode(int tag, Message m) {
        // Exact sizes for the bulk messages, so that the frame is never copied once more to trim it.
        int hint = switch (m) {
            case Twrite t -> t.data().length + 23;
            case Rread r -> r.data().length + 11;
            case Rreaddir r -> r.data().length + 11;
            default -> 64;
        };
        WireWriter w = new WireWriter(hint);
        w.u32(0);
        w.u8(m.type());
        w.u16(tag);
        switch (m) {
            case Tmessage t -> body(w, t);
            case Rmessage r -> body(w, r);
        }
        w.patchU32(0, w.position());
        byte[] a = w.array();
        return a.length == w.position() ? a : Arrays.copyOf(a, w.position());
    }

    private static void body(WireWriter w, Tmessage t) {
        switch (t) {
            case Tversion m -> { w.u32(m.msize()); w.str(m.version()); }
            case Tauth m -> { w.u32(m.afid()); w.str(m.uname()); w.str(m.aname()); w.u32(m.nUname()); }
            case Tattach m -> {
                w.u32(m.fid()); w.u32(m.afid()); w.str(m.uname()); w.str(m.aname()); w.u32(m.nUname());
            }
            case Tflush m -> w.u16(m.oldtag());
            case Twalk m -> {
                w.u32(m.fid()); w.u32(m.newfid()); w.u16(m.names().size());
                m.names().forEach(w::str);
            }
            case Tread m -> { w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count()); }
            case Twrite m -> {
                w.u32(m.fid()); w.u64(m.offset()); w.u32(m.data().length);
                w.bytes(m.data(), 0, m.data().length);
            }
            case Tclunk m -> w.u32(m.fid());
            case Tremove m -> w.u32(m.fid());
            case Tstatfs m -> w.u32(m.fid());
            case Tlopen m -> { w.u32(m.fid()); w.u32(m.flags()); }
            case Tlcreate m -> {
                w.u32(m.fid()); w.str(m.name()); w.u32(m.flags()); w.u32(m.mode()); w.u32(m.gid());
            }
            case Tsymlink m -> { w.u32(m.fid()); w.str(m.name()); w.str(m.target()); w.u32(m.gid()); }
            case Tmknod m -> {
                w.u32(m.dfid()); w.str(m.name()); w.u32(m.mode()); w.u32(m.major());
                w.u32(m.minor()); w.u32(m.gid());
            }
            case Trename m -> { w.u32(m.fid()); w.u32(m.dfid()); w.str(m.name()); }
            case Treadlink m -> w.u32(m.fid());
            case Tgetattr m -> { w.u32(m.fid()); w.u64(m.requestMask()); }
            case Tsetattr m -> {
                w.u32(m.fid()); w.u32(m.valid()); w.u32(m.mode()); w.u32(m.uid()); w.u32(m.gid());
                w.u64(m.size()); w.u64(m.atimeSec()); w.u64(m.atimeNsec()); w.u64(m.mtimeSec());
                w.u64(m.mtimeNsec());
            }
            case Txattrwalk m -> { w.u32(m.fid()); w.u32(m.newfid()); w.str(m.name()); }
            case Txattrcreate m -> { w.u32(m.fid()); w.str(m.name()); w.u64(m.attrSize()); w.u32(m.flags()); }
            case Treaddir m -> { w.u32(m.fid()); w.u64(m.offset()); w.u32(m.count()); }
            case Tfsync m -> { w.u32(m.fid()); w.u32(m.datasync()); }
            case Tlock m -> {
                w.u32(m.fid()); w.u8(m.lockType()); w.u32(m.flags()); w.u64(m.start());
                w.u64(m.length()); w.u32(m.procId()); w.str(m.clientId());
            }
            case Tgetlock m -> {
                w.u32(m.fid()); w.u8(m.lockType()); w.u64(m.start()); w.u64(m.length());
                w.u32(m.procId()); w.str(m.clientId());
            }
            case Tlink m -> { w.u32(m.dfid()); w.u32(m.fid()); w.str(m.name()); }
            case Tmkdir m -> { w.u32(m.dfid()); w.str(m.name()); w.u32(m.mode()); w.u32(m.gid()); }
            case Trenameat m -> {
                w.u32(m.olddirfid()); w.str(m.oldname()); w.u32(m.newdirfid()); w.str(m.newname());
            }
            case Tunlinkat m -> { w.u32(m.dirfid()); w.str(m.name()); w.u32(m.flags()); }
        }
    }

    private static void body(WireWriter w, Rmessage r) {
        switch (r) {
            case Rlerror m -> w.u32(m.ecode());
            case Rversion m -> { w.u32(m.msize()); w.str(m.version()); }
            case Rauth m -> w.qid(m.aqid());
            case Rattach m -> w.qid(m.qid());
            case Rflush m -> { }
            case Rwalk m -> { w.u16(m.qids().size()); m.qids().forEach(w::qid); }
            case Rread m -> { w.u32(m.data().length); w.bytes(m.data(), 0, m.data().length); }
            case Rwrite m -> w.u32(m.count());
            case Rclunk m -> { }
            case Rremove m -> { }
            case Rstatfs m -> {
                w.u32(m.fsType()); w.u32(m.bsize()); w.u64(m.blocks()); w.u64(m.bfree());
                w.u64(m.bavail()); w.u64(m.files()); w.u64(m.ffree()); w.u64(m.fsid());
                w.u32(m.namelen());
            }
            case Rlopen m -> { w.qid(m.qid()); w.u32(m.iounit()); }
            case Rlcreate m -> { w.qid(m.qid()); w.u32(m.iounit()); }
            case Rsymlink m -> w.qid(m.qid());
            case Rmknod m -> w.qid(m.qid());
            case Rrename m -> { }
            case Rreadlink m -> w.str(m.target());
            case Rgetattr m -> {
                w.u64(m.valid()); w.qid(m.qid()); w.u32(m.mode()); w.u32(m.uid()); w.u32(m.gid());
                w.u64(m.nlink()); w.u64(m.rdev()); w.u64(m.size()); w.u64(m.blksize());
                w.u64(m.blocks()); w.u64(m.atimeSec()); w.u64(m.atimeNsec()); w.u64(m.mtimeSec());
                w.u64(m.mtimeNsec()); w.u64(m.ctimeSec()); w.u64(m.ctimeNsec());
                w.u64(m.btimeSec()); w.u64(m.btimeNsec()); w.u64(m.gen()); w.u64(m.dataVersion());
            }
            case Rsetattr m -> { }
            case Rxattrwalk m -> w.u64(m.size());
            case Rxattrcreate m -> { }
            case Rreaddir m -> { w.u32(m.data().length); w.bytes(m.data(), 0, m.data().length); }
            case Rfsync m -> { }
            case Rlock m -> w.u8(m.status());
            case Rgetlock m -> {
                w.u8(m.lockType()); w.u64(m.start()); w.u64(m.length()); w.u32(m.procId());
                w.str(m.clientId());
            }
            case Rlink m -> { }
            case Rmkdir m -> w.qid(m.qid());
            case Rrenameat m -> { }
            case Runlinkat m -> { }
        }
    }

    /**
     * Decodes one frame held in {@code frame[0..length)}: the size field must equal
     * {@code length}.
     *
     * @throws UnknownMessageException for a well-framed message of a type not implemented here
     * @throws MalformedMessageException for anything else that breaks the format
     */
    public static Fcall decode(byte[] frame, int length) throws MalformedMessageException {
        if (length < P9.HEADER_SIZE || length > frame.length) {
            throw new MalformedMessageException("frame of " + length + " bytes is shorter than its header");
        }
        WireReader r = new WireReader(frame, 0, length);
        int size = r.u32();
        if (size != length) {
            throw new MalformedMessageException("size field " + Integer.toUnsignedString(size)
                    + " does not match frame of " + length + " bytes");
        }
        int type = r.u8();
        int tag = r.u16();
        Message m = switch (type) {
            case P9.TVERSION -> new Tversion(r.u32(), r.str());
            case P9.TAUTH -> new Tauth(r.u32(), r.str(), r.str(), r.u32());
            case P9.TATTACH -> new Tattach(r.u32(), r.u32(), r.str(), r.str(), r.u32());
            case P9.TFLUSH -> new Tflush(r.u16());
            case P9.TWALK -> {
                int fid = r.u32(), newfid = r.u32(), n = r.u16();
                if (n > P9.MAXWELEM) {
                    throw new MalformedMessageException("Twalk of " + n + " names exceeds MAXWELEM");
                }
                List<String> names = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    names.add(r.str());
                }
                yield new Twalk(fid, newfid, names);
            }
            case P9.TREAD -> new Tread(r.u32(), r.u64(), r.u32());
            case P9.TWRITE -> new Twrite(r.u32(), r.u64(), r.counted());
            case P9.TCLUNK -> new Tclunk(r.u32());
            case P9.TREMOVE -> new Tremove(r.u32());
            case P9.TSTATFS -> new Tstatfs(r.u32());
            case P9.TLOPEN -> new Tlopen(r.u32(), r.u32());
            case P9.TLCREATE -> new Tlcreate(r.u32(), r.str(), r.u32(), r.u32(), r.u32());
            case P9.TSYMLINK -> new Tsymlink(r.u32(), r.str(), r.str(), r.u32());
            case P9.TMKNOD -> new Tmknod(r.u32(), r.str(), r.u32(), r.u32(), r.u32(), r.u32());
            case P9.TRENAME -> new Trename(r.u32(), r.u32(), r.str());
            case P9.TREADLINK -> new Treadlink(r.u32());
            case P9.TGETATTR -> new Tgetattr(r.u32(), r.u64());
            case P9.TSETATTR -> new Tsetattr(r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u64(),
                    r.u64(), r.u64(), r.u64(), r.u64());
            case P9.TXATTRWALK -> new Txattrwalk(r.u32(), r.u32(), r.str());
            case P9.TXATTRCREATE -> new Txattrcreate(r.u32(), r.str(), r.u64(), r.u32());
            case P9.TREADDIR -> new Treaddir(r.u32(), r.u64(), r.u32());
            case P9.TFSYNC -> new Tfsync(r.u32(), r.u32());
            case P9.TLOCK -> new Tlock(r.u32(), r.u8(), r.u32(), r.u64(), r.u64(), r.u32(), r.str());
            case P9.TGETLOCK -> new Tgetlock(r.u32(), r.u8(), r.u64(), r.u64(), r.u32(), r.str());
            case P9.TLINK -> new Tlink(r.u32(), r.u32(), r.str());
            case P9.TMKDIR -> new Tmkdir(r.u32(), r.str(), r.u32(), r.u32());
            case P9.TRENAMEAT -> new Trenameat(r.u32(), r.str(), r.u32(), r.str());
            case P9.TUNLINKAT -> new Tunlinkat(r.u32(), r.str(), r.u32());

            case P9.RLERROR -> new Rlerror(r.u32());
            case P9.RVERSION -> new Rversion(r.u32(), r.str());
            case P9.RAUTH -> new Rauth(r.qid());
            case P9.RATTACH -> new Rattach(r.qid());
            case P9.RFLUSH -> new Rflush();
            case P9.RWALK -> {
                int n = r.u16();
                if (n > P9.MAXWELEM) {
                    throw new MalformedMessageException("Rwalk of " + n + " qids exceeds MAXWELEM");
                }
                List<Qid> qids = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    qids.add(r.qid());
                }
                yield new Rwalk(qids);
            }
            case P9.RREAD -> new Rread(r.counted());
            case P9.RWRITE -> new Rwrite(r.u32());
            case P9.RCLUNK -> new Rclunk();
            case P9.RREMOVE -> new Rremove();
            case P9.RSTATFS -> new Rstatfs(r.u32(), r.u32(), r.u64(), r.u64(), r.u64(), r.u64(),
                    r.u64(), r.u64(), r.u32());
            case P9.RLOPEN -> new Rlopen(r.qid(), r.u32());
            case P9.RLCREATE -> new Rlcreate(r.qid(), r.u32());
            case P9.RSYMLINK -> new Rsymlink(r.qid());
            case P9.RMKNOD -> new Rmknod(r.qid());
            case P9.RRENAME -> new Rrename();
            case P9.RREADLINK -> new Rreadlink(r.str());
            case P9.RGETATTR -> new Rgetattr(r.u64(), r.qid(), r.u32(), r.u32(), r.u32(), r.u64(),
                    r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(), r.u64(),
                    r.u64(), r.u64(), r.u64(), r.u64(), r.u64());
            case P9.RSETATTR -> new Rsetattr();
            case P9.RXATTRWALK -> new Rxattrwalk(r.u64());
            case P9.RXATTRCREATE -> new Rxattrcreate();
            case P9.RREADDIR -> new Rreaddir(r.counted());
            case P9.RFSYNC -> new Rfsync();
            case P9.RLOCK -> new Rlock(r.u8());
            case P9.RGETLOCK -> new Rgetlock(r.u8(), r.u64(), r.u64(), r.u32(), r.str());
            case P9.RLINK -> new Rlink();
            case P9.RMKDIR -> new Rmkdir(r.qid());
            case P9.RRENAMEAT -> new Rrenameat();
            case P9.RUNLINKAT -> new Runlinkat();
            default -> throw new UnknownMessageException(type, tag);
        };
        r.end();
        return new Fcall(tag, m);
    }
}
