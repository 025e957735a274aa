package dev.skiff.engine.image;

import static dev.skiff.engine.image.TestArchives.config;
import static dev.skiff.engine.image.TestArchives.files;
import static dev.skiff.engine.image.TestArchives.gzip;
import static dev.skiff.engine.image.TestArchives.sha;
import static dev.skiff.engine.image.TestArchives.tar;
import static dev.skiff.engine.image.TestArchives.zstd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.image.TestArchives.Img;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker save: what it writes is what docker load (Skiff's, and Docker's layouts) reads back. */
class ImageStoreSaveTest {
    private static final byte[] BASE = tar(files("etc/os-release", "ID=test\n", "bin/sh", "#!"));
    private static final byte[] TOP = tar(files("app/run", "echo hi\n"));

    @TempDir
    java.nio.file.Path dir;

    @Test
    void compressedLayersAreSavedUncompressedUnderTheirDiffIdAndLoadBack() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("a"));
        Img img = new Img(config("2024-01-01T00:00:00Z", "[\"sh\"]", List.of(BASE, TOP)),
                List.of(gzip(BASE), zstd(TOP)), List.of("alpine:3", "alpine:latest"));
        store.load(new ByteArrayInputStream(TestArchives.ociLayout(false, img)), m -> { });
        String id = sha(img.config());

        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        store.save(List.of("alpine:3"), saved);
        Map<String, byte[]> members = untar(saved.toByteArray());
        assertTrue(members.keySet().containsAll(List.of("oci-layout", "index.json", "manifest.json", "repositories")),
                members.keySet().toString());
        JsonNode manifest = ConfigJson.JSON.readTree(members.get("manifest.json")).get(0);
        assertEquals("blobs/sha256/" + TestArchives.hex(id), manifest.get("Config").asText());
        assertEquals("[\"alpine:3\"]", manifest.get("RepoTags").toString());
        assertEquals("blobs/sha256/" + TestArchives.hex(sha(BASE)), manifest.get("Layers").get(0).asText());
        assertEquals(sha(TOP), sha(members.get(manifest.get("Layers").get(1).asText())), "uncompressed, as Docker");
        JsonNode index = ConfigJson.JSON.readTree(members.get("index.json"));
        assertEquals("docker.io/library/alpine:3",
                index.get("manifests").get(0).get("annotations").get("io.containerd.image.name").asText());

        ImageStore other = new ImageStore(dir.resolve("b"));
        assertEquals(List.of("alpine:3"), other.load(new ByteArrayInputStream(saved.toByteArray()), m -> { }));
        assertEquals(id, other.resolve("alpine:3").id());
        assertEquals(List.of(sha(BASE), sha(TOP)), other.resolve("alpine:3").diffIds());
    }

    @Test
    void aNameWithoutATagSavesEveryTagOfTheRepository() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("a"));
        Img img = new Img(config("2024-01-01T00:00:00Z", "null", List.of(BASE)), List.of(BASE),
                List.of("app:1", "app:latest"));
        store.load(new ByteArrayInputStream(TestArchives.ociLayout(false, img)), m -> { });
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        store.save(List.of("app"), saved);
        JsonNode manifest = ConfigJson.JSON.readTree(untar(saved.toByteArray()).get("manifest.json")).get(0);
        assertEquals("[\"app:1\",\"app:latest\"]", manifest.get("RepoTags").toString());
    }

    @Test
    void aMissingImageFailsBeforeAnyByteIsWritten() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("a"));
        ByteArrayOutputStream saved = new ByteArrayOutputStream();
        EngineException e = assertThrows(EngineException.class, () -> store.save(List.of("nosuch:1"), saved));
        assertEquals(EngineException.Kind.NOT_FOUND, e.kind());
        assertEquals(0, saved.size());
    }

    private static Map<String, byte[]> untar(byte[] archive) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }
}
