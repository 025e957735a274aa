package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The records of a PAX extended header (POSIX.1-2001 {@code pax}, "extended header"): {@code "LEN KEY=VALUE\n"},
 * where LEN counts the whole record. Values stay raw bytes: {@code SCHILY.xattr.security.capability} is binary.
 * Order is kept because the old GNU sparse format 0.0 repeats its keys.
 */
final class PaxRecords {
    /** One record; the key is raw bytes held one per char. */
    record Record(String key, byte[] value) {
        String text() {
            return Names.ofBytes(value);
        }
    }

    private PaxRecords() {}

    static List<Record> parse(byte[] data, int length, String entry) throws LayerException {
        List<Record> out = new ArrayList<>();
        int pos = 0;
        while (pos < length) {
            if (data[pos] == 0) {
                break; // NUL padding after the last record
            }
            int sp = pos;
            long len = 0;
            while (sp < length && data[sp] >= '0' && data[sp] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (data[sp] - '0');
                sp++;
            }
            if (sp >= length || data[sp] != ' ' || len <= sp - pos + 1 || pos + len > length
                    || data[(int) (pos + len - 1)] != '\n') {
                throw new LayerException(Names.display(entry), "malformed PAX record at byte " + pos
                        + " of the extended header");
            }
            int end = (int) (pos + len - 1);
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new LayerException(Names.display(entry), "PAX record without '=' at byte " + pos);
            }
            String key = Names.ofBytes(Arrays.copyOfRange(data, sp + 1, eq));
            out.add(new Record(key, Arrays.copyOfRange(data, eq + 1, end)));
            pos = end + 1;
        }
        return out;
    }
}
