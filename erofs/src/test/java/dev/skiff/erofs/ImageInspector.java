package dev.skiff.erofs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately small, separate reader of raw inodes (mode, ids, times, xattrs) for what erofs-utils 1.5 does not
 * print: set-id bits, exact mtimes and xattr names and values. Written from {@code erofs_fs.h}, not from the
 * writer's code.
 */
public final class ImageInspector {
    public record RawInode(int mode, long nlink, long uid, long gid, long size, long mtime, int mtimeNsec,
                           boolean extended, int layout, Map<String, String> xattrs) {}

    private ImageInspector() {}

    public static RawInode inode(Path image, long nid) throws IOException {
        try (FileChannel ch = FileChannel.open(image)) {
            ByteBuffer sb = read(ch, 1024, 128);
            long metaBlk = sb.getInt(40) & 0xFFFFFFFFL;
            int blkbits = sb.get(12);
            long buildTime = sb.getLong(24);
            int buildNsec = sb.getInt(32);
            long off = (metaBlk << blkbits) + nid * 32;
            ByteBuffer in = read(ch, off, 64);
            int format = in.getShort(0) & 0xFFFF;
            boolean ext = (format & 1) == 1;
            int icount = in.getShort(2) & 0xFFFF;
            int mode = in.getShort(4) & 0xFFFF;
            RawInode base;
            int isize;
            if (ext) {
                isize = 64;
                base = new RawInode(mode, in.getInt(44) & 0xFFFFFFFFL, in.getInt(24) & 0xFFFFFFFFL,
                        in.getInt(28) & 0xFFFFFFFFL, in.getLong(8), in.getLong(32), in.getInt(40), true,
                        (format >> 1) & 7, null);
            } else {
                isize = 32;
                base = new RawInode(mode, in.getShort(6) & 0xFFFF, in.getShort(24) & 0xFFFF,
                        in.getShort(26) & 0xFFFF, in.getInt(8) & 0xFFFFFFFFL, buildTime, buildNsec, false,
                        (format >> 1) & 7, null);
            }
            Map<String, String> xattrs = new TreeMap<>();
            if (icount > 0) {
                int size = 12 + (icount - 1) * 4;
                ByteBuffer x = read(ch, off + isize, size);
                int shared = x.get(4) & 0xFF;
                int p = 12 + shared * 4;
                while (p + 4 <= size) {
                    int nameLen = x.get(p) & 0xFF;
                    int index = x.get(p + 1) & 0xFF;
                    int valueLen = x.getShort(p + 2) & 0xFFFF;
                    byte[] name = new byte[nameLen];
                    x.get(p + 4, name);
                    byte[] value = new byte[valueLen];
                    x.get(p + 4 + nameLen, value);
                    String prefix = switch (index) {
                        case 1 -> "user.";
                        case 2 -> "system.posix_acl_access";
                        case 3 -> "system.posix_acl_default";
                        case 4 -> "trusted.";
                        case 6 -> "security.";
                        default -> "?" + index + ".";
                    };
                    xattrs.put(prefix + new String(name, StandardCharsets.UTF_8), HexFormat.of().formatHex(value));
                    p += (4 + nameLen + valueLen + 3) & ~3;
                }
            }
            return new RawInode(base.mode(), base.nlink(), base.uid(), base.gid(), base.size(), base.mtime(),
                    base.mtimeNsec(), ext, base.layout(), xattrs);
        }
    }

    /**
     * The bytes of a CHUNK_BASED file (erofs-utils 1.5's {@code --extract} stops at the first
     * {@code EROFS_NULL_ADDR} hole, so sparse files are read here instead); holes read as zeros.
     */
    public static byte[] chunkedContent(Path image, long nid) throws IOException {
        try (FileChannel ch = FileChannel.open(image)) {
            ByteBuffer sb = read(ch, 1024, 128);
            long metaBlk = sb.getInt(40) & 0xFFFFFFFFL;
            int blkbits = sb.get(12);
            long off = (metaBlk << blkbits) + nid * 32;
            ByteBuffer in = read(ch, off, 64);
            int format = in.getShort(0) & 0xFFFF;
            if (((format >> 1) & 7) != 4) {
                throw new IllegalArgumentException("nid " + nid + " is not chunk-based");
            }
            boolean ext = (format & 1) == 1;
            int icount = in.getShort(2) & 0xFFFF;
            long size = ext ? in.getLong(8) : in.getInt(8) & 0xFFFFFFFFL;
            int chunkFormat = in.getShort(16) & 0xFFFF;
            if ((chunkFormat & 0x20) != 0) {
                throw new IllegalArgumentException("chunk indexes not supported by this inspector");
            }
            int chunkBits = blkbits + (chunkFormat & 0x1F);
            long mapAt = off + (ext ? 64 : 32) + (icount == 0 ? 0 : 12 + (icount - 1) * 4L);
            long chunk = 1L << chunkBits;
            int chunks = (int) ((size + chunk - 1) / chunk);
            ByteBuffer map = read(ch, mapAt, chunks * 4);
            byte[] out = new byte[Math.toIntExact(size)];
            for (int c = 0; c < chunks; c++) {
                int addr = map.getInt(c * 4);
                if (addr == -1) {
                    continue;
                }
                int len = (int) Math.min(chunk, size - c * chunk);
                ByteBuffer data = read(ch, (addr & 0xFFFFFFFFL) << blkbits, len);
                data.get(0, out, (int) (c * chunk), len);
            }
            return out;
        }
    }

    private static ByteBuffer read(FileChannel ch, long off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, off + b.position()) < 0) {
                break;
            }
        }
        return b.flip().order(ByteOrder.LITTLE_ENDIAN);
    }
}
