package dev.skiff.engine.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.EngineException;
import dev.skiff.erofs.tar.Decompression;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a {@code docker save} archive as Docker 25 and later do: an OCI image layout
 * ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}) that also carries Docker's
 * {@code manifest.json} and {@code repositories}, so Docker 20.10's {@code docker load}, skopeo's
 * {@code docker-archive:} and OCI tools all read it. Layers are written uncompressed, named by their
 * diffID, as Docker writes them; a layer stored compressed (pulled) is inflated into a temp file
 * first, because a tar header needs the size before the bytes.
 */
final class ArchiveSaver {
    /** One image to save: its id (config digest), config bytes, layers, and the tags to record ("name:tag"). */
    record Entry(String id, byte[] config, List<ImageDb.Layer> layers, List<String> tags) {}

    private final BlobStore blobs;
    private final TarArchiveOutputStream tar;
    private final Set<String> written = new HashSet<>();
    private final Map<String, Long> layerSizes = new HashMap<>();

    ArchiveSaver(BlobStore blobs, OutputStream out) {
        this.blobs = blobs;
        this.tar = new TarArchiveOutputStream(out);
        this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    /** docker save of the images {@code names} name: see {@link ImageStore#save}. */
    static void save(ImageStore store, List<String> names, OutputStream out) throws EngineException, IOException {
        ImageStore.State s = store.state();
        Map<String, List<String>> tagsOf = new LinkedHashMap<>();
        for (String name : names) {
            ImageStore.Match m = ImageStore.match(s, name);
            List<String> tags = tagsOf.computeIfAbsent(m.id(), k -> new ArrayList<>());
            Reference r = m.ref() == null ? null : Reference.tryParse(m.ref());
            if (r == null || r.tag() == null) {
                continue; // by id or digest: no tag to record
            }
            if (hasTag(name)) {
                addOnce(tags, m.ref());
            } else {
                // a bare repository name saves all its tags, as Docker does
                s.repos().refs().keySet().stream().map(Reference::tryParse)
                        .filter(o -> o != null && o.tag() != null && o.name().equals(r.name()))
                        .forEach(o -> addOnce(tags, o.familiar()));
            }
        }
        List<String> pins = new ArrayList<>();
        try {
            List<Entry> entries = new ArrayList<>();
            for (var e : tagsOf.entrySet()) {
                pins.addAll(store.pinImage(e.getKey(), "save"));
                entries.add(new Entry(e.getKey(), store.blobs().read(e.getKey(), ConfigJson.MAX_JSON),
                        s.db().images().get(e.getKey()), List.copyOf(e.getValue())));
            }
            new ArchiveSaver(store.blobs(), out).write(entries);
        } finally {
            store.release(pins);
        }
    }

    /** Whether a reference as typed names a tag or digest, rather than a whole repository. */
    private static boolean hasTag(String name) {
        return name.contains("@") || name.lastIndexOf(':') > name.lastIndexOf('/');
    }

    private static void addOnce(List<String> list, String value) {
        if (!list.contains(value)) {
            list.add(value);
        }
    }

    /** Writes the whole archive; the blobs of {@code entries} must be pinned by the caller. */
    void write(List<Entry> entries) throws IOException {
        ArrayNode manifestJson = ConfigJson.JSON.createArrayNode();
        ArrayNode index = ConfigJson.JSON.createArrayNode();
        Map<String, Map<String, String>> repositories = new LinkedHashMap<>();
        for (Entry e : entries) {
            blob(e.id(), e.config());
            ObjectNode manifest = ConfigJson.JSON.createObjectNode().put("schemaVersion", 2)
                    .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
            manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                    .put("digest", e.id()).put("size", e.config().length);
            ArrayNode layers = manifest.putArray("layers");
            ArrayNode layerPaths = ConfigJson.JSON.createArrayNode();
            for (ImageDb.Layer l : e.layers()) {
                long size = layer(l);
                layers.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                        .put("digest", l.diffId()).put("size", size);
                layerPaths.add(path(l.diffId()));
            }
            byte[] manifestBytes = ConfigJson.JSON.writeValueAsBytes(manifest);
            String manifestDigest = BlobStore.digestOf(manifestBytes);
            blob(manifestDigest, manifestBytes);
            ObjectNode m = manifestJson.addObject().put("Config", path(e.id()));
            ArrayNode repoTags = m.putArray("RepoTags");
            m.set("Layers", layerPaths);
            if (e.tags().isEmpty()) {
                index.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                        .put("digest", manifestDigest).put("size", manifestBytes.length);
            }
            for (String t : e.tags()) {
                repoTags.add(t);
                Reference r = Reference.tryParse(t);
                ObjectNode d = index.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                        .put("digest", manifestDigest).put("size", manifestBytes.length);
                d.putObject("annotations").put("io.containerd.image.name", canonical(r))
                        .put("org.opencontainers.image.ref.name", r.tag());
                if (!e.layers().isEmpty()) {
                    repositories.computeIfAbsent(r.name(), k -> new LinkedHashMap<>())
                            .put(r.tag(), BlobStore.hex(e.layers().getLast().diffId()));
                }
            }
        }
        ObjectNode indexJson = ConfigJson.JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", ArchiveLoader.INDEX_OCI);
        indexJson.set("manifests", index);
        file("index.json", ConfigJson.JSON.writeValueAsBytes(indexJson));
        file("manifest.json", ConfigJson.JSON.writeValueAsBytes(manifestJson));
        file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII));
        if (!repositories.isEmpty()) {
            file("repositories", ConfigJson.JSON.writeValueAsBytes(repositories));
        }
        tar.finish();
        tar.flush();
    }

    /** docker.io/library/busybox:latest: what containerd's annotation holds. */
    private static String canonical(Reference r) {
        String registry = r.registry();
        return registry + "/" + r.remotePath() + ":" + r.tag();
    }

    private static String path(String digest) {
        return "blobs/sha256/" + BlobStore.hex(digest);
    }

    private void blob(String digest, byte[] bytes) throws IOException {
        if (written.add(digest)) {
            file(path(digest), bytes);
        }
    }

    /** A layer's uncompressed tar under its diffID, once per archive; returns its size. */
    private long layer(ImageDb.Layer l) throws IOException {
        Long known = layerSizes.get(l.diffId());
        if (known != null) {
            return known;
        }
        Path stored = blobs.path(l.blob());
        Path inflated = null;
        try {
            Path plain = stored;
            if (!l.blob().equals(l.diffId())) {
                inflated = blobs.tempFile(".tar");
                try (InputStream in = Decompression.open(Files.newInputStream(stored))) {
                    Files.copy(in, inflated);
                }
                plain = inflated;
            }
            long size = Files.size(plain);
            try (InputStream in = Files.newInputStream(plain)) {
                stream(path(l.diffId()), size, in);
            }
            written.add(l.diffId());
            layerSizes.put(l.diffId(), size);
            return size;
        } finally {
            if (inflated != null) {
                Files.deleteIfExists(inflated);
            }
        }
    }

    private void file(String name, byte[] bytes) throws IOException {
        stream(name, bytes.length, new ByteArrayInputStream(bytes));
    }

    private void stream(String name, long size, InputStream in) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        e.setMode(0644);
        e.setModTime(0);
        tar.putArchiveEntry(e);
        long copied = in.transferTo(tar);
        if (copied != size) {
            throw new IOException("blob for " + name + " changed size while being saved (" + copied + " of " + size
                    + " bytes)");
        }
        tar.closeArchiveEntry();
    }
}
