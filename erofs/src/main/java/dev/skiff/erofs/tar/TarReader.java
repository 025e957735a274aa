package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams the entries of an (already decompressed) tar archive: ustar, GNU ({@code L}/{@code K} long names,
 * {@code S} old sparse files, base-256 numbers) and PAX (local and global headers, GNU sparse formats 0.0, 0.1 and
 * 1.0, {@code SCHILY.xattr.*} and {@code LIBARCHIVE.xattr.*} attributes).
 *
 * <p>Call {@link #next()} for each entry and, for a regular file, read its stored bytes from {@link #data()}
 * (for a sparse file, its segments back to back). Unread data is skipped by the next call. Every limit is named
 * and every malformed or truncated entry throws a {@link LayerException} that names it.
 */
public final class TarReader {
    /** Largest PAX header or GNU long name/link accepted. */
    public static final int MAX_META_SIZE = 1 << 20;
    /** Largest number of segments in one sparse file. */
    public static final int MAX_SPARSE_SEGMENTS = 1 << 20;

    private static final String XATTR_SCHILY = "SCHILY.xattr.";
    private static final String XATTR_LIBARCHIVE = "LIBARCHIVE.xattr.";

    private final TarInput in;
    private final byte[] block = new byte[TarHeader.SIZE];
    private final Map<String, byte[]> global = new LinkedHashMap<>();
    private String current;
    private long remaining;
    private long padding;
    private long storedSize;
    private boolean ended;

    public TarReader(InputStream decompressed) {
        this.in = new TarInput(decompressed);
    }

    /**
     * Content fingerprint of the tar bytes consumed so far (the whole stream, trailing zero blocks included,
     * once {@link #next()} has returned null): SHA-256 over the headers and over each entry's data CRC32C and
     * length. The same bytes always give the same fingerprint.
     */
    public byte[] digest() {
        return in.digest();
    }

    /** Decompressed bytes consumed so far. */
    public long offset() {
        return in.offset();
    }

    /** The next entry, or null at the end of the archive. */
    public TarEntry next() throws IOException {
        try {
            return nextEntry();
        } catch (LayerException e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private LayerException unreadable(IOException e) {
        return new LayerException(current == null ? null : Names.display(current),
                "failed to read the layer at offset " + in.offset() + " (corrupt or truncated): " + e.getMessage(), e);
    }

    private TarEntry nextEntry() throws IOException {
        if (ended) {
            return null;
        }
        skipRest();
        List<PaxRecords.Record> pax = new ArrayList<>();
        String longName = null;
        String longLink = null;
        boolean pending = false;
        while (true) {
            long offset = in.offset();
            int n = in.readFully(block, 0, TarHeader.SIZE);
            if (n == 0 && !pending) {
                // GNU tar accepts this silently, but a layer cut at an entry boundary looks exactly like it
                throw new LayerException(current == null ? null : Names.display(current),
                        "archive ends without its end-of-archive blocks after " + offset
                        + " bytes (truncated?)");
            }
            if (n < TarHeader.SIZE) {
                throw new LayerException(longName == null ? null : Names.display(longName),
                        "archive is truncated inside a header at offset " + offset);
            }
            if (TarHeader.isZero(block)) {
                if (pending) {
                    throw new LayerException(null, "end-of-archive marker right after an extended header at offset "
                            + offset);
                }
                ended = true;
                in.drain();
                return null;
            }
            TarHeader h = new TarHeader(block.clone());
            h.verifyChecksum(offset);
            long size = h.number(124, 12, offset);
            switch (h.type()) {
                case 'x' -> {
                    byte[] data = readMeta(h, size);
                    pax.addAll(PaxRecords.parse(data, data.length, h.name()));
                    pending = true;
                }
                case 'g' -> {
                    byte[] data = readMeta(h, size);
                    for (PaxRecords.Record r : PaxRecords.parse(data, data.length, h.name())) {
                        global.put(r.key(), r.value());
                    }
                }
                case 'L' -> {
                    longName = trimNul(readMeta(h, size));
                    pending = true;
                }
                case 'K' -> {
                    longLink = trimNul(readMeta(h, size));
                    pending = true;
                }
                case 'V' -> skipData(h.name(), size);
                default -> {
                    return entry(h, offset, size, pax, longName, longLink);
                }
            }
        }
    }

    /**
     * The stored data of the current entry. Reads past the data end return -1; an archive that ends early throws
     * a {@link LayerException} naming the entry.
     */
    public InputStream data() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] dst, int off, int len) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                int n;
                try {
                    n = in.read(dst, off, (int) Math.min(len, remaining));
                } catch (LayerException e) {
                    throw e;
                } catch (IOException e) {
                    throw unreadable(e);
                }
                if (n < 0) {
                    throw truncated();
                }
                remaining -= n;
                return n;
            }
        };
    }

    private LayerException truncated() {
        return new LayerException(Names.display(current), "archive is truncated: it ends "
                + (storedSize - remaining) + " bytes into the entry's " + storedSize + " bytes of data");
    }

    private void skipRest() throws IOException {
        if (remaining + padding > 0) {
            try {
                in.skip(remaining);
                remaining = 0;
                in.skip(padding);
                padding = 0;
            } catch (EOFException e) {
                throw truncated();
            }
        }
        in.endData();
    }

    private void skipData(String name, long size) throws IOException {
        try {
            in.skip(size + pad(size));
        } catch (EOFException e) {
            throw new LayerException(Names.display(name), "archive is truncated inside the entry's data");
        }
    }

    private static long pad(long size) {
        return (TarHeader.SIZE - (size % TarHeader.SIZE)) % TarHeader.SIZE;
    }

    private byte[] readMeta(TarHeader h, long size) throws IOException {
        if (size > MAX_META_SIZE) {
            throw new LayerException(Names.display(h.name()), "extended header of " + size
                    + " bytes exceeds the limit of " + MAX_META_SIZE);
        }
        byte[] data = new byte[(int) size];
        if (in.readFully(data, 0, data.length) < data.length) {
            throw new LayerException(Names.display(h.name()), "archive is truncated inside an extended header");
        }
        try {
            in.skip(pad(size));
        } catch (EOFException e) {
            throw new LayerException(Names.display(h.name()), "archive is truncated inside an extended header");
        }
        return data;
    }

    private static String trimNul(byte[] data) {
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        return Names.ofBytes(java.util.Arrays.copyOf(data, end));
    }

    private TarEntry entry(TarHeader h, long offset, long size, List<PaxRecords.Record> local, String longName,
                           String longLink) throws IOException {
        Map<String, byte[]> pax = new LinkedHashMap<>(global);
        List<Segment> pax00 = new ArrayList<>();
        long pendingOffset = -1;
        for (PaxRecords.Record r : local) {
            pax.put(r.key(), r.value());
            if (r.key().equals("GNU.sparse.offset")) {
                pendingOffset = decimal(r.text(), h.name(), r.key());
            } else if (r.key().equals("GNU.sparse.numbytes") && pendingOffset >= 0) {
                pax00.add(new Segment(pendingOffset, decimal(r.text(), h.name(), r.key())));
                pendingOffset = -1;
            }
        }
        String name = pax.containsKey("path") ? text(pax, "path") : longName != null ? longName : h.name();
        if (pax.containsKey("GNU.sparse.name")) {
            name = text(pax, "GNU.sparse.name");
        }
        current = name;
        String link = pax.containsKey("linkpath") ? text(pax, "linkpath") : longLink != null ? longLink
                : h.linkName();
        if (pax.containsKey("size")) {
            size = decimal(text(pax, "size"), name, "size");
        }
        long uid = pax.containsKey("uid") ? decimal(text(pax, "uid"), name, "uid") : h.number(108, 8, offset);
        long gid = pax.containsKey("gid") ? decimal(text(pax, "gid"), name, "gid") : h.number(116, 8, offset);
        long mtime = h.number(136, 12, offset);
        int nsec = 0;
        if (pax.containsKey("mtime")) {
            long[] t = PaxTime.parse(text(pax, "mtime"), name);
            mtime = t[0];
            nsec = (int) t[1];
        }
        int mode = (int) (h.number(100, 8, offset) & 07777);
        boolean ustar = h.isPosix() || h.isGnu();
        int major = ustar ? (int) h.number(329, 8, offset) : 0;
        int minor = ustar ? (int) h.number(337, 8, offset) : 0;
        if (pax.containsKey("SCHILY.devmajor")) {
            major = (int) decimal(text(pax, "SCHILY.devmajor"), name, "SCHILY.devmajor");
        }
        if (pax.containsKey("SCHILY.devminor")) {
            minor = (int) decimal(text(pax, "SCHILY.devminor"), name, "SCHILY.devminor");
        }
        Map<String, byte[]> xattrs = xattrs(pax, name);

        storedSize = size;
        remaining = size;
        padding = pad(size);
        in.beginData();
        EntryType type = switch (h.type()) {
            case '0', '\0', '7', 'S' -> name.endsWith("/") && h.type() != 'S' ? EntryType.DIRECTORY
                    : EntryType.REGULAR;
            case '1' -> EntryType.HARD_LINK;
            case '2' -> EntryType.SYMLINK;
            case '3' -> EntryType.CHAR_DEVICE;
            case '4' -> EntryType.BLOCK_DEVICE;
            case '5', 'D' -> EntryType.DIRECTORY;
            case '6' -> EntryType.FIFO;
            default -> throw new LayerException(Names.display(name), "unsupported tar entry type '"
                    + h.type() + "'");
        };
        if ((type == EntryType.HARD_LINK || type == EntryType.SYMLINK) && link.isEmpty()) {
            throw new LayerException(Names.display(name), "link without a target");
        }
        List<Segment> sparse = null;
        long logical = size;
        if (type == EntryType.REGULAR) {
            if (h.type() == 'S') {
                sparse = SparseMaps.gnu(h, in, name, offset);
                logical = h.number(483, 12, offset);
            } else if ("1".equals(textOrNull(pax, "GNU.sparse.major"))) {
                long before = in.offset();
                sparse = SparseMaps.pax10(in, name);
                long mapBytes = in.offset() - before;
                remaining -= mapBytes;
                if (remaining < 0) {
                    throw new LayerException(Names.display(name), "sparse map is larger than the entry");
                }
                logical = decimal(text(pax, "GNU.sparse.realsize"), name, "GNU.sparse.realsize");
            } else if (pax.containsKey("GNU.sparse.map")) {
                sparse = SparseMaps.pax01(text(pax, "GNU.sparse.map"), name);
                logical = decimal(text(pax, "GNU.sparse.size"), name, "GNU.sparse.size");
            } else if (!pax00.isEmpty()) {
                sparse = pax00;
                logical = decimal(text(pax, "GNU.sparse.size"), name, "GNU.sparse.size");
            }
            if (sparse != null) {
                SparseMaps.validate(sparse, logical, remaining, name);
            }
        }
        return new TarEntry(name, type, mode, uid, gid, mtime, nsec, logical, link.isEmpty() ? null : link,
                major, minor, xattrs, sparse, offset);
    }

    private static Map<String, byte[]> xattrs(Map<String, byte[]> pax, String name) throws LayerException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(XATTR_SCHILY) && key.length() > XATTR_SCHILY.length()) {
                out.put(key.substring(XATTR_SCHILY.length()), e.getValue());
            } else if (key.startsWith(XATTR_LIBARCHIVE) && key.length() > XATTR_LIBARCHIVE.length()) {
                try {
                    String attr = Names.ofBytes(java.net.URLDecoder.decode(key.substring(XATTR_LIBARCHIVE.length()),
                            java.nio.charset.StandardCharsets.ISO_8859_1).getBytes(
                            java.nio.charset.StandardCharsets.ISO_8859_1));
                    out.put(attr, Base64.getDecoder().decode(Names.ofBytes(e.getValue()).strip()));
                } catch (IllegalArgumentException ex) {
                    throw new LayerException(Names.display(name), "malformed " + Names.display(key) + " record", ex);
                }
            }
        }
        return out;
    }

    private static String text(Map<String, byte[]> pax, String key) {
        return Names.ofBytes(pax.get(key));
    }

    private static String textOrNull(Map<String, byte[]> pax, String key) {
        byte[] v = pax.get(key);
        return v == null ? null : Names.ofBytes(v);
    }

    static long decimal(String s, String entry, String field) throws LayerException {
        try {
            long v = Long.parseLong(s.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new LayerException(Names.display(entry), "invalid PAX " + field + " value '" + Names.display(s)
                    + "'");
        }
    }
}
