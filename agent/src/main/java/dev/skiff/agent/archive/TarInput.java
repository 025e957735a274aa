package dev.skiff.agent.archive;

import dev.skiff.agent.api.ArchivePaths;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream header by header (ustar, pax 'x' records, GNU 'L'/'K' long names), as Go's
 * archive/tar does for docker cp: header-only types carry no data, a pax global header is skipped,
 * and the end is two zero blocks or the end of the stream at a header. Everything is bounded:
 * pax records to {@link #MAX_PAX} bytes, names to {@link ArchivePaths#MAX_PATH}.
 */
final class TarInput {
    static final int BLOCK = 512;
    /** Go's maxSpecialFileSize: the largest pax header or GNU long name read. */
    static final int MAX_PAX = 1 << 20;

    private final InputStream in;
    private final byte[] block = new byte[BLOCK];
    private long remaining; // data bytes of the current entry not yet read
    private long padding; // bytes after them up to the next block

    TarInput(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread data of the previous one is skipped. */
    TarEntry next() throws IOException {
        skip(remaining + padding);
        remaining = 0;
        padding = 0;
        Map<String, String> pax = new HashMap<>();
        String longName = null;
        String longLink = null;
        while (true) {
            if (!readBlock(true)) {
                return null;
            }
            if (isZero(block)) {
                if (!readBlock(true) || isZero(block)) {
                    return null;
                }
                throw new TarFormatException("a zero block is followed by data: not a tar end");
            }
            checkChecksum();
            char type = (char) (block[156] & 0xff);
            long size = number(124, 12, "size");
            if (size < 0) {
                throw new TarFormatException("negative entry size");
            }
            switch (type) {
                case TarEntry.PAX, TarEntry.PAX_GLOBAL -> {
                    byte[] records = special(size, "pax header");
                    if (type == TarEntry.PAX) {
                        parsePax(records, pax);
                    }
                    continue;
                }
                case TarEntry.GNU_LONGNAME -> {
                    longName = cString(special(size, "GNU long name"));
                    continue;
                }
                case TarEntry.GNU_LONGLINK -> {
                    longLink = cString(special(size, "GNU long link name"));
                    continue;
                }
                default -> {
                    // a file's header: below
                }
            }
            boolean ustar = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
                    && block[261] == 'r' && block[262] == 0;
            String name = string(0, 100);
            if (ustar && block[345] != 0) {
                name = string(345, 155) + "/" + name;
            }
            name = pax.getOrDefault("path", longName != null ? longName : name);
            String link = pax.getOrDefault("linkpath", longLink != null ? longLink : string(157, 100));
            checkLength(name, "entry name");
            checkLength(link, "link name");
            if (pax.containsKey("size")) {
                size = paxLong(pax.get("size"), "size");
            }
            long[] mtime = pax.containsKey("mtime") ? paxTime(pax.get("mtime")) : new long[] {number(136, 12, "mtime"), 0};
            long[] atime = pax.containsKey("atime") ? paxTime(pax.get("atime")) : new long[] {-1, 0};
            int uid = (int) (pax.containsKey("uid") ? paxLong(pax.get("uid"), "uid") : number(108, 8, "uid"));
            int gid = (int) (pax.containsKey("gid") ? paxLong(pax.get("gid"), "gid") : number(116, 8, "gid"));
            boolean headerOnly = type == TarEntry.LINK || type == TarEntry.SYMLINK || type == TarEntry.CHAR
                    || type == TarEntry.BLOCK || type == TarEntry.DIR || type == TarEntry.FIFO;
            long data = headerOnly ? 0 : size;
            remaining = data;
            padding = (BLOCK - data % BLOCK) % BLOCK;
            return new TarEntry(name, type, (int) (number(100, 8, "mode") & 07777), uid, gid, data,
                    mtime[0], (int) mtime[1], atime[0], (int) atime[1], link, (int) number(329, 8, "devmajor"),
                    (int) number(337, 8, "devminor"));
        }
    }

    /** Reads data of the current entry; -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the tar ends inside an entry's data");
        }
        remaining -= n;
        return n;
    }

    private byte[] special(long size, String what) throws IOException {
        if (size > MAX_PAX) {
            throw new TarFormatException(what + " of " + size + " bytes is over the limit of " + MAX_PAX);
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) {
            throw new EOFException("the tar ends inside a " + what);
        }
        skip((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    private boolean readBlock(boolean endAllowed) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0 && endAllowed) {
            return false;
        }
        if (n != BLOCK) {
            throw new EOFException("the tar ends inside a header");
        }
        return true;
    }

    private void skip(long n) throws IOException {
        byte[] sink = new byte[8192];
        while (n > 0) {
            int r = in.read(sink, 0, (int) Math.min(sink.length, n));
            if (r < 0) {
                throw new EOFException("the tar ends inside an entry's data");
            }
            n -= r;
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkChecksum() throws IOException {
        long want = number(148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int v = i >= 148 && i < 156 ? ' ' : block[i];
            unsigned += v & 0xff;
            signed += v;
        }
        if (want != unsigned && want != signed) {
            throw new TarFormatException("bad header checksum: not a tar stream, or a damaged one");
        }
    }

    /** An octal field (NUL or space terminated) or a GNU base-256 one (high bit set). */
    private long number(int off, int len, String what) throws IOException {
        if ((block[off] & 0x80) != 0) {
            long v = block[off] & 0x3f;
            if ((block[off] & 0x40) != 0) {
                throw new TarFormatException("negative base-256 " + what);
            }
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw new TarFormatException(what + " out of range");
                }
                v = (v << 8) | (block[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        for (; i < end && block[i] != 0 && block[i] != ' '; i++) {
            int d = block[i] - '0';
            if (d < 0 || d > 7) {
                throw new TarFormatException("bad octal digit in " + what);
            }
            v = (v << 3) | d;
        }
        return v;
    }

    private String string(int off, int len) {
        int end = off;
        while (end < off + len && block[end] != 0) {
            end++;
        }
        return new String(block, off, end - off, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    private static void checkLength(String s, String what) throws TarFormatException {
        if (s.length() > ArchivePaths.MAX_PATH) {
            throw new TarFormatException(what + " longer than " + ArchivePaths.MAX_PATH + " characters");
        }
    }

    /** pax records: "LEN KEY=VALUE\n", LEN counting the whole record (POSIX pax, "extended header"). */
    static void parsePax(byte[] records, Map<String, String> into) throws TarFormatException {
        int p = 0;
        while (p < records.length) {
            int space = p;
            while (space < records.length && records[space] != ' ') {
                space++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(records, p, space - p, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new TarFormatException("bad pax record length");
            }
            if (len <= space - p + 2 || p + len > records.length || records[p + len - 1] != '\n') {
                throw new TarFormatException("bad pax record");
            }
            String record = new String(records, space + 1, p + len - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new TarFormatException("bad pax record: no key");
            }
            into.put(record.substring(0, eq), record.substring(eq + 1));
            p += len;
        }
    }

    private static long paxLong(String v, String what) throws TarFormatException {
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new TarFormatException("negative pax " + what);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new TarFormatException("bad pax " + what + ": " + v);
        }
    }

    /** A pax time "SECONDS[.FRACTION]" as {seconds, nanoseconds}. */
    static long[] paxTime(String v) throws TarFormatException {
        try {
            int dot = v.indexOf('.');
            long sec = Long.parseLong(dot < 0 ? v : v.substring(0, dot));
            long nsec = 0;
            if (dot >= 0) {
                String frac = (v.substring(dot + 1) + "000000000").substring(0, 9);
                nsec = Long.parseLong(frac);
                if (v.startsWith("-") && nsec != 0) {
                    sec -= 1;
                    nsec = 1_000_000_000 - nsec;
                }
            }
            return new long[] {sec, nsec};
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new TarFormatException("bad pax time: " + v);
        }
    }
}
