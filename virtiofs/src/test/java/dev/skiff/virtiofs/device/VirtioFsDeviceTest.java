package dev.skiff.virtiofs.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.virtiofs.server.CachePolicy;
import dev.skiff.virtiofs.server.FuseLimits;
import dev.skiff.virtiofs.server.FuseSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtioFsDeviceTest {
    @TempDir Path dir;

    @Test
    void configIsTagThenOneRequestQueueAndNoNotifications() throws Exception {
        try (Passthrough fs = new Passthrough(dir);
                FuseSession s = new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT)) {
            VirtioFsDevice d = new VirtioFsDevice("skiff-share", s);
            ByteBuffer c = ByteBuffer.wrap(d.config()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(44, c.capacity());
            byte[] tag = new byte[36];
            c.get(tag);
            assertArrayEquals(Arrays.copyOf("skiff-share".getBytes(StandardCharsets.UTF_8), 36), tag);
            assertEquals(1, c.getInt(), "num_request_queues");
            assertEquals(0, c.getInt(), "notify_buf_size");
            assertEquals(2, d.queueCount(), "hiprio + one request queue");

            new VirtioFsDevice("x".repeat(36), s);
            assertThrows(IllegalArgumentException.class, () -> new VirtioFsDevice("x".repeat(37), s));
            assertThrows(IllegalArgumentException.class, () -> new VirtioFsDevice("", s));
        }
    }
}
