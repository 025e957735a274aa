package dev.skiff.guest.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network cards found by MAC in a sysfs laid out as the kernel does, in a temporary folder. */
class NetDevicesTest {
    @TempDir
    Path sys;

    private void link(String name, String mac, boolean device) throws IOException {
        Path p = Files.createDirectories(sys.resolve("class/net").resolve(name));
        Files.writeString(p.resolve("address"), mac + "\n");
        if (device) {
            Files.createDirectories(p.resolve("device"));
        }
    }

    @Test
    void findsTheCardByItsMacIgnoringSoftwareLinks() throws IOException {
        link("br-0123456789ab", "52:54:01:00:00:01", false); // a bridge with the same MAC is not the card
        link("eth1", "52:54:01:00:00:01", true);
        link("eth0", "52:54:00:5f:00:01", true);
        assertEquals(Optional.of("eth1"), NetDevices.find(sys, "52:54:01:00:00:01"));
        assertEquals(Optional.empty(), NetDevices.find(sys, "52:54:01:00:00:02"));
    }

    @Test
    void waitsForACardThatIsProbedLater() throws Exception {
        Thread later = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
                link("eth2", "52:54:01:00:00:03", true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals("eth2", NetDevices.awaitNic(sys, "52:54:01:00:00:03", Duration.ofSeconds(30)));
        later.join();
    }

    @Test
    void timesOutNamingTheMac() {
        IOException e = assertThrows(IOException.class,
                () -> NetDevices.awaitNic(sys, "52:54:01:00:00:04", Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("52:54:01:00:00:04"), e.getMessage());
    }
}
