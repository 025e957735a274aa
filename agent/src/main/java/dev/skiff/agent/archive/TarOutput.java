package dev.skiff.agent.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tar stream as Go's archive/tar writes docker cp's: ustar headers, with a pax 'x'
 * header before one whose name, link name, size, owner or time does not fit ustar (or is not
 * ASCII). Times are whole seconds, as go-archive truncates them.
 */
final class TarOutput {
    private static final long MAX_OCTAL_11 = 077777777777L;
    private static final long MAX_OCTAL_7 = 07777777L;

    private final OutputStream out;
    private long remaining;
    private long padding;

    TarOutput(OutputStream out) {
        this.out = out;
    }

    /** Starts an entry; its {@code size} bytes of data follow through {@link #write}. */
    void header(TarEntry e) throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("the previous entry is " + remaining + " bytes short");
        }
        Map<String, String> pax = new LinkedHashMap<>();
        String[] split = splitUstar(e.name());
        if (split == null) {
            pax.put("path", e.name());
            split = new String[] {"", ascii(e.name(), 100)};
        }
        String link = e.linkname();
        if (!fits(link, 100)) {
            pax.put("linkpath", link);
            link = ascii(link, 100);
        }
        if (e.size() > MAX_OCTAL_11) {
            pax.put("size", Long.toString(e.size()));
        }
        if (Integer.toUnsignedLong(e.uid()) > MAX_OCTAL_7) {
            pax.put("uid", Integer.toUnsignedString(e.uid()));
        }
        if (Integer.toUnsignedLong(e.gid()) > MAX_OCTAL_7) {
            pax.put("gid", Integer.toUnsignedString(e.gid()));
        }
        if (e.mtimeSec() < 0 || e.mtimeSec() > MAX_OCTAL_11) {
            pax.put("mtime", Long.toString(e.mtimeSec()));
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            String base = e.name().replaceAll("/+$", "");
            base = base.substring(base.lastIndexOf('/') + 1);
            writeBlock(block("PaxHeaders.0/" + ascii(base, 87), "", TarEntry.PAX, 0644, 0, 0, records.length, 0, "",
                    0, 0));
            out.write(records);
            out.write(new byte[(int) ((TarInput.BLOCK - records.length % TarInput.BLOCK) % TarInput.BLOCK)]);
        }
        long mtime = e.mtimeSec() < 0 || e.mtimeSec() > MAX_OCTAL_11 ? 0 : e.mtimeSec();
        writeBlock(block(split[1], split[0], e.type(), e.mode(), Math.min(Integer.toUnsignedLong(e.uid()), MAX_OCTAL_7),
                Math.min(Integer.toUnsignedLong(e.gid()), MAX_OCTAL_7), Math.min(e.size(), MAX_OCTAL_11), mtime, link,
                e.devMajor(), e.devMinor()));
        remaining = e.size();
        padding = (TarInput.BLOCK - e.size() % TarInput.BLOCK) % TarInput.BLOCK;
        if (remaining == 0) {
            endEntry();
        }
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > remaining) {
            throw new IllegalStateException("entry data longer than its header says");
        }
        out.write(b, off, len);
        remaining -= len;
        if (remaining == 0) {
            endEntry();
        }
    }

    private void endEntry() throws IOException {
        out.write(new byte[(int) padding]);
        padding = 0;
    }

    /** The end of the archive: two zero blocks. */
    void finish() throws IOException {
        if (remaining != 0) {
            throw new IllegalStateException("the last entry is " + remaining + " bytes short");
        }
        out.write(new byte[2 * TarInput.BLOCK]);
        out.flush();
    }

    private void writeBlock(byte[] block) throws IOException {
        out.write(block);
    }

    private static byte[] block(String name, String prefix, char type, int mode, long uid, long gid, long size,
            long mtime, String link, int devMajor, int devMinor) {
        byte[] b = new byte[TarInput.BLOCK];
        put(b, 0, 100, name);
        octal(b, 100, 8, mode & 07777);
        octal(b, 108, 8, uid);
        octal(b, 116, 8, gid);
        octal(b, 124, 12, size);
        octal(b, 136, 12, mtime);
        b[156] = (byte) type;
        put(b, 157, 100, link);
        put(b, 257, 6, "ustar\0");
        put(b, 263, 2, "00");
        if (type == TarEntry.CHAR || type == TarEntry.BLOCK) {
            octal(b, 329, 8, Integer.toUnsignedLong(devMajor) & MAX_OCTAL_7);
            octal(b, 337, 8, Integer.toUnsignedLong(devMinor) & MAX_OCTAL_7);
        } else {
            octal(b, 329, 8, 0);
            octal(b, 337, 8, 0);
        }
        put(b, 345, 155, prefix);
        for (int i = 148; i < 156; i++) {
            b[i] = ' ';
        }
        long sum = 0;
        for (byte x : b) {
            sum += x & 0xff;
        }
        String chk = String.format("%06o", sum);
        put(b, 148, 6, chk);
        b[154] = 0;
        b[155] = ' ';
        return b;
    }

    private static void put(byte[] b, int off, int len, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, b, off, Math.min(len, bytes.length));
    }

    private static void octal(byte[] b, int off, int len, long v) {
        String s = Long.toOctalString(v);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        put(b, off, len - 1, padded);
        b[off + len - 1] = 0;
    }

    /** {prefix, name} when the name fits ustar as it is or split at a '/', else null. */
    static String[] splitUstar(String name) {
        if (!isAscii(name)) {
            return null;
        }
        if (name.length() <= 100) {
            return new String[] {"", name};
        }
        for (int i = Math.min(name.length() - 1, 155); i > 0; i--) {
            if (name.charAt(i) == '/' && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) {
                return new String[] {name.substring(0, i), name.substring(i + 1)};
            }
        }
        return null;
    }

    private static boolean fits(String s, int len) {
        return isAscii(s) && s.length() <= len;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c < 0x80 && c != 0 ? c : '_');
        }
        return b.toString();
    }

    static byte[] paxRecords(Map<String, String> records) {
        StringBuilder all = new StringBuilder();
        for (var r : records.entrySet()) {
            String body = " " + r.getKey() + "=" + r.getValue() + "\n";
            int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
            int len = bodyLen + 1;
            while (len != bodyLen + Integer.toString(len).length()) {
                len = bodyLen + Integer.toString(len).length();
            }
            all.append(len).append(body);
        }
        return all.toString().getBytes(StandardCharsets.UTF_8);
    }
}
