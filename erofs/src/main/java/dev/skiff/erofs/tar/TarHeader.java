package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import java.util.Arrays;

/**
 * One 512-byte tar header block: the ustar layout of POSIX.1-1988 ({@code name} at 0, {@code mode} 100,
 * {@code uid} 108, {@code gid} 116, {@code size} 124, {@code mtime} 136, {@code chksum} 148, {@code typeflag}
 * 156, {@code linkname} 157, {@code magic} 257, {@code devmajor} 329, {@code devminor} 337, {@code prefix} 345)
 * plus the GNU variant (old sparse map at 386, {@code isextended} 482, {@code realsize} 483). Numbers are octal
 * or, for large values, GNU base-256.
 */
final class TarHeader {
    static final int SIZE = 512;

    final byte[] b;

    TarHeader(byte[] block) {
        this.b = block;
    }

    static boolean isZero(byte[] block) {
        for (byte x : block) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    char type() {
        return (char) (b[156] & 0xFF);
    }

    boolean isPosix() {
        return b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r' && b[262] == 0;
    }

    boolean isGnu() {
        return b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a' && b[261] == 'r' && b[262] == ' ';
    }

    /** The name from the header fields alone (ustar prefix applied). */
    String name() {
        String name = string(0, 100);
        if (isPosix()) {
            String prefix = string(345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    String linkName() {
        return string(157, 100);
    }

    String string(int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return Names.ofBytes(Arrays.copyOfRange(b, off, end));
    }

    void verifyChecksum(long offset) throws LayerException {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < SIZE; i++) {
            int v = (i >= 148 && i < 156) ? ' ' : b[i];
            unsigned += v & 0xFF;
            signed += (i >= 148 && i < 156) ? ' ' : b[i];
        }
        long stored = number(148, 8, offset);
        if (stored != unsigned && stored != signed) {
            throw new LayerException(Names.display(name()), "bad tar header checksum at offset " + offset
                    + " (not a tar archive, or corrupt)");
        }
    }

    /** An octal or base-256 number field. */
    long number(int off, int len, long offset) throws LayerException {
        if ((b[off] & 0x80) != 0) {
            if ((b[off] & 0xFF) != 0x80) {
                throw new LayerException(Names.display(name()), "negative base-256 number in header at offset "
                        + offset);
            }
            long v = 0;
            for (int i = off + 1; i < off + len; i++) {
                if ((v >>> 55) != 0) {
                    throw new LayerException(Names.display(name()), "number too large in header at offset "
                            + offset);
                }
                v = (v << 8) | (b[i] & 0xFF);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end && b[i] != ' ' && b[i] != 0; i++) {
            if (b[i] < '0' || b[i] > '7') {
                throw new LayerException(Names.display(name()), "invalid octal number in header at offset "
                        + offset);
            }
            v = (v << 3) | (b[i] - '0');
        }
        return v;
    }
}
