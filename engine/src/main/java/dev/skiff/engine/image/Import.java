package dev.skiff.engine.image;

import static dev.skiff.engine.image.ArchiveLoader.invalid;

import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.EngineException;
import dev.skiff.erofs.tar.Decompression;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** docker import: a root file system tar becomes a one-layer image. */
final class Import {
    private Import() {}

    /** See {@link ImageStore#importRootfs}. */
    static ImageStore.Image rootfs(ImageStore store, InputStream tar, String ref, Map<String, String> changes,
                                   Consumer<String> progress) throws EngineException, IOException {
        Reference tag = ref == null || ref.isBlank() ? null : Reference.parse(ref);
        if (tag != null && tag.digest() != null) {
            throw invalid("invalid reference format: " + ref + " (import takes name:tag, not a digest)");
        }
        Backend.ImageConfig config = Changes.apply(
                new Backend.ImageConfig(List.of(), List.of(), List.of(), "", "", Map.of(), List.of()), changes);
        BlobStore blobs = store.blobs();
        List<String> pins = new ArrayList<>();
        try {
            BlobStore.Stored layer;
            try {
                // stored uncompressed, as Docker does: the blob's digest is the diffID
                layer = blobs.store(new ReadGuard(Decompression.open(new ReadGuard(tar))), null);
            } catch (ReadGuard.ReadFailure | dev.skiff.erofs.LayerException e) {
                throw invalid("failed to import: the rootfs tar is truncated or corrupt: " + e.getMessage(), e);
            }
            pins.add(layer.digest());
            progress.accept("Importing layer " + ArchiveLoader.short12(layer.digest()));
            LayerDigest ld;
            try {
                ld = LayerDigest.of(blobs.path(layer.digest()));
            } catch (IOException e) {
                throw invalid("failed to import: the input is not a tar archive: " + e.getMessage(), e);
            }
            byte[] configBytes = ConfigJson.forImport(Instant.now(), config, ld.diffId(), "Imported from -");
            BlobStore.Stored configBlob = blobs.store(new ByteArrayInputStream(configBytes), null);
            pins.add(configBlob.digest());
            return store.commitImage(configBlob.digest(), List.of(new ImageDb.Layer(ld.diffId(), layer.digest(),
                    ld.size())), ConfigJson.parse(configBytes), tag == null ? List.of() : List.of(tag.familiar()),
                    progress);
        } finally {
            store.release(pins);
        }
    }
}
