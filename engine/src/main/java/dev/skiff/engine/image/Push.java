package dev.skiff.engine.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Progress;
import dev.skiff.registry.BlobListener;
import dev.skiff.registry.Credentials;
import dev.skiff.registry.Descriptor;
import dev.skiff.registry.ImageManifest;
import dev.skiff.registry.RegistryClient;
import dev.skiff.registry.RegistryException;
import dev.skiff.registry.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * One docker push of one tag: each layer's blob is checked with HEAD and skipped when the registry
 * has it, mounted from another repository of the same registry when the image came from there, and
 * uploaded otherwise; then the config and a manifest. Layers stored uncompressed (loaded or
 * imported) are gzipped first, as Docker pushes them; pulled layers go up as the bytes they came as,
 * so their digests, and the manifest's, stay those the registry served.
 */
final class Push {
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    private final BlobStore blobs;
    private final Repository repository;
    private final Progress progress;
    /** Repositories on the same registry that served this image: where a blob can be mounted from. */
    private final List<String> mountFrom;

    Push(BlobStore blobs, Repository repository, List<String> mountFrom, Progress progress) {
        this.blobs = blobs;
        this.repository = repository;
        this.mountFrom = mountFrom;
        this.progress = progress;
    }

    /** docker push of {@code name:tag} from {@code store}: see {@link ImageStore#push}. */
    static String push(ImageStore store, RegistryClient registries, String name, String tag, Credentials credentials,
                       Progress progress) throws EngineException, IOException {
        Reference ref = Reference.parse(name + ":" + (tag == null || tag.isEmpty() ? Reference.DEFAULT_TAG : tag));
        ImageStore.State s = store.state();
        ImageStore.Match m;
        try {
            m = ImageStore.match(s, ref.familiar());
        } catch (EngineException missing) {
            throw EngineException.notFound("An image does not exist locally with the tag: " + ref.name());
        }
        String id = m.id();
        List<String> mountFrom = new ArrayList<>();
        for (String digestRef : s.repos().digests(id)) {
            Reference origin = Reference.tryParse(digestRef);
            if (origin != null && origin.registry().equals(ref.registry())
                    && !origin.remotePath().equals(ref.remotePath()) && !mountFrom.contains(origin.remotePath())) {
                mountFrom.add(origin.remotePath());
            }
        }
        List<String> pins = store.pinImage(id, "push");
        try {
            progress.message(null, "The push refers to repository [" + ref.registry() + "/" + ref.remotePath() + "]");
            Repository repository = registries.repository(ref.registry(), ref.remotePath(), credentials, true);
            String digest = new Push(store.blobs(), repository, mountFrom, progress)
                    .run(id, store.blobs().read(id, ConfigJson.MAX_JSON), s.db().images().get(id), ref.tag());
            store.addReference(ref.withDigest(digest).familiar(), id);
            return digest;
        } catch (RegistryException e) {
            throw RegistryErrors.toEngine(e);
        } finally {
            store.release(pins);
        }
    }

    /** A layer as pushed: where its bytes are, and the descriptor the manifest lists. */
    private record Upload(Path file, Descriptor descriptor, boolean temporary) {}

    /**
     * Pushes the image (blobs pinned by the caller) under {@code tag}; returns the manifest's digest.
     */
    String run(String id, byte[] config, List<ImageDb.Layer> layers, String tag)
            throws EngineException, IOException, RegistryException {
        List<Upload> uploads = new ArrayList<>();
        try {
            for (ImageDb.Layer l : layers) {
                progress.layer(ArchiveLoader.short12(l.diffId()), "Preparing");
            }
            for (ImageDb.Layer l : layers) {
                Upload u = prepare(l);
                uploads.add(u);
                push(ArchiveLoader.short12(l.diffId()), u);
            }
            boolean oci = uploads.stream().anyMatch(u -> u.descriptor().mediaType().equals(ImageManifest.OCI_LAYER_ZSTD));
            Descriptor configBlob = new Descriptor(oci ? ImageManifest.OCI_CONFIG : ImageManifest.DOCKER_CONFIG, id,
                    config.length);
            if (!repository.hasBlob(id)) {
                repository.pushBlob(configBlob, () -> new java.io.ByteArrayInputStream(config), BlobListener.NONE);
            }
            byte[] manifest = manifest(oci, configBlob, uploads);
            String mediaType = oci ? ImageManifest.OCI_MANIFEST : ImageManifest.DOCKER_V2;
            String digest = repository.putManifest(tag, mediaType, manifest);
            progress.message(null, tag + ": digest: " + digest + " size: " + manifest.length);
            Map<String, Object> aux = new LinkedHashMap<>();
            aux.put("Tag", tag);
            aux.put("Digest", digest);
            aux.put("Size", manifest.length);
            progress.aux(aux);
            return digest;
        } finally {
            for (Upload u : uploads) {
                if (u.temporary()) {
                    Files.deleteIfExists(u.file());
                }
            }
        }
    }

    private void push(String id, Upload u) throws RegistryException {
        String digest = u.descriptor().digest();
        if (repository.hasBlob(digest)) {
            progress.layer(id, "Layer already exists");
            return;
        }
        for (String from : mountFrom) {
            if (repository.mountBlob(digest, from)) {
                progress.layer(id, "Mounted from " + from);
                return;
            }
        }
        long total = u.descriptor().size();
        repository.pushBlob(u.descriptor(), () -> Files.newInputStream(u.file()), new BlobListener() {
            @Override
            public void progress(long done, long all) {
                progress.layer(id, "Pushing", done, total);
            }
        });
        progress.layer(id, "Pushed");
    }

    /** The blob as it goes up: stored compressed as is; stored plain, gzipped into a temp file first. */
    private Upload prepare(ImageDb.Layer l) throws IOException {
        Path stored = blobs.path(l.blob());
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(stored)) {
            n = in.readNBytes(head, 0, 4);
        }
        if (n >= 2 && head[0] == GZIP[0] && head[1] == GZIP[1]) {
            return new Upload(stored, new Descriptor(ImageManifest.DOCKER_LAYER_GZIP, l.blob(), Files.size(stored)),
                    false);
        }
        if (n == 4 && java.util.Arrays.equals(head, ZSTD)) {
            return new Upload(stored, new Descriptor(ImageManifest.OCI_LAYER_ZSTD, l.blob(), Files.size(stored)),
                    false);
        }
        Path gz = blobs.tempFile(".tar.gz");
        MessageDigest sha = BlobStore.sha256();
        try (InputStream in = Files.newInputStream(stored);
             OutputStream out = new GZIPOutputStream(new DigestOutputStream(Files.newOutputStream(gz), sha), 1 << 16)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(gz);
            throw e;
        }
        String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
        return new Upload(gz, new Descriptor(ImageManifest.DOCKER_LAYER_GZIP, digest, Files.size(gz)), true);
    }

    private static byte[] manifest(boolean oci, Descriptor config, List<Upload> uploads) throws IOException {
        ObjectNode m = ConfigJson.JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", oci ? ImageManifest.OCI_MANIFEST : ImageManifest.DOCKER_V2);
        m.putObject("config").put("mediaType", config.mediaType()).put("size", config.size())
                .put("digest", config.digest());
        var layers = m.putArray("layers");
        for (Upload u : uploads) {
            Descriptor d = u.descriptor();
            String type = oci && d.mediaType().equals(ImageManifest.DOCKER_LAYER_GZIP) ? ImageManifest.OCI_LAYER_GZIP
                    : d.mediaType();
            layers.addObject().put("mediaType", type).put("size", d.size()).put("digest", d.digest());
        }
        return ConfigJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    }
}
