package dev.skiff.registry;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI image layout (image-spec {@code image-layout.md}) for skopeo to push: one uncompressed tar layer
 * of a few files (skopeo compresses it with gzip, or zstd when asked), a config with its diff_id, a manifest.
 */
final class OciLayout {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayout() {
    }

    /** Writes the layout at {@code dir} with the image under {@code tag}. */
    static void write(Path dir, String tag, String arch, Map<String, String> files) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        byte[] layer = tar(files);
        String diffId = Digests.of(layer);
        byte[] config = JSON.writeValueAsBytes(Map.of(
                "architecture", arch, "os", "linux",
                "config", Map.of("Cmd", List.of("/bin/sh")),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(diffId))));
        byte[] manifest = JSON.writeValueAsBytes(Map.of(
                "schemaVersion", 2,
                "mediaType", ImageManifest.OCI_MANIFEST,
                "config", descriptor(ImageManifest.OCI_CONFIG, config),
                "layers", List.of(descriptor(ImageManifest.OCI_LAYER, layer))));
        for (byte[] blob : List.of(layer, config, manifest)) {
            Files.write(dir.resolve("blobs/sha256/" + Digests.of(blob).substring(7)), blob);
        }
        Map<String, Object> m = descriptor(ImageManifest.OCI_MANIFEST, manifest);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "manifests", List.of(Map.of("mediaType", m.get("mediaType"), "digest", m.get("digest"),
                        "size", m.get("size"), "annotations", Map.of("org.opencontainers.image.ref.name", tag))))));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    static Map<String, Object> descriptor(String mediaType, byte[] blob) {
        return Map.of("mediaType", mediaType, "digest", Digests.of(blob), "size", blob.length);
    }

    /** A ustar archive of regular files (POSIX pax's ustar header, 512-byte blocks, two zero blocks at the end). */
    static byte[] tar(Map<String, String> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : new java.util.TreeMap<>(files).entrySet()) {
            byte[] data = f.getValue().getBytes(StandardCharsets.UTF_8);
            byte[] h = new byte[512];
            put(h, 0, f.getKey(), 100);
            put(h, 100, "0000644", 8);
            put(h, 108, "0000000", 8);
            put(h, 116, "0000000", 8);
            put(h, 124, String.format("%011o", data.length), 12);
            put(h, 136, String.format("%011o", 1_700_000_000L), 12);
            h[156] = '0';
            put(h, 257, "ustar", 6);
            put(h, 263, "00", 2);
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            int sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, String.format("%06o", sum), 7);
            out.writeBytes(h);
            out.writeBytes(data);
            out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int at, String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, Math.min(b.length, max));
    }
}
