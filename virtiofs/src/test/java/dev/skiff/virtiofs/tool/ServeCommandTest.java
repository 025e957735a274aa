package dev.skiff.virtiofs.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.sys.FdPassing;
import dev.skiff.sys.Fds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The standalone command listens where told, serves one front-end, and exits 0 when it hangs up. */
class ServeCommandTest {
    @TempDir Path tmp;

    @Test
    void servesOneConnectionAndEndsWhenThePeerCloses() throws Exception {
        Path socket = tmp.resolve("fs.sock");
        ServeCommand cmd = new ServeCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(cmd).execute(
                "--socket", socket.toString(), "--dir", tmp.toString(), "--tag", "share"));
        assertTrue(cmd.listening.await(10, TimeUnit.SECONDS));
        int fd = FdPassing.connectUnix(socket.toString());
        Fds.close(fd);
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(socket), "the socket file is removed at exit");
    }

    @Test
    void refusesATagLongerThan36Bytes() {
        int code = new CommandLine(new ServeCommand()).execute("--socket", tmp.resolve("s").toString(),
                "--dir", tmp.toString(), "--tag", "t".repeat(37));
        assertEquals(2, code);
    }
}
