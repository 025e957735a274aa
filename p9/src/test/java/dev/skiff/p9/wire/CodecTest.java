package dev.skiff.p9.wire;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.wire.Rmessage.*;
import dev.skiff.p9.wire.Tmessage.*;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CodecTest {
    static final Qid Q = new Qid(P9.QTDIR, 7, 0x0123456789abcdefL);
    static final byte[] DATA = {1, 2, 3, (byte) 0xff};

    /** One sample of every message record; the test below proves none is missing. */
    static final List<Message> SAMPLES = List.of(
            new Tversion(P9.MAX_MSIZE, "9P2000.L"),
            new Tauth(5, "root", "/export", 0),
            new Tattach(1, P9.NOFID, "user", "", 1000),
            new Tflush(65534),
            new Twalk(1, 2, List.of("a", "bé", "..")),
            new Tread(3, 1L << 40, 65536),
            new Twrite(3, 42, DATA),
            new Tclunk(0xfffffffe),
            new Tremove(9),
            new Tstatfs(1),
            new Tlopen(2, P9.DOTL_RDWR | P9.DOTL_APPEND),
            new Tlcreate(2, "new", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 100),
            new Tsymlink(2, "ln", "../target", 100),
            new Tmknod(2, "fifo", 010644, 1, 3, 100),
            new Trename(4, 2, "moved"),
            new Treadlink(4),
            new Tgetattr(4, P9.GETATTR_ALL),
            new Tsetattr(4, 0x1ff, 0755, 1, 2, 1 << 20, 10, 20, 30, 40),
            new Txattrwalk(4, 5, "user.x"),
            new Txattrcreate(4, "user.y", 12, 1),
            new Treaddir(4, 99, 8192),
            new Tfsync(4, 1),
            new Tlock(4, P9.LOCK_TYPE_WRLCK, P9.LOCK_FLAGS_BLOCK, 0, 0, 1234, "host"),
            new Tgetlock(4, P9.LOCK_TYPE_RDLCK, 10, 20, 1234, "host"),
            new Tlink(2, 4, "hard"),
            new Tmkdir(2, "d", 0755, 100),
            new Trenameat(2, "a", 3, "b"),
            new Tunlinkat(2, "d", P9.AT_REMOVEDIR),
            new Rlerror(2),
            new Rversion(8192, "9P2000.L"),
            new Rauth(new Qid(P9.QTAUTH, 0, 1)),
            new Rattach(Q),
            new Rflush(),
            new Rwalk(List.of(Q, new Qid(0, 0, 5))),
            new Rread(DATA),
            new Rwrite(4),
            new Rclunk(),
            new Rremove(),
            new Rstatfs(0xef53, 4096, 100, 50, 40, 1000, 900, 0x1234_5678_9abcL, 255),
            new Rlopen(Q, 8168),
            new Rlcreate(Q, 8168),
            new Rsymlink(Q),
            new Rmknod(Q),
            new Rrename(),
            new Rreadlink("../t"),
            new Rgetattr(P9.GETATTR_ALL, Q, 040755, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17),
            new Rsetattr(),
            new Rxattrwalk(12),
            new Rxattrcreate(),
            new Rreaddir(DirEntry.pack(List.of(new DirEntry(Q, 1, 4, "."), new DirEntry(Q, 2, 8, "file")))),
            new Rfsync(),
            new Rlock(P9.LOCK_BLOCKED),
            new Rgetlock(P9.LOCK_TYPE_WRLCK, 0, 100, -1, ""),
            new Rlink(),
            new Rmkdir(Q),
            new Rrenameat(),
            new Runlinkat());

    @Test
    void everyMessageRecordHasASample() {
        Set<Class<?>> all = new HashSet<>();
        all.addAll(Arrays.asList(Tmessage.class.getPermittedSubclasses()));
        all.addAll(Arrays.asList(Rmessage.class.getPermittedSubclasses()));
        Set<Class<?>> sampled = new HashSet<>();
        SAMPLES.forEach(m -> sampled.add(m.getClass()));
        assertEquals(all, sampled);
    }

    @Test
    void everyMessageRoundTrips() throws Exception {
        int tag = 1;
        for (Message m : SAMPLES) {
            byte[] frame = Codec.encode(tag, m);
            assertEquals(frame.length, le32(frame, 0), "size field of " + m);
            assertEquals(m.type(), frame[4] & 0xff, "type byte of " + m);
            Fcall back = Codec.decode(frame, frame.length);
            assertEquals(tag, back.tag());
            assertEquals(m.getClass(), back.message().getClass());
            assertArrayEquals(frame, Codec.encode(tag, back.message()), "re-encoding " + m);
            if (!(m instanceof Twrite || m instanceof Rread || m instanceof Rreaddir)) {
                assertEquals(m, back.message());
            }
            tag = (tag * 7 + 3) & 0xffff;
        }
    }

    @Test
    void knownLayouts() throws Exception {
        // Tversion tag NOTAG: 19 00 00 00 | 64 | ff ff | 00 20 00 00 | 08 00 "9P2000.L"
        byte[] f = Codec.encode(P9.NOTAG, new Tversion(8192, "9P2000.L"));
        assertEquals("1500000064ffff0020000008003950323030302e4c", hex(f));
        byte[] q = Codec.encode(1, new Rattach(new Qid(0x80, 1, 2)));
        assertEquals("140000006901008001000000" + "0200000000000000", hex(q));
    }

    @Test
    void direntriesRoundTrip() throws Exception {
        List<DirEntry> e = List.of(new DirEntry(Q, 10, 4, "dir"), new DirEntry(new Qid(0, 0, 9), 11, 8, "ü"));
        assertEquals(e, DirEntry.unpack(DirEntry.pack(e)));
        byte[] cut = Arrays.copyOf(DirEntry.pack(e), DirEntry.pack(e).length - 1);
        assertThrows(MalformedMessageException.class, () -> DirEntry.unpack(cut));
    }

    @Test
    void sizeFieldMustMatchFrame() {
        byte[] f = Codec.encode(1, new Tclunk(3));
        f[0]++;
        assertThrows(MalformedMessageException.class, () -> Codec.decode(f, f.length));
    }

    @Test
    void truncatedBodyIsMalformed() {
        byte[] f = Codec.encode(1, new Tgetattr(3, 5));
        byte[] cut = Arrays.copyOf(f, f.length - 3);
        put32(cut, cut.length);
        assertThrows(MalformedMessageException.class, () -> Codec.decode(cut, cut.length));
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] f = Arrays.copyOf(Codec.encode(1, new Tclunk(3)), 15);
        put32(f, 15);
        assertThrows(MalformedMessageException.class, () -> Codec.decode(f, f.length));
    }

    @Test
    void stringLengthBeyondFrameIsMalformed() {
        byte[] f = Codec.encode(1, new Tunlinkat(1, "abc", 0));
        f[11] = (byte) 0xff; // name length 0x..ff
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> Codec.decode(f, f.length));
        assertTrue(e.getMessage().contains("string"), e.getMessage());
    }

    @Test
    void writeCountBeyondFrameIsMalformed() {
        byte[] f = Codec.encode(1, new Twrite(1, 0, DATA));
        put32at(f, 19, 0x7fffffff);
        assertThrows(MalformedMessageException.class, () -> Codec.decode(f, f.length));
        put32at(f, 19, -1);
        assertThrows(MalformedMessageException.class, () -> Codec.decode(f, f.length));
    }

    @Test
    void walkOfMoreThanMaxwelemNamesIsMalformed() {
        List<String> names = java.util.Collections.nCopies(17, "a");
        byte[] f = Codec.encode(1, new Twalk(1, 2, names));
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> Codec.decode(f, f.length));
        assertTrue(e.getMessage().contains("MAXWELEM"));
        byte[] r = Codec.encode(1, new Rwalk(java.util.Collections.nCopies(17, Q)));
        assertThrows(MalformedMessageException.class, () -> Codec.decode(r, r.length));
    }

    @Test
    void unknownTypeKeepsItsTag() {
        byte[] f = {7, 0, 0, 0, (byte) P9.TOPEN, 0x34, 0x12};
        UnknownMessageException e = assertThrows(UnknownMessageException.class, () -> Codec.decode(f, f.length));
        assertEquals(0x1234, e.tag());
        assertEquals(P9.TOPEN, e.messageType());
    }

    @Test
    void frameReaderRefusesOversizedAndUndersizedFramesBeforeReading() throws Exception {
        byte[] big = {0, 0, 0x20, 0, 100};
        FrameTooLongException e = assertThrows(FrameTooLongException.class,
                () -> new FrameReader(new ByteArrayInputStream(big), P9.MAX_MSIZE).read());
        assertEquals(0x200000, e.size());
        byte[] huge = {-1, -1, -1, -1};
        assertThrows(FrameTooLongException.class, () -> new FrameReader(new ByteArrayInputStream(huge), P9.MAX_MSIZE).read());
        byte[] tiny = {6, 0, 0, 0, 0, 0};
        assertThrows(FrameTooLongException.class, () -> new FrameReader(new ByteArrayInputStream(tiny), P9.MAX_MSIZE).read());
    }

    @Test
    void frameReaderAndWriterCarryMessagesUpToMsize() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out, P9.MAX_MSIZE);
        byte[] payload = new byte[P9.MAX_MSIZE - P9.IOHDRSZ + 1];
        w.write(3, new Twrite(1, 0, payload));
        w.write(4, new Tclunk(1));
        assertThrows(FrameTooLongException.class, () -> w.write(5, new Twrite(1, 0, new byte[P9.MAX_MSIZE])));
        FrameReader r = new FrameReader(new ByteArrayInputStream(out.toByteArray()), P9.MAX_MSIZE);
        Fcall a = r.read();
        assertEquals(payload.length, ((Twrite) a.message()).data().length);
        assertEquals(new Tclunk(1), r.read().message());
        assertNull(r.read());
    }

    @Test
    void streamEndingInsideAFrameIsAnError() {
        byte[] f = Arrays.copyOf(Codec.encode(1, new Tclunk(3)), 9);
        assertThrows(java.io.EOFException.class, () -> new FrameReader(new ByteArrayInputStream(f), 8192).read());
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static void put32(byte[] b, int v) {
        put32at(b, 0, v);
    }

    private static void put32at(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
