package dev.skiff.erofs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;

/**
 * A layer tar generated on the fly (never held in memory): {@code files} small files and one big file of
 * {@code bigBytes} patterned bytes. {@code main} converts it, so a test can run it in a JVM with a tiny heap.
 */
public final class GeneratedLayer {
    private GeneratedLayer() {}

    public static InputStream tar(int files, long bigBytes) {
        java.util.Enumeration<InputStream> parts = new java.util.Enumeration<>() {
            int next = -1; // -1: the directory, 0..files-1: small files, then the big file, its data, the end

            @Override
            public boolean hasMoreElements() {
                return next <= files + 2;
            }

            @Override
            public InputStream nextElement() {
                int i = next++;
                if (i == -1) {
                    return bytes(new TarBuilder().add(TarBuilder.dir("small/")).buildUnterminated());
                }
                if (i < files) {
                    return bytes(new TarBuilder()
                            .add(TarBuilder.file("small/file-" + i, "content of file " + i + "\n".repeat(i % 50)))
                            .buildUnterminated());
                }
                if (i == files) {
                    TarBuilder.Entry big = TarBuilder.file("big", new byte[0]);
                    big.claimedSize = bigBytes;
                    return bytes(new TarBuilder().add(big).buildUnterminated());
                }
                if (i == files + 1) {
                    return pattern(bigBytes);
                }
                return bytes(new byte[(int) ((512 - bigBytes % 512) % 512) + 1024]);
            }
        };
        return new SequenceInputStream(parts);
    }

    private static InputStream bytes(byte[] b) {
        return new ByteArrayInputStream(b);
    }

    /** Byte i of the big file is {@code (i * 31 + i / 4096) & 0xFF}. */
    static InputStream pattern(long n) {
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                return pos < n ? (int) ((pos * 31 + pos++ / 4096) & 0xFF) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= n) {
                    return -1;
                }
                int k = (int) Math.min(len, n - pos);
                for (int i = 0; i < k; i++, pos++) {
                    b[off + i] = (byte) (pos * 31 + pos / 4096);
                }
                return k;
            }
        };
    }

    public static void main(String[] args) throws IOException {
        Summary s = LayerConverter.convert(tar(Integer.parseInt(args[1]), Long.parseLong(args[2])), Path.of(args[0]));
        System.out.println(s.entries() + " " + s.bytesOut());
    }
}
