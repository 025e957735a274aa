package dev.skiff.engine.image;

import dev.skiff.erofs.tar.Decompression;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A layer's diffID (the SHA-256 of its uncompressed tar, OCI image-spec config.md "Layer DiffID")
 * and its size as Docker counts it: the bytes of its regular files, which is what {@code docker
 * images} adds up (moby's layer store records the size of the applied diff, not of the tar).
 *
 * @param diffId {@code sha256:<hex>} of the uncompressed tar
 * @param size   the sum of the regular files' sizes
 */
record LayerDigest(String diffId, long size) {
    /** Reads the blob (plain, gzip or zstd) once; IOException if it is not a complete tar. */
    static LayerDigest of(Path blob) throws IOException {
        try (InputStream raw = Files.newInputStream(blob)) {
            return of(raw);
        }
    }

    static LayerDigest of(InputStream raw) throws IOException {
        MessageDigest sha = BlobStore.sha256();
        DigestInputStream tarBytes = new DigestInputStream(Decompression.open(raw), sha);
        long size = 0;
        TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes);
        TarArchiveEntry e;
        int entries = 0;
        while ((e = tar.getNextEntry()) != null) {
            entries++;
            if (e.isFile() && !e.isLink()) {
                size += e.getSize();
            }
        }
        if (entries == 0 && tar.getBytesRead() == 0) {
            throw new IOException("the layer is empty, not a tar");
        }
        tarBytes.transferTo(java.io.OutputStream.nullOutputStream()); // the end-of-archive blocks and padding count too
        return new LayerDigest("sha256:" + HexFormat.of().formatHex(sha.digest()), size);
    }
}
