package dev.skiff.virtiofs.wire;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Copies a request out of guest memory before anything of it is believed. The guest may change
 * its memory while we read it, so a value checked in guest memory could differ when used; every
 * check is made on the heap copy, and the decoder reads only the copy. The header is copied
 * first, to learn {@code len}; then exactly {@code len} bytes are copied, bounded by the limit.
 */
public final class RequestCopy {
    private RequestCopy() {}

    /** Thrown when the request is too short to carry a header: there is no unique to answer. */
    public static final class NoHeader extends Exception {
        public NoHeader(long bytes) {
            super("request of " + bytes + " bytes has no fuse_in_header");
        }
    }

    /** The request's header, from a copy of its first 40 bytes. */
    public static InHeader header(List<MemorySegment> readable) throws NoHeader {
        long total = total(readable);
        if (total < Fuse.IN_HEADER_SIZE) {
            throw new NoHeader(total);
        }
        return FuseDecoder.header(gather(readable, Fuse.IN_HEADER_SIZE));
    }

    /**
     * The request ({@code header.len()} bytes, header included), after checking that {@code len}
     * covers a header, lies within the readable bytes and within {@code limit}. A WRITE's copy
     * stops after its fuse_write_in: its data is only data (nothing of it is checked or believed),
     * so it goes from guest memory to the file without a copy ({@link #payload}).
     */
    public static byte[] copy(List<MemorySegment> readable, InHeader header, int limit) throws ErrnoException {
        long len = Integer.toUnsignedLong(header.len());
        if (len < Fuse.IN_HEADER_SIZE || len > total(readable) || len > limit) {
            throw new ErrnoException("decode", "request of len " + len + " (readable " + total(readable)
                    + ", limit " + limit + ")", Errno.EINVAL);
        }
        if (header.opcode() == Fuse.WRITE) {
            len = Math.min(len, Fuse.IN_HEADER_SIZE + Fuse.WRITE_IN_SIZE);
        }
        return gather(readable, (int) len);
    }

    /**
     * Bytes {@code [from, from + len)} of the readable part, as slices of guest memory; the
     * caller has checked the range against the request's len, which lies within the readable bytes.
     */
    public static List<MemorySegment> payload(List<MemorySegment> readable, long from, long len) {
        return new GuestBuffer(readable).slices(from, len);
    }

    private static long total(List<MemorySegment> readable) {
        long n = 0;
        for (MemorySegment s : readable) {
            n += s.byteSize();
        }
        return n;
    }

    private static byte[] gather(List<MemorySegment> readable, int len) {
        byte[] out = new byte[len];
        int at = 0;
        for (MemorySegment s : readable) {
            if (at == len) {
                break;
            }
            int n = (int) Math.min(s.byteSize(), len - at);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, out, at, n);
            at += n;
        }
        return out;
    }
}
