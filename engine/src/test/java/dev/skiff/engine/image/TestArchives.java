package dev.skiff.engine.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds layer tars and docker-save / OCI archives in memory, the way Docker and containerd lay them out. */
public final class TestArchives {
    private TestArchives() {}

    static String sha(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String hex(String digest) {
        return digest.substring(7);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A tar of the given members; a name ending in "/" is a directory, a value starting with "->" a symlink. */
    public static byte[] tar(Map<String, byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var m : members.entrySet()) {
                String name = m.getKey();
                byte[] data = m.getValue();
                TarArchiveEntry e;
                if (name.endsWith("/")) {
                    e = new TarArchiveEntry(name, TarConstants.LF_DIR);
                    e.setMode(040755);
                } else if (data != null && new String(data, StandardCharsets.UTF_8).startsWith("->")) {
                    e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    e.setLinkName(new String(data, StandardCharsets.UTF_8).substring(2));
                } else {
                    e = new TarArchiveEntry(name);
                    e.setMode(0100644);
                    e.setSize(data.length);
                }
                e.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(e);
                if (e.getSize() > 0) {
                    tar.write(data);
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Members for {@link #tar}: name, content (a String, bytes, or null for a directory), name, content... */
    public static Map<String, byte[]> files(Object... nameThenContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Object v = nameThenContent[i + 1];
            m.put((String) nameThenContent[i], v == null ? null : v instanceof byte[] b ? b : utf8((String) v));
        }
        return m;
    }

    static byte[] gzip(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] zstd(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new io.airlift.compress.zstd.ZstdOutputStream(out)) {
            z.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** An OCI config for uncompressed layers {@code tars}. */
    static byte[] config(String created, String cmdJson, List<byte[]> tars) {
        List<String> diffIds = new ArrayList<>();
        for (byte[] t : tars) {
            diffIds.add("\"" + sha(t) + "\"");
        }
        return utf8("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"" + created + "\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":" + cmdJson + ",\"WorkingDir\":\"/srv\","
                + "\"Labels\":{\"a\":\"b\"},\"ExposedPorts\":{\"80/tcp\":{}}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]},"
                + "\"history\":[]}");
    }

    /** One image of an archive: its config, its layer blobs as stored (maybe compressed), its tags. */
    record Img(byte[] config, List<byte[]> blobs, List<String> tags) {}

    /** docker save before Docker 25: {@code <hex>.json}, {@code <v1id>/layer.tar}, manifest.json, repositories. */
    static byte[] legacySave(Img... images) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        StringBuilder manifest = new StringBuilder("[");
        for (Img img : images) {
            String configName = hex(sha(img.config())) + ".json";
            List<String> layers = new ArrayList<>();
            for (byte[] blob : img.blobs()) {
                String dir = hex(sha(utf8(configName + layers.size() + sha(blob))));
                m.put(dir + "/", null);
                m.put(dir + "/VERSION", utf8("1.0"));
                m.put(dir + "/json", utf8("{\"id\":\"" + dir + "\"}"));
                m.put(dir + "/layer.tar", blob);
                layers.add("\"" + dir + "/layer.tar\"");
            }
            m.put(configName, img.config());
            if (manifest.length() > 1) {
                manifest.append(',');
            }
            manifest.append("{\"Config\":\"").append(configName).append("\",\"RepoTags\":").append(quoted(img.tags()))
                    .append(",\"Layers\":[").append(String.join(",", layers)).append("]}");
        }
        m.put("manifest.json", utf8(manifest.append(']').toString()));
        return tar(m);
    }

    /** An OCI manifest for an image whose layer blobs are {@code blobs}. */
    static byte[] manifest(Img img, String layerType) {
        StringBuilder layers = new StringBuilder();
        for (byte[] b : img.blobs()) {
            if (!layers.isEmpty()) {
                layers.append(',');
            }
            layers.append(descriptor(layerType, b, null));
        }
        return utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":" + descriptor("application/vnd.oci.image.config.v1+json", img.config(), null)
                + ",\"layers\":[" + layers + "]}");
    }

    static String descriptor(String type, byte[] content, String extra) {
        return "{\"mediaType\":\"" + type + "\",\"digest\":\"" + sha(content) + "\",\"size\":" + content.length
                + (extra == null ? "" : "," + extra) + "}";
    }

    /**
     * An OCI image layout; with {@code withManifestJson}, also Docker 25+'s manifest.json naming
     * blobs/sha256/... (what `docker save` writes since 25.0).
     */
    static byte[] ociLayout(boolean withManifestJson, Img... images) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("blobs/", null);
        m.put("blobs/sha256/", null);
        List<String> index = new ArrayList<>();
        StringBuilder manifestJson = new StringBuilder("[");
        for (Img img : images) {
            byte[] manifest = manifest(img, "application/vnd.oci.image.layer.v1.tar"
                    + (img.blobs().isEmpty() || img.blobs().getFirst()[0] != 0x1f ? "" : "+gzip"));
            for (byte[] b : img.blobs()) {
                m.put("blobs/sha256/" + hex(sha(b)), b);
            }
            m.put("blobs/sha256/" + hex(sha(img.config())), img.config());
            m.put("blobs/sha256/" + hex(sha(manifest)), manifest);
            if (img.tags().isEmpty()) {
                index.add(descriptor("application/vnd.oci.image.manifest.v1+json", manifest, null));
            }
            for (String tag : img.tags()) {
                String full = tag.contains("/") ? "docker.io/" + tag : "docker.io/library/" + tag;
                index.add(descriptor("application/vnd.oci.image.manifest.v1+json", manifest,
                        "\"annotations\":{\"io.containerd.image.name\":\"" + full
                                + "\",\"org.opencontainers.image.ref.name\":\"" + tag.substring(tag.lastIndexOf(':') + 1)
                                + "\"}"));
            }
            if (manifestJson.length() > 1) {
                manifestJson.append(',');
            }
            List<String> layers = img.blobs().stream().map(b -> "\"blobs/sha256/" + hex(sha(b)) + "\"").toList();
            manifestJson.append("{\"Config\":\"blobs/sha256/").append(hex(sha(img.config()))).append("\",\"RepoTags\":")
                    .append(quoted(img.tags())).append(",\"Layers\":[").append(String.join(",", layers)).append("]}");
        }
        m.put("oci-layout", utf8("{\"imageLayoutVersion\":\"1.0.0\"}"));
        m.put("index.json", utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                + "\"manifests\":[" + String.join(",", index) + "]}"));
        if (withManifestJson) {
            m.put("manifest.json", utf8(manifestJson.append(']').toString()));
        }
        return tar(m);
    }

    static String quoted(List<String> s) {
        return "[" + String.join(",", s.stream().map(x -> "\"" + x + "\"").toList()) + "]";
    }
}
