package dev.skiff.erofs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Builds tar archives in memory, byte by byte, for tests: ustar headers, PAX headers (with binary values), GNU
 * long names, sparse files, and deliberately broken archives.
 */
public final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** One entry; fields are public for brevity. */
    public static final class Entry {
        public String name;
        public char type = '0';
        public int mode = 0644;
        public long uid;
        public long gid;
        public long mtime = 1_700_000_000L;
        public String paxMtime;
        public String link = "";
        public int major;
        public int minor;
        public byte[] data = new byte[0];
        /** Size to claim in the header (default: data length). */
        public Long claimedSize;
        public final Map<String, byte[]> xattrs = new LinkedHashMap<>();
        public final Map<String, byte[]> pax = new LinkedHashMap<>();
        public boolean gnuLongNames;

        public Entry(String name, char type) {
            this.name = name;
            this.type = type;
        }

        public Entry mode(int m) {
            mode = m;
            return this;
        }

        public Entry owner(long u, long g) {
            uid = u;
            gid = g;
            return this;
        }

        public Entry mtime(long t) {
            mtime = t;
            return this;
        }

        public Entry xattr(String n, byte[] v) {
            xattrs.put(n, v);
            return this;
        }

        public Entry data(byte[] d) {
            data = d;
            return this;
        }

        public Entry link(String l) {
            link = l;
            return this;
        }

        public Entry dev(int ma, int mi) {
            major = ma;
            minor = mi;
            return this;
        }
    }

    public static Entry file(String name, byte[] data) {
        return new Entry(name, '0').data(data);
    }

    public static Entry file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Entry dir(String name) {
        return new Entry(name, '5').mode(0755);
    }

    public static Entry symlink(String name, String target) {
        return new Entry(name, '2').mode(0777).link(target);
    }

    public static Entry hardlink(String name, String target) {
        return new Entry(name, '1').link(target);
    }

    public TarBuilder add(Entry e) {
        byte[] nameBytes = e.name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = e.link.getBytes(StandardCharsets.UTF_8);
        long size = e.claimedSize != null ? e.claimedSize : e.data.length;
        Map<String, byte[]> pax = new LinkedHashMap<>(e.pax);
        String hname = e.name;
        String hlink = e.link;
        if (nameBytes.length > 100) {
            if (e.gnuLongNames) {
                meta("././@LongLink", 'L', zeroTerminated(nameBytes));
            } else {
                pax.put("path", nameBytes);
            }
            hname = e.name.substring(0, 50);
        }
        if (linkBytes.length > 100) {
            if (e.gnuLongNames) {
                meta("././@LongLink", 'K', zeroTerminated(linkBytes));
            } else {
                pax.put("linkpath", linkBytes);
            }
            hlink = e.link.substring(0, 50);
        }
        for (var x : e.xattrs.entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (e.paxMtime != null) {
            pax.put("mtime", e.paxMtime.getBytes(StandardCharsets.US_ASCII));
        }
        boolean bigSize = size > 077777777777L;
        if (bigSize) {
            pax.put("size", Long.toString(size).getBytes(StandardCharsets.US_ASCII));
        }
        if (e.uid > 07777777 || e.gid > 07777777) {
            pax.put("uid", Long.toString(e.uid).getBytes(StandardCharsets.US_ASCII));
            pax.put("gid", Long.toString(e.gid).getBytes(StandardCharsets.US_ASCII));
        }
        if (!pax.isEmpty()) {
            meta("PaxHeaders/" + hname, 'x', paxData(pax));
        }
        header(hname, e.type, e.mode, e.uid > 07777777 ? 0 : e.uid, e.gid > 07777777 ? 0 : e.gid,
                bigSize ? 0 : size, e.mtime, hlink, e.major, e.minor);
        out.writeBytes(e.data);
        pad(e.data.length);
        return this;
    }

    /**
     * A PAX 1.0 sparse file (GNU tar's {@code --sparse --format=posix}): segments are {offset, length} pairs whose
     * bytes are taken from {@code fill}.
     */
    public TarBuilder sparse(String name, long realSize, long[][] segments, byte fill) {
        StringBuilder map = new StringBuilder().append(segments.length).append('\n');
        long stored = 0;
        for (long[] s : segments) {
            map.append(s[0]).append('\n').append(s[1]).append('\n');
            stored += s[1];
        }
        byte[] mapBytes = map.toString().getBytes(StandardCharsets.US_ASCII);
        int mapPadded = (mapBytes.length + 511) / 512 * 512;
        Map<String, byte[]> pax = new LinkedHashMap<>();
        pax.put("GNU.sparse.major", "1".getBytes());
        pax.put("GNU.sparse.minor", "0".getBytes());
        pax.put("GNU.sparse.name", name.getBytes(StandardCharsets.UTF_8));
        pax.put("GNU.sparse.realsize", Long.toString(realSize).getBytes());
        meta("PaxHeaders/sparse", 'x', paxData(pax));
        long size = mapPadded + stored;
        header("GNUSparseFile.0/" + name, '0', 0644, 0, 0, size, 1_700_000_000L, "", 0, 0);
        out.writeBytes(mapBytes);
        out.writeBytes(new byte[mapPadded - mapBytes.length]);
        for (long[] s : segments) {
            byte[] chunk = new byte[(int) s[1]];
            java.util.Arrays.fill(chunk, fill);
            out.writeBytes(chunk);
        }
        pad(size);
        return this;
    }

    /** Appends raw bytes (for broken archives). */
    public TarBuilder raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** The archive with its two zero blocks. */
    public byte[] build() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    /** The archive without end-of-archive blocks. */
    public byte[] buildUnterminated() {
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] tar) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(b)) {
            g.write(tar);
        }
        return b.toByteArray();
    }

    private static byte[] zeroTerminated(byte[] b) {
        byte[] r = new byte[b.length + 1];
        System.arraycopy(b, 0, r, 0, b.length);
        return r;
    }

    private void meta(String name, char type, byte[] data) {
        header(name, type, 0644, 0, 0, data.length, 0, "", 0, 0);
        out.writeBytes(data);
        pad(data.length);
    }

    public static byte[] paxData(Map<String, byte[]> records) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (var r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1;
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() != Integer.toString(body).length()) {
                len++;
            }
            b.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(key);
            b.write('=');
            b.writeBytes(r.getValue());
            b.write('\n');
        }
        return b.toByteArray();
    }

    private void pad(long n) {
        out.writeBytes(new byte[(int) ((512 - n % 512) % 512)]);
    }

    private void header(String name, char type, int mode, long uid, long gid, long size, long mtime, String link,
                        int major, int minor) {
        byte[] h = new byte[512];
        put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        octal(h, 329, 8, major);
        octal(h, 337, 8, minor);
        checksum(h);
        out.writeBytes(h);
    }

    /** Fills in the checksum field of a header block. */
    public static void checksum(byte[] h) {
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte x : h) {
            sum += x & 0xFF;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        System.arraycopy(v, 0, h, off, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        while (s.length() < len - 1) {
            s = "0" + s;
        }
        put(h, off, len - 1, s.getBytes(StandardCharsets.US_ASCII));
        h[off + len - 1] = 0;
    }

    /** Convenience: a list of entries as one archive. */
    public static byte[] of(List<Entry> entries) {
        TarBuilder b = new TarBuilder();
        entries.forEach(b::add);
        return b.build();
    }

    public static List<Entry> list(Entry... e) {
        return new ArrayList<>(List.of(e));
    }
}
