package dev.skiff.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileMeansDockersDefaults() throws IOException {
        DaemonConfig c = DaemonConfig.load(dir.resolve("daemon.json"));
        assertEquals(3, c.maxConcurrentDownloads());
        assertEquals(5, c.registries().maxDownloadAttempts());
        assertEquals(List.of(), c.registries().mirrors());
        assertEquals(dir.resolve("certs.d"), c.registries().certsDir());
        assertEquals(0, c.vmPool(), "no VM boots ahead of need unless asked");
    }

    @Test
    void theDedicatedVmPoolIsSkiffsOwnKey() throws IOException {
        assertEquals(2, parse("{\"dedicated-vm-pool\": 2}").vmPool());
        assertEquals(0, parse("{\"dedicated-vm-pool\": 0}").vmPool());
        for (String bad : List.of("-1", "17", "1.5", "\"2\"", "true")) {
            String message = assertThrows(IOException.class, () -> parse("{\"dedicated-vm-pool\": " + bad + "}"))
                    .getMessage();
            assertTrue(message.contains("dedicated-vm-pool") && message.contains("from 0 (no pool) to 16"), message);
        }
    }

    @Test
    void fileSharingIsVirtioFsUnlessNinePIsAsked() throws IOException {
        assertEquals(dev.skiff.engine.placement.ShareTransport.VIRTIO_FS, DaemonConfig.load(dir.resolve("none.json")).fileSharing());
        assertEquals(dev.skiff.engine.placement.ShareTransport.VIRTIO_FS, parse("{\"file-sharing\": \"virtiofs\"}").fileSharing());
        assertEquals(dev.skiff.engine.placement.ShareTransport.VIRTIO_FS, parse("{}").fileSharing());
        assertEquals(dev.skiff.engine.placement.ShareTransport.NINE_P, parse("{\"file-sharing\": \"9p\"}").fileSharing());
        for (String bad : List.of("\"virtio-fs\"", "1", "\"\"")) {
            String message = assertThrows(IOException.class, () -> parse("{\"file-sharing\": " + bad + "}")).getMessage();
            assertTrue(message.contains("file-sharing") && message.contains("\"9p\" or \"virtiofs\""), message);
        }
    }

    @Test
    void dockerdsNamesAreRead() throws IOException {
        DaemonConfig c = parse("""
                {"registry-mirrors": ["https://mirror.invalid:5000"], "insecure-registries": ["10.0.0.0/8", "r.invalid:80"],
                 "max-concurrent-downloads": 6, "max-download-attempts": 2}""");
        assertEquals(List.of("https://mirror.invalid:5000"), c.registries().mirrors());
        assertEquals(List.of("10.0.0.0/8", "r.invalid:80"), c.registries().insecureRegistries());
        assertEquals(6, c.maxConcurrentDownloads());
        assertEquals(2, c.registries().maxDownloadAttempts());
    }

    @Test
    void mistakesAreErrorsThatNameTheFile() {
        String unknown = assertThrows(IOException.class, () -> parse("{\"registry-mirror\": []}")).getMessage();
        assertTrue(unknown.contains("don't match any configuration option: registry-mirror"), unknown);
        assertTrue(unknown.contains("daemon.json"), unknown);
        assertThrows(IOException.class, () -> parse("{\"registry-mirrors\": [\"mirror:5000\"]}"));
        assertThrows(IOException.class, () -> parse("{\"max-concurrent-downloads\": 0}"));
        assertThrows(IOException.class, () -> parse("{\"insecure-registries\": \"r:5000\"}"));
        assertThrows(IOException.class, () -> parse("[1]"));
        assertThrows(IOException.class, () -> parse("{"));
    }

    private DaemonConfig parse(String json) throws IOException {
        Path f = dir.resolve("daemon.json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        return DaemonConfig.load(f);
    }
}
