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

/**
 * Port and disk lookup read sysfs the way the kernel lays it out. Here that layout is written
 * into a temporary folder (a real guest's sysfs is exercised by the VM tests).
 */
class VirtioPortsTest {
    @TempDir
    Path root;

    private Path sys() {
        return root.resolve("sys");
    }

    private Path dev() {
        return root.resolve("dev");
    }

    private void port(String node, String name) throws IOException {
        Path p = Files.createDirectories(sys().resolve("class/virtio-ports").resolve(node));
        Files.writeString(p.resolve("name"), name + "\n");
        Files.createDirectories(dev());
        Files.writeString(dev().resolve(node), "");
    }

    @Test
    void findsThePortByItsName() throws IOException {
        port("vport0p1", "skiff.control");
        port("vport0p2", "data");
        assertEquals(Optional.of(dev().resolve("vport0p2")), VirtioPorts.find(sys(), dev(), "data"));
        assertEquals(Optional.empty(), VirtioPorts.find(sys(), dev(), "other"));
    }

    @Test
    void waitsForAPortThatAppearsLater() throws Exception {
        Thread later = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
                port("vport0p3", "hot");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(dev().resolve("vport0p3"), VirtioPorts.awaitPort(sys(), dev(), "hot", Duration.ofSeconds(30)));
        later.join();
    }

    @Test
    void givesUpWithTheNameOfWhatItWaitedFor() {
        IOException e = assertThrows(IOException.class,
                () -> VirtioPorts.awaitPort(sys(), dev(), "never", Duration.ofMillis(100)));
        assertTrue(e.getMessage().contains("virtio-serial port never"), e.getMessage());
    }

    @Test
    void findsADiskBySerial() throws IOException {
        Path vdb = Files.createDirectories(sys().resolve("block/vdb"));
        Files.writeString(vdb.resolve("serial"), "layer-1\n");
        Files.createDirectories(sys().resolve("block/vda"));
        Files.createDirectories(dev());
        Files.writeString(dev().resolve("vdb"), "");
        assertEquals(Optional.of(dev().resolve("vdb")), BlockDevices.find(sys(), dev(), "layer-1"));
    }

    @Test
    void findsAScsiDiskByItsUnitSerialNumberPage() throws IOException {
        Path sdc = Files.createDirectories(sys().resolve("block/sdc/device"));
        byte[] serial = "l0123456789abcdef012".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] page = new byte[4 + serial.length + 2];
        page[1] = (byte) 0x80;
        page[3] = (byte) (serial.length + 2);
        System.arraycopy(serial, 0, page, 4, serial.length);
        page[page.length - 2] = ' '; // padding, as devices may send
        Files.write(sdc.resolve("vpd_pg80"), page);
        Path sdb = Files.createDirectories(sys().resolve("block/sdb/device"));
        page[1] = (byte) 0x83; // another VPD page with the same bytes is not a serial
        Files.write(sdb.resolve("vpd_pg80"), page);
        Files.createDirectories(dev());
        Files.writeString(dev().resolve("sdb"), "");
        Files.writeString(dev().resolve("sdc"), "");
        assertEquals(Optional.of(dev().resolve("sdc")), BlockDevices.find(sys(), dev(), "l0123456789abcdef012"));
        assertEquals(Optional.empty(), BlockDevices.find(sys(), dev(), "l0123456789abcdef01"));
    }

    /**
     * A disk whose node does not open yet (the kernel's add_disk not done, or a disk of the same
     * serial going away: ENXIO) is passed over, and found once it opens. A unix socket stands in
     * for such a node: it exists, and open(2) refuses it with ENXIO too.
     */
    @Test
    void aDiskWhoseNodeDoesNotOpenIsPassedOverUntilItDoes() throws IOException {
        Files.createDirectories(sys().resolve("block/vdc"));
        Files.writeString(sys().resolve("block/vdc/serial"), "scratch\n");
        Files.createDirectories(dev());
        Path node = dev().resolve("vdc");
        try (var socket = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(java.net.UnixDomainSocketAddress.of(node));
            assertTrue(Files.exists(node));
            assertEquals(Optional.empty(), BlockDevices.find(sys(), dev(), "scratch"), "a node that refuses an open");
        }
        Files.delete(node);
        Files.writeString(node, "");
        assertEquals(Optional.of(node), BlockDevices.find(sys(), dev(), "scratch"));
    }
}
