package dev.skiff.guest.share;

import dev.skiff.guest.Main;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Copies bytes between two file descriptors, both ways, on two platform threads (each blocks in
 * read(2), which would pin a virtual thread's carrier anyway). A virtio port reads 0 while no host
 * is connected; the relay waits for one rather than ending the share.
 */
final class FdRelay {
    /** One 9P message of the largest msize we negotiate fits in a buffer, so frames move whole. */
    static final int BUFFER = 1 << 20;

    private FdRelay() {}

    static void start(String name, int port, int socket) {
        Thread.ofPlatform().daemon().name("relay-" + name + "-in").start(() -> pump(name, port, socket, true));
        Thread.ofPlatform().daemon().name("relay-" + name + "-out").start(() -> pump(name, socket, port, false));
    }

    private static void pump(String name, int from, int to, boolean fromPort) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(BUFFER);
            while (true) {
                long n = Fds.read(from, buf, BUFFER);
                if (n == 0) {
                    if (!fromPort) {
                        Main.log("share " + name + ": the kernel closed its end; relay ends");
                        return;
                    }
                    Thread.sleep(50); // no host on the port right now
                    continue;
                }
                for (long done = 0; done < n; ) {
                    done += Fds.write(to, buf.asSlice(done), n - done);
                }
            }
        } catch (ErrnoException e) {
            Main.log("share " + name + ": relay ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
