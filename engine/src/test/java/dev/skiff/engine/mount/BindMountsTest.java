package dev.skiff.engine.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.api.EngineException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindMountsTest {
    @TempDir
    Path dir;

    @Test
    void dockersSocketNamesMeanTheDaemonsOwnSocket() {
        Path api = dir.resolve("skiff.sock");
        BindMounts m = new BindMounts(new SocketRelay(), api);
        assertEquals(api, m.socketTarget(Path.of("/var/run/docker.sock")));
        assertEquals(api, m.socketTarget(Path.of("/run/docker.sock")));
        assertEquals(api, m.socketTarget(Path.of("/var/run/../run/docker.sock")));
        assertEquals(api, m.socketTarget(api));
    }

    @Test
    void anotherSocketOnTheHostIsForwardedAndAFolderOrFileIsShared() throws IOException {
        BindMounts m = new BindMounts(new SocketRelay(), dir.resolve("skiff.sock"));
        Path sock = dir.resolve("agent.sock");
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            l.bind(UnixDomainSocketAddress.of(sock));
            assertEquals(sock, m.socketTarget(sock));
            Path link = Files.createSymbolicLink(dir.resolve("link.sock"), sock);
            assertEquals(link, m.socketTarget(link), "a link to a socket is a socket, as the bind follows it");
        }
        assertNull(m.socketTarget(dir));
        assertNull(m.socketTarget(Files.writeString(dir.resolve("file"), "x")));
        assertNull(m.socketTarget(dir.resolve("missing")));
    }

    @Test
    void aMissingDockerSocketIsNeitherRefusedNorCreatedOnTheHost() throws EngineException {
        boolean before = Files.exists(Path.of("/run/docker.sock"));
        BindMounts.check(new BindMount("/run/docker.sock", "/var/run/docker.sock", false, true));
        BindMounts.check(new BindMount("/run/docker.sock", "/var/run/docker.sock", false, false));
        assertEquals(before, Files.exists(Path.of("/run/docker.sock")));
    }

    @Test
    void aMissingFolderIsCreatedForDashVAndRefusedForMount() throws EngineException {
        Path missing = dir.resolve("a/b");
        var e = assertThrows(EngineException.class,
                () -> BindMounts.check(new BindMount(missing.toString(), "/d", false, false)));
        assertTrue(e.getMessage().contains("bind source path does not exist"), e.getMessage());
        BindMounts.check(new BindMount(missing.toString(), "/d", false, true));
        assertTrue(Files.isDirectory(missing));
        assertThrows(EngineException.class, () -> BindMounts.check(new BindMount("rel", "/d", false, true)));
        assertThrows(EngineException.class, () -> BindMounts.check(new BindMount("/tmp", "rel", false, true)));
    }
}
