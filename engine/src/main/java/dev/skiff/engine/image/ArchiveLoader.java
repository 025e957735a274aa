package dev.skiff.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.api.EngineException;
import dev.skiff.erofs.tar.Decompression;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads a {@code docker load} archive in one pass and stores its blobs; the caller commits the
 * images it returns. Two layouts:
 * <ul>
 *   <li>docker save ({@code manifest.json}: Config, RepoTags, Layers as paths in the archive;
 *       layers as {@code <id>/layer.tar}, possibly symlinks to one another, or, from Docker 25,
 *       {@code blobs/sha256/<hex>}). When an archive also holds an OCI index, manifest.json wins,
 *       as in moby's {@code tarexport}.</li>
 *   <li>OCI image layout ({@code index.json} &rarr; manifest, or an index of manifests of which
 *       linux/amd64 is taken &rarr; config and layers).</li>
 * </ul>
 * Every regular member is spooled into the blob store as it arrives (and checked when its name
 * is {@code blobs/sha256/<hex>}); each blob stays pinned until {@link #release}, so nothing the
 * load stored can be collected before it is committed, and everything is collected if it is not.
 */
final class ArchiveLoader {
    static final String INDEX_OCI = "application/vnd.oci.image.index.v1+json";
    static final String INDEX_DOCKER = "application/vnd.docker.distribution.manifest.list.v2+json";
    private static final Pattern BLOB_NAME = Pattern.compile("blobs/sha256/([a-f0-9]{64})");
    private static final Set<String> DOCUMENTS = Set.of("manifest.json", "index.json", "oci-layout", "repositories");
    private static final int MAX_LINKS = 16;
    private static final int MAX_NESTING = 4;

    /** An image ready to commit: its config digest is its id. */
    record Candidate(String id, ConfigJson.Parsed config, List<ImageDb.Layer> layers, List<String> tags) {}

    private final BlobStore blobs;
    private final Consumer<String> progress;
    private final List<String> pins = new ArrayList<>();
    private final Map<String, String> members = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();
    private final Map<String, byte[]> documents = new HashMap<>();
    private final Map<String, LayerDigest> diffIdCache = new HashMap<>();

    ArchiveLoader(BlobStore blobs, Consumer<String> progress) {
        this.blobs = blobs;
        this.progress = progress;
    }

    /** The digests this load pinned; the caller unpins them (and collects the unreferenced) after committing. */
    List<String> pins() {
        return pins;
    }

    List<Candidate> load(InputStream archive) throws EngineException, IOException {
        readArchive(archive);
        List<Candidate> found;
        if (documents.containsKey("manifest.json")) {
            found = fromDockerManifest(json("manifest.json", documents.get("manifest.json")));
        } else if (documents.containsKey("index.json")) {
            found = fromOciIndex(json("index.json", documents.get("index.json")));
        } else {
            throw invalid("invalid archive: it holds neither manifest.json (docker save) nor "
                    + "index.json (OCI image layout)" + (members.isEmpty() && links.isEmpty() ? "; it is empty" : ""));
        }
        if (found.isEmpty()) {
            throw invalid("invalid archive: its manifest lists no images");
        }
        Map<String, Candidate> byId = new LinkedHashMap<>();
        for (Candidate c : found) {
            byId.merge(c.id(), c, (a, b) -> {
                LinkedHashSet<String> tags = new LinkedHashSet<>(a.tags());
                tags.addAll(b.tags());
                return new Candidate(a.id(), a.config(), a.layers(), List.copyOf(tags));
            });
        }
        return List.copyOf(byId.values());
    }

    // ---- the outer tar

    private void readArchive(InputStream archive) throws EngineException, IOException {
        String member = null;
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(Decompression.open(new ReadGuard(archive)));
            TarArchiveEntry e;
            while ((e = nextEntry(tar)) != null) {
                member = normalize(e.getName());
                if (e.isSymbolicLink() || e.isLink()) {
                    String target = e.getLinkName();
                    links.put(member, e.isSymbolicLink() && !target.startsWith("/")
                            ? normalize(parent(member) + target) : normalize(target));
                } else if (e.isFile()) {
                    readMember(member, new ReadGuard(tar));
                }
            }
        } catch (dev.skiff.erofs.LayerException unsupported) {
            throw invalid("invalid archive: " + unsupported.getMessage(), unsupported);
        } catch (ReadGuard.ReadFailure f) {
            throw invalid("invalid archive: it is truncated or corrupt"
                    + (member == null ? "" : " (at " + member + ")") + ": " + f.getCause().getMessage(), f);
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws ReadGuard.ReadFailure {
        try {
            return tar.getNextEntry();
        } catch (ReadGuard.ReadFailure f) {
            throw f;
        } catch (IOException | RuntimeException e) {
            throw new ReadGuard.ReadFailure(e);
        }
    }

    private void readMember(String name, InputStream data) throws EngineException, IOException {
        if (DOCUMENTS.contains(name)) {
            byte[] bytes = data.readNBytes(ConfigJson.MAX_JSON + 1);
            if (bytes.length > ConfigJson.MAX_JSON) {
                throw invalid("invalid archive: " + name + " is larger than " + ConfigJson.MAX_JSON);
            }
            documents.put(name, bytes);
            return;
        }
        if (name.endsWith("/VERSION") || name.endsWith("/json")) {
            return; // the legacy v1 metadata beside <id>/layer.tar; manifest.json and the config supersede it
        }
        var m = BLOB_NAME.matcher(name);
        String expected = m.matches() ? "sha256:" + m.group(1) : null;
        try {
            BlobStore.Stored s = blobs.store(data, expected);
            pins.add(s.digest());
            members.put(name, s.digest());
        } catch (BlobStore.DigestMismatch d) {
            throw invalid("invalid archive: digest mismatch for " + name + ": its content is "
                    + d.actual, d);
        }
    }

    // ---- docker save

    private List<Candidate> fromDockerManifest(JsonNode manifest) throws EngineException, IOException {
        if (!manifest.isArray()) {
            throw invalid("invalid archive: manifest.json is not a JSON array");
        }
        List<Candidate> out = new ArrayList<>();
        for (JsonNode entry : manifest) {
            String configPath = entry.path("Config").asText("");
            if (configPath.isEmpty()) {
                throw invalid("invalid archive: a manifest.json entry has no Config");
            }
            List<String> layerPaths = new ArrayList<>();
            List<String> layerDigests = new ArrayList<>();
            for (JsonNode l : entry.path("Layers")) {
                layerPaths.add(l.asText());
                layerDigests.add(member(l.asText(), "layer"));
            }
            List<String> tags = new ArrayList<>();
            for (JsonNode t : entry.path("RepoTags")) {
                Reference r = Reference.tryParse(t.asText());
                if (r == null || r.tag() == null) {
                    throw invalid("invalid archive: manifest.json has an invalid RepoTag: " + t.asText());
                }
                tags.add(r.familiar());
            }
            out.add(candidate(member(configPath, "config"), configPath, layerDigests, layerPaths, tags));
        }
        return out;
    }

    /** The digest of the member at {@code path}, following symlinks within the archive. */
    private String member(String path, String what) throws EngineException {
        String p = normalize(path);
        for (int i = 0; i < MAX_LINKS && links.containsKey(p); i++) {
            p = links.get(p);
        }
        String digest = members.get(p);
        if (digest == null) {
            throw invalid("invalid archive: manifest.json names " + what + " " + path
                    + ", which the archive does not hold");
        }
        return digest;
    }

    // ---- OCI image layout

    private List<Candidate> fromOciIndex(JsonNode index) throws EngineException, IOException {
        List<Candidate> out = new ArrayList<>();
        for (JsonNode d : index.path("manifests")) {
            JsonNode ann = d.path("annotations");
            List<String> tags = new ArrayList<>();
            String name = ann.path("io.containerd.image.name").asText("");
            String refName = ann.path("org.opencontainers.image.ref.name").asText("");
            // ref.name may be a full reference (skopeo, Docker 25+ without containerd's name) or only a tag
            String full = !name.isEmpty() ? name : refName.contains(":") || refName.contains("/") ? refName : "";
            if (!full.isEmpty()) {
                Reference r = Reference.tryParse(full);
                if (r == null || r.tag() == null) {
                    throw invalid("invalid archive: index.json names an invalid reference: " + full);
                }
                tags.add(r.familiar());
            }
            out.add(fromDescriptor(d, tags, "index.json", 0));
        }
        return out;
    }

    private Candidate fromDescriptor(JsonNode d, List<String> tags, String from, int depth)
            throws EngineException, IOException {
        String digest = d.path("digest").asText("");
        JsonNode doc = json(digest, blobs.read(blob(digest, from), ConfigJson.MAX_JSON));
        String type = d.path("mediaType").asText(doc.path("mediaType").asText(""));
        if (type.equals(INDEX_OCI) || type.equals(INDEX_DOCKER) || type.isEmpty() && doc.has("manifests")) {
            if (depth >= MAX_NESTING) {
                throw invalid("invalid archive: image indexes nest deeper than " + MAX_NESTING);
            }
            return fromDescriptor(pickPlatform(doc, digest), tags, digest, depth + 1);
        }
        String configDigest = doc.path("config").path("digest").asText("");
        List<String> layers = new ArrayList<>();
        for (JsonNode l : doc.path("layers")) {
            layers.add(blob(l.path("digest").asText(""), "manifest " + digest));
        }
        return candidate(blob(configDigest, "manifest " + digest), configDigest, layers, layers, tags);
    }

    private static JsonNode pickPlatform(JsonNode index, String digest) throws EngineException {
        JsonNode only = null;
        int count = 0;
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            if (p.path("os").asText("").equals("linux") && p.path("architecture").asText("").equals("amd64")) {
                return m;
            }
            only = m;
            count++;
        }
        if (count == 1 && only.path("platform").isMissingNode()) {
            return only;
        }
        throw invalid("invalid archive: the image index " + digest + " has no linux/amd64 image");
    }

    /** The blob {@code digest}, from the archive or, failing that, already in the store. */
    private String blob(String digest, String namedBy) throws EngineException {
        if (!Reference.DIGEST.matcher(digest).matches()) {
            throw invalid("invalid archive: " + namedBy + " names an unsupported digest \"" + digest
                    + "\" (only sha256 is supported)");
        }
        if (members.containsValue(digest)) {
            return digest;
        }
        if (blobs.pinIfExists(digest)) {
            pins.add(digest);
            return digest;
        }
        throw invalid("invalid archive: blob " + digest + " named by " + namedBy
                + " is not in the archive");
    }

    // ---- both

    private Candidate candidate(String configDigest, String configPath, List<String> layerDigests,
                                List<String> layerPaths, List<String> tags) throws EngineException, IOException {
        ConfigJson.Parsed config;
        try {
            config = ConfigJson.parse(blobs.read(configDigest, ConfigJson.MAX_JSON));
        } catch (IOException e) {
            throw invalid("invalid archive: config " + configPath + ": " + e.getMessage(), e);
        }
        if (config.diffIds().size() != layerDigests.size()) {
            throw invalid("invalid archive: the manifest of " + configPath + " lists "
                    + layerDigests.size() + " layers but its config's rootfs.diff_ids has " + config.diffIds().size());
        }
        List<ImageDb.Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerDigests.size(); i++) {
            String blob = layerDigests.get(i);
            LayerDigest ld = diffIdCache.get(blob);
            if (ld == null) {
                progress.accept("Loading layer " + short12(blob));
                try {
                    ld = LayerDigest.of(blobs.path(blob));
                } catch (IOException e) {
                    throw invalid("invalid archive: layer " + layerPaths.get(i)
                            + " is not a complete tar (plain, gzip or zstd): " + e.getMessage(), e);
                }
                diffIdCache.put(blob, ld);
            }
            String expected = config.diffIds().get(i);
            if (!ld.diffId().equals(expected)) {
                throw invalid("invalid archive: digest mismatch for layer " + layerPaths.get(i)
                        + ": its uncompressed content is " + ld.diffId() + " but the config's diff_ids[" + i
                        + "] is " + expected);
            }
            layers.add(new ImageDb.Layer(ld.diffId(), blob, ld.size()));
        }
        return new Candidate(configDigest, config, List.copyOf(layers), List.copyOf(tags));
    }

    private static JsonNode json(String what, byte[] bytes) throws EngineException {
        try {
            JsonNode n = ConfigJson.JSON.readTree(bytes);
            if (n == null) {
                throw new IOException("it is empty");
            }
            return n;
        } catch (IOException e) {
            throw invalid("invalid archive: " + what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    static EngineException invalid(String message) {
        return new EngineException(EngineException.Kind.INVALID, message);
    }

    static EngineException invalid(String message, Throwable cause) {
        return new EngineException(EngineException.Kind.INVALID, message, cause);
    }

    static String short12(String digest) {
        return digest.substring(7, Math.min(digest.length(), 19));
    }

    /** "./a//b/../c" &rarr; "a/c": archive member names as the manifest refers to them. */
    static String normalize(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return String.join("/", parts);
    }

    private static String parent(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash + 1);
    }
}
