package dev.skiff.guest.share;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * A virtio-serial port opened non-blocking, as a {@link HostLink}. Linux's virtio_console tells
 * whether a host is connected (QEMU reports its chardev's socket client coming and going): poll
 * sets POLLHUP while none is, a read then returns 0, and a write would block. Non-blocking writes
 * matter: a blocking write caught by the host going away would finish its frame into the next
 * host's stream, which must begin with the restore.
 *
 * <p>The port tells only whether a host is connected now, not that one went and another came: a
 * relay that looked at the port neither while the old host went nor before the new one came
 * would take the new one for the old. A new host is a new daemon, seconds after the old one died,
 * and the relay waits on the port nearly all the time, so this does not happen in practice.
 */
final class VirtioPortLink implements HostLink {
    /** How often a wait looks at its stop condition, and how often a missing host is looked for. */
    private static final int TICK_MILLIS = 200;
    private static final long ABSENT_HOST_POLL_MILLIS = 50;

    private final int fd;

    /** @param fd the port, opened O_RDWR | O_NONBLOCK */
    VirtioPortLink(int fd) {
        this.fd = fd;
    }

    @Override
    public long read(MemorySegment buf, long max, BooleanSupplier stop) throws ErrnoException {
        while (true) {
            int ev = Fds.poll(fd, Fds.POLLIN, TICK_MILLIS);
            if (ev == 0) {
                if (stop.getAsBoolean()) {
                    return -1;
                }
                continue;
            }
            try {
                return Fds.read(fd, buf, max); // 0 with POLLHUP: no host
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
        }
    }

    @Override
    public boolean write(MemorySegment buf, long length) throws ErrnoException {
        long done = 0;
        while (done < length) {
            try {
                done += Fds.write(fd, buf.asSlice(done), length - done);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
                if ((Fds.poll(fd, Fds.POLLOUT, TICK_MILLIS) & Fds.POLLHUP) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public boolean awaitHost(BooleanSupplier stop) throws ErrnoException, InterruptedException {
        // POLLHUP is level-triggered and poll returns at once while it holds: look every few ms
        while ((Fds.poll(fd, Fds.POLLOUT, 0) & Fds.POLLHUP) != 0) {
            if (stop.getAsBoolean()) {
                return false;
            }
            Thread.sleep(ABSENT_HOST_POLL_MILLIS);
        }
        return true;
    }
}
