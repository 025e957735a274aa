package dev.skiff.cli.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.engine.placement.ShareTransport;
import dev.skiff.registry.RegistryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The daemon's configuration file ({@link DaemonPaths#configFile()}), with dockerd's names for what
 * Skiff has of {@code /etc/docker/daemon.json}. As dockerd does, an unknown key is an error rather
 * than a silent no-op, so a typo cannot quietly leave a registry secure or a mirror unused.
 * Per-registry CA certificates live beside it: {@code certs.d/<host[:port]>/*.crt}.
 *
 * @param maxConcurrentDownloads layers downloaded at once over all pulls (default 3)
 * @param vmPool dedicated VMs kept booted ahead of need (Skiff's own key, {@code dedicated-vm-pool};
 *     default 0: each dedicated VM boots for its container, and no VM runs before one is asked for)
 * @param fileSharing how bind mounts and volumes reach the VMs (Skiff's own key, {@code file-sharing},
 *     after Docker Desktop's setting of that name: {@code "virtiofs"}, the default, used where a VM's
 *     RAM is shared memory and 9P elsewhere, or {@code "9p"} everywhere)
 */
public record DaemonConfig(RegistryConfig registries, int maxConcurrentDownloads, int vmPool, ShareTransport fileSharing) {
    private static final Set<String> KNOWN = Set.of("registry-mirrors", "insecure-registries",
            "max-concurrent-downloads", "max-download-attempts", "dedicated-vm-pool", "file-sharing");
    /** Each pooled VM holds an idle VM's memory: a pool larger than this is a typo, not a plan. */
    static final int LARGEST_POOL = 16;
    private static final int LARGEST = 1 << 20;

    /** Reads {@code file}; a missing file means every default. */
    public static DaemonConfig load(Path file) throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > LARGEST) {
                throw new IOException(file + " is larger than " + LARGEST + " bytes; is it the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException absent) {
            return parse(new byte[0], file);
        }
        return parse(bytes, file);
    }

    static DaemonConfig parse(byte[] bytes, Path file) throws IOException {
        RegistryConfig d = RegistryConfig.defaults();
        Path certs = file.resolveSibling("certs.d");
        if (bytes.length == 0) {
            return new DaemonConfig(new RegistryConfig(d.mirrors(), d.insecureRegistries(), certs,
                    d.maxDownloadAttempts(), d.connectTimeout(), d.idleTimeout()), 3, 0, ShareTransport.VIRTIO_FS);
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException("unable to configure the Skiff daemon with file " + file + ": "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException("unable to configure the Skiff daemon with file " + file
                    + ": it must hold one JSON object");
        }
        Set<String> unknown = new TreeSet<>();
        root.fieldNames().forEachRemaining(k -> {
            if (!KNOWN.contains(k)) {
                unknown.add(k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IOException("the following directives don't match any configuration option: "
                    + String.join(", ", unknown) + " (in " + file + "; Skiff knows " + new TreeSet<>(KNOWN) + ")");
        }
        List<String> mirrors = strings(root, "registry-mirrors", file);
        for (String m : mirrors) {
            if (!m.startsWith("https://") && !m.startsWith("http://")) {
                throw new IOException("invalid mirror: \"" + m + "\" in " + file
                        + ": it must be a URL with http:// or https://");
            }
        }
        List<String> insecure = strings(root, "insecure-registries", file);
        int downloads = positive(root, "max-concurrent-downloads", 3, file);
        int attempts = positive(root, "max-download-attempts", d.maxDownloadAttempts(), file);
        int pool = pool(root, file);
        ShareTransport sharing = fileSharing(root, file);
        return new DaemonConfig(new RegistryConfig(mirrors, insecure, certs, attempts, d.connectTimeout(),
                d.idleTimeout()), downloads, pool, sharing);
    }

    private static List<String> strings(JsonNode root, String key, Path file) throws IOException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new IOException(key + " in " + file + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual() || e.asText().isBlank()) {
                throw new IOException(key + " in " + file + " must be a list of non-empty strings");
            }
            out.add(e.asText().strip());
        }
        return List.copyOf(out);
    }

    private static int pool(JsonNode root, Path file) throws IOException {
        JsonNode v = root.get("dedicated-vm-pool");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > LARGEST_POOL) {
            throw new IOException("dedicated-vm-pool in " + file + " must be a whole number from 0 (no pool) to "
                    + LARGEST_POOL + ", not " + v);
        }
        return v.asInt();
    }

    private static ShareTransport fileSharing(JsonNode root, Path file) throws IOException {
        JsonNode v = root.get("file-sharing");
        if (v == null || v.isNull()) {
            return ShareTransport.VIRTIO_FS;
        }
        try {
            if (!v.isTextual()) {
                throw new IllegalArgumentException("it must be a string");
            }
            return ShareTransport.of(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IOException("file-sharing in " + file + " must be \"9p\" or \"virtiofs\", not " + v);
        }
    }

    private static int positive(JsonNode root, String key, int fallback, Path file) throws IOException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new IOException(key + " in " + file + " must be a whole number of at least 1, not " + v);
        }
        return v.asInt();
    }
}
