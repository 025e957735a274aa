package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.registry.testing.TestRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Images from registries through the real docker CLI against a real `skiff daemon`, and Debian's
 * docker-registry on 127.0.0.1 (an open one and one with htpasswd auth), filled by skopeo from the
 * archive `docker save` writes and by plain registry API calls for the images skopeo cannot build
 * (two layers, a multi-platform index, a config that lies about its layers). Covers pull (Docker
 * schema 2 with gzip, OCI with zstd, by digest, from an index, --platform), `docker run` of a
 * missing image, the up-to-date second pull, login, push (with a cross-repository mount) and save.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerRegistryIT extends DaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestRegistry open;
    private static TestRegistry locked;
    /** The built-in busybox layer (uncompressed) and config, from `docker save`. */
    private static byte[] busyboxLayer;
    private static JsonNode busyboxConfig;

    @BeforeAll
    static void startRegistries() throws Exception {
        open = TestRegistry.start(base.resolve("open"), "");
        Path htpasswd = base.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", "testuser", "testpass").redirectOutput(htpasswd.toFile())
                .start();
        assertEquals(0, p.waitFor(), "htpasswd (apache2-utils) must be installed");
        locked = TestRegistry.start(base.resolve("locked"), """
                auth:
                  htpasswd:
                    realm: skiff-test
                    path: %s
                """.formatted(htpasswd));
    }

    @AfterAll
    static void stopRegistries() {
        for (TestRegistry r : new TestRegistry[] {open, locked}) {
            if (r != null) {
                r.close();
            }
        }
    }



    private static String img(TestRegistry r, String repo) {
        return r.host() + "/" + repo;
    }

    @Test
    @Order(1)
    void saveWritesAnArchiveSkopeoReadsAndItFillsTheRegistry() throws Exception {
        Path archive = base.resolve("busybox.tar");
        ok("save", "-o", archive.toString(), "busybox");
        JsonNode inspect = JSON.readTree(TestRegistry.skopeo(base, List.of("inspect", "docker-archive:" + archive)));
        assertEquals("amd64", inspect.get("Architecture").asText());
        assertEquals(1, inspect.get("Layers").size());
        readSaved(archive);
        TestRegistry.skopeo(base, List.of("copy", "--dest-tls-verify=false", "docker-archive:" + archive,
                "docker://" + img(open, "test/busybox:latest")));
        TestRegistry.skopeo(base, List.of("copy", "--dest-tls-verify=false", "--format", "oci",
                "--dest-compress-format", "zstd", "docker-archive:" + archive, "docker://" + img(open, "test/zstd:latest")));
        TestRegistry.skopeo(base, List.of("copy", "--dest-tls-verify=false", "--format", "oci",
                "docker-archive:" + archive, "docker://" + img(open, "test/ocigz:latest")));
        // from here on every busybox layer must come from a registry
        ok("rmi", "busybox:latest");
        assertFalse(ok("images", "-q").out().contains(sha(busyboxLayer).substring(7, 19)));
    }

    @Test
    @Order(2)
    void pullOfADockerSchema2ImageThenRunThenUpToDate() throws Exception {
        DaemonProcess.Result pull = ok("pull", img(open, "test/busybox"));
        assertTrue(pull.out().contains("latest: Pulling from test/busybox"), pull.out());
        assertTrue(pull.out().contains("Pull complete"), pull.out());
        assertTrue(pull.out().contains("Digest: sha256:"), pull.out());
        assertTrue(pull.out().contains("Status: Downloaded newer image for " + img(open, "test/busybox:latest")),
                pull.out());
        assertEquals("pulled\n", ok("run", "--rm", img(open, "test/busybox"), "echo", "pulled").out());
        String digests = ok("image", "inspect", "-f", "{{json .RepoDigests}}", img(open, "test/busybox")).out();
        assertTrue(digests.contains(img(open, "test/busybox") + "@sha256:"), digests);
        DaemonProcess.Result again = ok("pull", img(open, "test/busybox"));
        assertTrue(again.out().contains("Status: Image is up to date for " + img(open, "test/busybox:latest")),
                again.out());
        assertTrue(again.out().contains("Already exists"), again.out());
    }

    @Test
    @Order(3)
    void pullByDigestAndOfOciImagesWithZstdAndGzipLayers() throws Exception {
        String digest = JSON.readTree(TestRegistry.skopeo(base, List.of("inspect", "--tls-verify=false",
                "docker://" + img(open, "test/busybox:latest")))).get("Digest").asText();
        ok("rmi", img(open, "test/busybox"));
        ok("pull", img(open, "test/busybox") + "@" + digest);
        assertEquals("by digest\n", ok("run", "--rm", img(open, "test/busybox") + "@" + digest, "echo", "by digest")
                .out());
        ok("rmi", img(open, "test/busybox") + "@" + digest);
        DaemonProcess.Result zstd = ok("pull", img(open, "test/zstd"));
        assertTrue(zstd.out().contains("Pull complete"), "the zstd layer was downloaded, not found: " + zstd.out());
        assertEquals("zstd\n", ok("run", "--rm", img(open, "test/zstd"), "echo", "zstd").out());
        ok("rmi", img(open, "test/zstd"));
        DaemonProcess.Result ocigz = ok("pull", img(open, "test/ocigz"));
        assertTrue(ocigz.out().contains("Pull complete"), "the OCI gzip layer was downloaded: " + ocigz.out());
        assertEquals("oci gzip\n", ok("run", "--rm", img(open, "test/ocigz"), "echo", "oci gzip").out());
    }

    @Test
    @Order(4)
    void twoLayersOneAlreadyThereAndAMultiPlatformIndex() throws Exception {
        byte[] top = tar(Map.of("hello.txt", "hello from the top layer\n"));
        JsonNode config = config(List.of(busyboxLayer, top), "amd64");
        putImage(open, "test/two", "latest", config, List.of(busyboxLayer, top));
        DaemonProcess.Result two = ok("pull", img(open, "test/two"));
        assertTrue(two.out().contains("Already exists"), two.out());
        assertTrue(two.out().contains("Pull complete"), two.out());
        assertEquals("hello from the top layer\n", ok("run", "--rm", img(open, "test/two"), "cat", "/hello.txt").out());

        String amd64 = putImage(open, "test/multi", "amd64", config, List.of(busyboxLayer, top));
        String arm64 = putImage(open, "test/multi", "arm64", config(List.of(busyboxLayer, top), "arm64"),
                List.of(busyboxLayer, top));
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode manifests = index.putArray("manifests");
        // BuildKit puts attestations in the index too: one comes first here, and must be skipped
        ObjectNode attestation = entry(manifests, amd64, "unknown", "unknown");
        attestation.putObject("annotations").put("vnd.docker.reference.type", "attestation-manifest");
        entry(manifests, arm64, "linux", "arm64").with("platform").put("variant", "v8");
        entry(manifests, amd64, "linux", "amd64");
        put(open, "/v2/test/multi/manifests/latest", "application/vnd.oci.image.index.v1+json", JSON.writeValueAsBytes(index));
        ok("pull", img(open, "test/multi"));
        assertEquals("amd64\n", ok("image", "inspect", "-f", "{{.Architecture}}", img(open, "test/multi")).out());
        assertEquals("hello from the top layer\n", ok("run", "--rm", img(open, "test/multi"), "cat", "/hello.txt").out());
        ok("pull", "--platform", "linux/arm64", img(open, "test/multi"));
        assertEquals("arm64\n", ok("image", "inspect", "-f", "{{.Architecture}}", img(open, "test/multi")).out());
        DaemonProcess.Result none = docker("pull", "--platform", "linux/s390x", img(open, "test/multi"));
        assertNotEquals(0, none.code());
        assertTrue(none.err().contains("no matching manifest for linux/s390x"), none.err());
    }

    @Test
    @Order(5)
    void runOfAMissingImagePullsItFirstAndMissingTagsSaySo() throws Exception {
        ok("rmi", "-f", img(open, "test/two"));
        DaemonProcess.Result run = ok("run", "--rm", img(open, "test/two"), "cat", "/hello.txt");
        assertTrue(run.err().contains("Unable to find image '" + img(open, "test/two:latest") + "' locally"), run.err());
        assertEquals("hello from the top layer\n", run.out());
        DaemonProcess.Result missing = docker("pull", img(open, "test/two:nosuch"));
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("manifest for " + img(open, "test/two:nosuch") + " not found"), missing.err());
    }

    @Test
    @Order(6)
    void aConfigThatLiesAboutItsLayersLeavesNoImage() throws Exception {
        byte[] top = tar(Map.of("x", "x\n"));
        ObjectNode lying = (ObjectNode) config(List.of(busyboxLayer, top), "amd64");
        ((ArrayNode) lying.with("rootfs").get("diff_ids")).set(1, JSON.getNodeFactory().textNode(sha(new byte[] {1})));
        putImage(open, "test/bad", "latest", lying, List.of(busyboxLayer, top));
        String before = ok("images", "-a", "--format", "{{.ID}}").out();
        DaemonProcess.Result bad = docker("pull", img(open, "test/bad"));
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("layers from manifest don't match image configuration"), bad.err());
        assertEquals(before, ok("images", "-a", "--format", "{{.ID}}").out(), "no half image");
    }

    @Test
    @Order(7)
    void pushToTheOpenRegistryMountsWhatItCanAndSkopeoSeesIt() throws Exception {
        ok("pull", img(open, "test/two"));
        ok("tag", img(open, "test/two"), img(open, "pushed/two:v1"));
        DaemonProcess.Result push = ok("push", img(open, "pushed/two:v1"));
        assertTrue(push.out().contains("The push refers to repository [" + img(open, "pushed/two") + "]"), push.out());
        assertTrue(push.out().contains("Mounted from test/two"), push.out());
        assertTrue(push.out().contains("v1: digest: sha256:"), push.out());
        JsonNode pushed = JSON.readTree(TestRegistry.skopeo(base, List.of("inspect", "--tls-verify=false",
                "docker://" + img(open, "pushed/two:v1"))));
        assertEquals(2, pushed.get("Layers").size());
        assertEquals("amd64", pushed.get("Architecture").asText());
    }

    @Test
    @Order(8)
    void theLockedRegistryNeedsALoginThenPushAndPullWork() throws Exception {
        String name = img(locked, "private/two:1");
        ok("tag", img(open, "test/two"), name);
        DaemonProcess.Result anonymous = docker("push", name);
        assertNotEquals(0, anonymous.code());
        DaemonProcess.Result wrong = docker("login", locked.host(), "-u", "testuser", "-p", "wrong");
        assertNotEquals(0, wrong.code());
        assertTrue(wrong.err().contains("401 Unauthorized"), wrong.err());
        DaemonProcess.Result login = ok("login", locked.host(), "-u", "testuser", "-p", "testpass");
        assertTrue(login.out().contains("Login Succeeded"), login.out());
        DaemonProcess.Result push = ok("push", name);
        assertTrue(push.out().contains("1: digest: sha256:"), push.out());
        ok("rmi", name);
        ok("pull", name);
        assertEquals("hello from the top layer\n", ok("run", "--rm", name, "cat", "/hello.txt").out());
        ok("logout", locked.host());
        ok("rmi", name);
        DaemonProcess.Result refused = docker("pull", name);
        assertNotEquals(0, refused.code());
        assertTrue(refused.err().contains("pull access denied") || refused.err().contains("no basic auth credentials"),
                refused.err());
    }

    // ---- fixtures: the registry API by hand, for what skopeo cannot build

    private static void readSaved(Path archive) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(archive))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                members.put(e.getName(), in.readAllBytes());
            }
        }
        JsonNode manifest = JSON.readTree(members.get("manifest.json")).get(0);
        busyboxConfig = JSON.readTree(members.get(manifest.get("Config").asText()));
        busyboxLayer = members.get(manifest.get("Layers").get(0).asText());
    }

    private static JsonNode config(List<byte[]> layers, String arch) {
        ObjectNode c = busyboxConfig.deepCopy();
        c.put("architecture", arch);
        ArrayNode ids = c.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        layers.forEach(l -> ids.add(sha(l)));
        return c;
    }

    private static ObjectNode entry(ArrayNode manifests, String digestAndSize, String os, String arch) {
        String[] d = digestAndSize.split(" ");
        ObjectNode e = manifests.addObject().put("mediaType", "application/vnd.docker.distribution.manifest.v2+json")
                .put("digest", d[0]).put("size", Long.parseLong(d[1]));
        e.putObject("platform").put("os", os).put("architecture", arch);
        return e;
    }

    /** Config and gzipped layers, then a Docker schema 2 manifest; returns "digest size" of the manifest. */
    private static String putImage(TestRegistry r, String repo, String tag, JsonNode config, List<byte[]> layers)
            throws Exception {
        List<TestRegistry.Layer> gz = new java.util.ArrayList<>();
        for (byte[] l : layers) {
            gz.add(TestRegistry.Layer.gzip(l));
        }
        return r.pushImage(repo, tag, JSON.writeValueAsBytes(config), gz);
    }

    private static void put(TestRegistry r, String path, String type, byte[] body) throws Exception {
        String[] parts = path.split("/manifests/");
        r.putManifest(parts[0].substring("/v2/".length()), parts[1], type, body);
    }

    private static byte[] tar(Map<String, String> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (var f : files.entrySet()) {
                byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(b.length);
                e.setMode(0644);
                t.putArchiveEntry(e);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    static String sha(byte[] b) {
        return TestRegistry.sha256(b);
    }
}
