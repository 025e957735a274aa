package dev.skiff.guest.tools;

import dev.skiff.sys.Fds;
import dev.skiff.sys.Locks;
import dev.skiff.sys.OpenFlags;

/**
 * {@code LockWait PATH}: opens PATH, prints WAITING, blocks in F_OFD_SETLKW for a write lock on
 * the whole file, then prints LOCKED and holds it for a minute. A test kills it while it waits:
 * on a 9P mount that interrupts the kernel's pending Tlock, which it cancels with Tflush.
 */
public final class LockWait {
    private LockWait() {}

    public static void main(String[] args) throws Exception {
        int fd = Fds.openat2(Fds.AT_FDCWD, args[0], OpenFlags.O_RDWR, 0, 0);
        System.out.println("WAITING");
        System.out.flush();
        Locks.setWait(fd, Locks.F_WRLCK, 0, 0);
        System.out.println("LOCKED");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
