package dev.skiff.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.skiff.registry.RegistryException.Kind.INVALID;
import static dev.skiff.registry.RegistryException.Kind.UNSUPPORTED;

/**
 * Parses manifest bytes by their Content-Type (distribution-spec: the type "MUST" match the manifest's
 * {@code mediaType} when that is set) into an image manifest or an index, checking every descriptor. Schema 1 is
 * refused with dockerd's words (moby {@code daemon/internal/distribution/errors.go}).
 */
final class ManifestParser {
    /** Manifests are small; registries cap them at 4 MiB too (distribution's {@code maxManifestBodySize}). */
    static final int MAX_MANIFEST = 4 * 1024 * 1024;
    static final String SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    static final String SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    /** The Accept list: all four current types, as containerd sends them; registry 2.8.2 needs them all. */
    static final String ACCEPT = String.join(", ", ImageManifest.DOCKER_V2, ImageManifest.DOCKER_LIST,
            ImageManifest.OCI_MANIFEST, ImageManifest.OCI_INDEX, "*/*");
    private static final Set<String> MANIFESTS = Set.of(ImageManifest.DOCKER_V2, ImageManifest.OCI_MANIFEST);
    private static final Set<String> INDEXES = Set.of(ImageManifest.DOCKER_LIST, ImageManifest.OCI_INDEX);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What manifest bytes turned out to be. */
    sealed interface Parsed permits Image, Index {}

    record Image(ImageManifest manifest) implements Parsed {}

    record Index(String mediaType, List<Entry> entries) implements Parsed {}

    /**
     * One index entry.
     *
     * @param platform null when the entry has none
     */
    record Entry(Descriptor descriptor, Platform platform, Map<String, String> annotations) {
        boolean isIndex() {
            return INDEXES.contains(descriptor.mediaType());
        }

        boolean isManifest() {
            return MANIFESTS.contains(descriptor.mediaType());
        }
    }

    private ManifestParser() {
    }

    static boolean isIndex(String mediaType) {
        return INDEXES.contains(mediaType);
    }

    /**
     * @param contentType the response's Content-Type (parameters ignored; empty or generic JSON lets the body's
     *                    {@code mediaType} decide)
     * @param name        the repository as dockerd names it in messages ("busybox", "127.0.0.1:5000/test/img")
     */
    static Parsed parse(String contentType, byte[] bytes, String name) throws RegistryException {
        String ct = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (ct.equals(SCHEMA1) || ct.equals(SCHEMA1_SIGNED)) {
            throw schema1(name);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new RegistryException(INVALID, "failed to parse the manifest of " + name + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new RegistryException(INVALID, "the manifest of " + name + " is not a JSON object");
        }
        JsonNode version = root.get("schemaVersion");
        if (version != null && version.asInt() == 1) {
            throw schema1(name);
        }
        String declared = text(root, "mediaType");
        if (declared != null && (declared.equals(SCHEMA1) || declared.equals(SCHEMA1_SIGNED))) {
            throw schema1(name);
        }
        String type = MANIFESTS.contains(ct) || INDEXES.contains(ct) ? ct : declared != null ? declared : guess(root);
        if (declared != null && !declared.equals(type)) {
            throw new RegistryException(INVALID, "the manifest of " + name + " is served as " + type
                    + " but says it is " + declared);
        }
        if (version == null || version.asInt() != 2) {
            throw new RegistryException(INVALID, "the manifest of " + name + " has schemaVersion " + version
                    + "; only 2 is supported");
        }
        if (MANIFESTS.contains(type)) {
            return new Image(image(type, root, name));
        }
        if (INDEXES.contains(type)) {
            return new Index(type, entries(root, name));
        }
        throw new RegistryException(UNSUPPORTED, "the manifest of " + name + " has media type \"" + type
                + "\", which is not an image: Skiff pulls Docker v2 and OCI images");
    }

    /** OCI allows an image manifest or index without mediaType; tell them apart by their members. */
    private static String guess(JsonNode root) {
        if (root.has("manifests")) {
            return ImageManifest.OCI_INDEX;
        }
        return root.has("config") || root.has("layers") ? ImageManifest.OCI_MANIFEST : "";
    }

    private static ImageManifest image(String type, JsonNode root, String name) throws RegistryException {
        JsonNode config = root.get("config");
        if (config == null || !config.isObject()) {
            throw new RegistryException(INVALID, "the manifest of " + name + " has no config descriptor");
        }
        List<Descriptor> layers = new ArrayList<>();
        JsonNode ls = root.get("layers");
        if (ls != null && !ls.isNull()) {
            if (!ls.isArray()) {
                throw new RegistryException(INVALID, "the manifest of " + name + " has a \"layers\" that is no list");
            }
            for (JsonNode l : ls) {
                layers.add(descriptor(l, name, "layer"));
            }
        }
        return new ImageManifest(type, descriptor(config, name, "config"), List.copyOf(layers));
    }

    private static List<Entry> entries(JsonNode root, String name) throws RegistryException {
        JsonNode ms = root.get("manifests");
        if (ms == null || !ms.isArray()) {
            throw new RegistryException(INVALID, "the manifest list of " + name + " has no \"manifests\"");
        }
        List<Entry> out = new ArrayList<>();
        for (JsonNode m : ms) {
            Descriptor d = descriptor(m, name, "manifest list entry");
            JsonNode p = m.get("platform");
            Platform platform = p == null || !p.isObject() ? null
                    : new Platform(text(p, "os"), text(p, "architecture"), text(p, "variant"));
            Map<String, String> annotations = new LinkedHashMap<>();
            JsonNode a = m.get("annotations");
            if (a != null && a.isObject()) {
                a.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) {
                        annotations.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
            out.add(new Entry(d, platform, Map.copyOf(annotations)));
        }
        return List.copyOf(out);
    }

    /** A descriptor with a sha256 digest and a size of at least zero (image-spec descriptor.md). */
    private static Descriptor descriptor(JsonNode n, String name, String what) throws RegistryException {
        if (n == null || !n.isObject()) {
            throw new RegistryException(INVALID, "the manifest of " + name + " has a " + what + " that is no object");
        }
        String digest = text(n, "digest");
        Digests.require(digest, "a " + what + " in the manifest of " + name);
        JsonNode size = n.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.asLong() < 0) {
            throw new RegistryException(INVALID, "the manifest of " + name + " gives " + what + " " + digest
                    + " an invalid size: " + size);
        }
        return new Descriptor(text(n, "mediaType"), digest, size.asLong());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    static RegistryException schema1(String name) {
        return new RegistryException(UNSUPPORTED, "Docker Image Format v1 and Docker Image manifest version 2, "
                + "schema 1 support has been removed. Suggest the author of " + name + " to upgrade the image to the "
                + "OCI Format or Docker Image manifest v2, schema 2. More information at "
                + "https://docs.docker.com/go/deprecated-image-specs/");
    }
}
