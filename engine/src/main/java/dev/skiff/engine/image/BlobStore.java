package dev.skiff.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * Content-addressed blobs under {@code blobs/sha256/<hex>}. A blob is spooled to {@code tmp/}
 * while its SHA-256 is computed, then renamed into place, so a blob file is always complete and
 * named by its content.
 *
 * <p>Pins keep blobs of operations in progress (a load that has spooled its layers but not yet
 * committed its images) from being collected by a concurrent {@code rmi}: {@link #store} pins the
 * blob it returns, and {@link #deleteUnlessPinned} is the only way a blob is removed. Both take
 * the pins' monitor, so "pin, then see it exists" and "see it unpinned, then delete" never interleave.
 */
final class BlobStore {
    private static final int BUFFER = 1 << 16;

    private final Path dir;
    private final Path tmp;
    private final Map<String, Integer> pins = new HashMap<>();

    BlobStore(Path root) throws IOException {
        this.dir = Files.createDirectories(root.resolve("blobs").resolve("sha256"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p); // a crash's half-written spool files
            }
        }
    }

    /** The folder for temporary files on the store's file system. */
    Path tmpDir() {
        return tmp;
    }

    Path tempFile(String suffix) {
        return tmp.resolve(UUID.randomUUID() + suffix);
    }

    Path path(String digest) {
        return dir.resolve(hex(digest));
    }

    boolean exists(String digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The result of spooling: the digest (pinned) and the byte count. */
    record Stored(String digest, long size) {}

    /** Thrown by {@link #store} when the content does not match the digest the caller expected. */
    static final class DigestMismatch extends IOException {
        final String expected;
        final String actual;

        DigestMismatch(String expected, String actual) {
            super("digest mismatch: expected " + expected + ", got " + actual);
            this.expected = expected;
            this.actual = actual;
        }
    }

    /**
     * Copies {@code in} to its end into a blob and pins it.
     *
     * @param expected {@code sha256:<hex>} the content must have, or null
     * @throws DigestMismatch if {@code expected} is given and differs (nothing is stored)
     */
    Stored store(InputStream in, String expected) throws IOException {
        Path spool = tempFile(".blob");
        try {
            MessageDigest sha = sha256();
            long size = 0;
            try (FileChannel ch = FileChannel.open(spool, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                byte[] buf = new byte[BUFFER];
                int n;
                while ((n = in.read(buf)) > 0) {
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                    size += n;
                }
                out.flush();
                ch.force(true);
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
            if (expected != null && !expected.equals(digest)) {
                throw new DigestMismatch(expected, digest);
            }
            adopt(spool, digest);
            return new Stored(digest, size);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    /** Pins {@code digest} and moves {@code file} into place as that blob (unless it is already there). */
    void adopt(Path file, String digest) throws IOException {
        Path target = path(digest);
        synchronized (pins) {
            pins.merge(digest, 1, Integer::sum);
            if (!Files.isRegularFile(target)) {
                try {
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException raced) {
                    // same content, stored by someone else
                } catch (IOException | RuntimeException e) {
                    unpin(digest);
                    throw e;
                }
            }
        }
    }

    /** Pins a blob that already exists; false (and nothing pinned) if it does not. */
    boolean pinIfExists(String digest) {
        synchronized (pins) {
            if (!exists(digest)) {
                return false;
            }
            pins.merge(digest, 1, Integer::sum);
            return true;
        }
    }

    void unpin(String digest) {
        synchronized (pins) {
            pins.computeIfPresent(digest, (k, v) -> v == 1 ? null : v - 1);
        }
    }

    /** Deletes the blob unless an operation in progress has pinned it. */
    void deleteUnlessPinned(String digest) throws IOException {
        synchronized (pins) {
            if (!pins.containsKey(digest)) {
                Files.deleteIfExists(path(digest));
            }
        }
    }

    /** Reads a small blob whole; {@code limit} bounds it. */
    byte[] read(String digest, int limit) throws IOException {
        Path p = path(digest);
        long size = Files.size(p);
        if (size > limit) {
            throw new IOException("blob " + digest + " is " + size + " bytes, more than the limit of " + limit);
        }
        return Files.readAllBytes(p);
    }

    static String hex(String digest) {
        if (!Reference.DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring(7);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String digestOf(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** Writes {@code file} atomically: a temp file beside it, fsync, rename, fsync of the folder. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot fsync a directory; the rename is still atomic
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
