package dev.skiff.engine.image;

import dev.skiff.engine.api.Progress;
import dev.skiff.erofs.LayerConverter;
import dev.skiff.erofs.Summary;
import dev.skiff.erofs.tar.Decompression;
import dev.skiff.registry.BlobListener;
import dev.skiff.registry.Descriptor;
import dev.skiff.registry.RegistryException;
import dev.skiff.registry.Repository;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One layer of a pull, converted while it downloads: the registry's bytes are teed into the blob's
 * spool file (kept compressed, for push and save) and, decompressed, streamed into the layer's
 * EROFS disk. Nothing waits for the whole blob, and no layer waits for the one below it: each
 * layer's disk is independent. The compressed digest is checked by the registry client's stream
 * at its end, the diffID here; on any failure both files are deleted.
 */
final class LayerFetch {
    /** A "Downloading" update at most this often (Docker: every 512 KiB or 1%, at most 10 a second). */
    private static final long MIN_STEP = 512 << 10;
    private static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final Repository repository;
    private final Descriptor blob;
    private final String diffId;
    private final BlobStore blobs;
    private final LayerDisks disks;
    private final Progress progress;
    private final String id;

    LayerFetch(Repository repository, Descriptor blob, String diffId, BlobStore blobs, LayerDisks disks,
               Progress progress) {
        this.repository = repository;
        this.blob = blob;
        this.diffId = diffId;
        this.blobs = blobs;
        this.disks = disks;
        this.progress = progress;
        this.id = ArchiveLoader.short12(blob.digest());
    }

    String id() {
        return id;
    }

    /**
     * Downloads and converts; on success the blob (pinned: the caller unpins) and the disk are in place.
     *
     * @throws LayerFailure naming the layer, for anything that went wrong with its bytes
     */
    ImageDb.Layer run() throws RegistryException, IOException {
        Path spool = blobs.tempFile(".blob");
        Path disk = disks.tempFile(diffId);
        try {
            MessageDigest tarSha = BlobStore.sha256();
            Summary summary;
            try (InputStream body = repository.openBlob(blob, new Downloading());
                 FileChannel file = FileChannel.open(spool, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 Tee raw = new Tee(body, Channels.newOutputStream(file))) {
                DigestInputStream tar = new DigestInputStream(Decompression.open(new BufferedInputStream(raw, 1 << 16)), tarSha);
                try {
                    summary = LayerConverter.convert(tar, disk);
                    tar.transferTo(OutputStream.nullOutputStream()); // end-of-archive padding is part of the diffID
                } catch (IOException unreadable) {
                    // corrupt bytes usually show up as a bad tar or gzip first: if the digest is the cause, say that
                    raw.drain();
                    throw new LayerFailure("failed to register layer " + blob.digest() + ": "
                            + unreadable.getMessage(), unreadable);
                }
                raw.drain(); // to the end of the blob, where the client checks its size and digest
                file.force(true);
            }
            progress.layer(id, "Verifying Checksum");
            progress.layer(id, "Download complete");
            String actual = "sha256:" + HexFormat.of().formatHex(tarSha.digest());
            if (!actual.equals(diffId)) {
                throw new LayerFailure("layers from manifest don't match image configuration: layer "
                        + blob.digest() + " unpacks to " + actual + ", the config says " + diffId, null);
            }
            progress.layer(id, "Extracting", summary.tarBytes(), summary.tarBytes());
            blobs.adopt(spool, blob.digest());
            try {
                disks.adopt(diffId, disk);
            } catch (IOException | RuntimeException e) {
                blobs.unpin(blob.digest());
                throw e;
            }
            progress.layer(id, "Pull complete");
            return new ImageDb.Layer(diffId, blob.digest(), summary.fileBytes());
        } finally {
            Files.deleteIfExists(spool);
            Files.deleteIfExists(disk);
        }
    }

    /** Anything wrong with one layer's bytes; the message names the layer. */
    static final class LayerFailure extends IOException {
        LayerFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Docker's "Downloading" lines, thinned out, and its "Retrying in N seconds". */
    private final class Downloading implements BlobListener {
        private long shown = -1;
        private long shownAt;

        @Override
        public void progress(long done, long total) {
            long now = System.nanoTime();
            long step = Math.min(MIN_STEP, Math.max(1, total / 100));
            if (done == total || shown < 0 || done - shown >= step && now - shownAt >= MIN_INTERVAL_NANOS) {
                shown = done;
                shownAt = now;
                progress.layer(id, "Downloading", done, total);
            }
        }

        @Override
        public void retrying(int attempt, Duration wait, Exception cause) {
            progress.layer(id, "Retrying in " + Math.max(1, wait.toSeconds()) + " second"
                    + (wait.toSeconds() == 1 ? "" : "s"));
        }
    }

    /** Copies what is read to {@code copy}: the compressed blob as it passes. */
    private static final class Tee extends FilterInputStream {
        private final OutputStream copy;

        Tee(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** Reads to the end, so the blob is whole and its digest checked. */
        void drain() throws IOException {
            byte[] buf = new byte[1 << 16];
            while (read(buf, 0, buf.length) >= 0) {
                // the copy is the point
            }
        }

        @Override
        public void close() throws IOException {
            try {
                copy.close();
            } finally {
                in.close();
            }
        }
    }
}
