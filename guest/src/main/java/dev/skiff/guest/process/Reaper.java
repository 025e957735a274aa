package dev.skiff.guest.process;

import dev.skiff.guest.Main;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Processes;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one reaper of this JVM: it spawns children and waits for every child, spawned or
 * re-parented to us, with waitpid on any pid. Nothing else in the JVM may wait for children
 * (so nothing may use {@link ProcessBuilder}): whoever waits first gets the status.
 *
 * <p>A child's exit completes its future. An exit nobody registered (an orphan) is kept, the last
 * {@link #MAX_UNCLAIMED} of them, so that a late {@link #adopt} still finds it. The reaper
 * thread finds an exited child with waitid(WNOWAIT) and reaps it under the lock: so a pid
 * registered here is never reused while {@link #kill} may still signal it.
 *
 * <p>Futures are completed on a new virtual thread, never on the reaper thread, so dependent
 * actions cannot stall reaping.
 */
public final class Reaper {
    /** How many unclaimed exit statuses (orphans) are kept for a late {@link #adopt}. */
    public static final int MAX_UNCLAIMED = 4096;

    /** A spawned child: its pid, and its exit status once it has exited and been reaped. */
    public record Child(int pid, CompletableFuture<Processes.ExitStatus> exit) {}

    private static Reaper shared;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on each spawn and adopt: there may be a child to wait for again. */
    private final Condition mayHaveChildren = lock.newCondition();
    private long registrations;
    private final Map<Integer, CompletableFuture<Processes.ExitStatus>> waiting = new HashMap<>();
    private final Map<Integer, Processes.ExitStatus> unclaimed = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Processes.ExitStatus> eldest) {
            return size() > MAX_UNCLAIMED;
        }
    };

    private Reaper() {}

    /**
     * The reaper of this JVM, started on first use: this process becomes a child subreaper (a
     * no-op for PID 1), so orphaned descendants are re-parented to it, and a platform daemon
     * thread named "reaper" starts waiting.
     */
    public static synchronized Reaper shared() {
        if (shared == null) {
            try {
                Processes.setChildSubreaper();
            } catch (ErrnoException e) {
                throw new UncheckedIOException("failed to become a child subreaper", e);
            }
            Reaper r = new Reaper();
            Thread.ofPlatform().daemon().name("reaper").start(r::loop);
            shared = r;
        }
        return shared;
    }

    /**
     * Spawns a child as {@link Processes#spawn} does and registers it under the reaper's lock,
     * so its exit cannot be reaped before it is registered.
     */
    public Child spawn(String path, List<String> argv, List<String> env, String cwd, int[] stdio, boolean newSession)
            throws ErrnoException {
        lock.lock();
        try {
            int pid = Processes.spawn(path, argv, env, cwd, stdio, newSession);
            unclaimed.remove(pid); // an older process's status, if that pid was used before
            CompletableFuture<Processes.ExitStatus> exit = new CompletableFuture<>();
            waiting.put(pid, exit);
            registered();
            return new Child(pid, exit);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The exit of a process we did not spawn but that is our child by now (a container's init,
     * re-parented to us when {@code runc create} exited). Completes at once if that pid was
     * already reaped and not claimed; an unclaimed status whose pid is alive again (reused) is
     * stale and dropped. A pid that is not, and never becomes, our child never completes. Adopting
     * a pid that is already registered returns the same future.
     */
    public CompletableFuture<Processes.ExitStatus> adopt(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid " + pid);
        }
        lock.lock();
        try {
            CompletableFuture<Processes.ExitStatus> known = waiting.get(pid);
            if (known != null) {
                return known;
            }
            Processes.ExitStatus done = unclaimed.remove(pid);
            if (done != null && !alive(pid)) {
                return CompletableFuture.completedFuture(done);
            }
            CompletableFuture<Processes.ExitStatus> exit = new CompletableFuture<>();
            waiting.put(pid, exit);
            registered();
            return exit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends {@code signal} to a registered process that has not been reaped yet.
     *
     * @return false if the process was already reaped (or never registered), so its pid may
     *     belong to another process now and nothing was sent
     */
    public boolean kill(int pid, int signal) throws ErrnoException {
        lock.lock();
        try {
            if (!waiting.containsKey(pid)) {
                return false;
            }
            Processes.kill(pid, signal); // not reaped: at worst a zombie, never a reused pid
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void registered() {
        registrations++;
        mayHaveChildren.signalAll();
    }

    private static boolean alive(int pid) {
        try {
            Processes.kill(pid, 0);
            return true;
        } catch (ErrnoException e) {
            return false; // ESRCH; EPERM cannot happen for a process we may reap
        }
    }

    private void loop() {
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = registrations;
            } finally {
                lock.unlock();
            }
            int pid;
            try {
                pid = Processes.awaitZombie();
            } catch (ErrnoException e) {
                if (e.errno() != Processes.ECHILD) {
                    Main.log("reaper: " + e.getMessage()); // not expected from waitid
                }
                awaitRegistration(seen);
                continue;
            }
            try {
                reapOne(pid);
            } catch (ErrnoException e) {
                // ECHILD: someone else waited for it, which nothing in this JVM may do
                Main.log("reaper: " + e.getMessage());
            }
        }
    }

    /** Reaps {@code pid} (a zombie now) under the lock and hands its status to its owner. */
    private void reapOne(int pid) throws ErrnoException {
        CompletableFuture<Processes.ExitStatus> owner;
        Processes.ExitStatus status;
        lock.lock();
        try {
            status = Processes.waitpid(pid, Processes.WNOHANG);
            if (status == null) {
                return;
            }
            owner = waiting.remove(pid);
            if (owner == null) {
                unclaimed.put(pid, status);
                return;
            }
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("exit-" + pid).start(() -> owner.complete(status));
    }

    /** With no child left, waits for the next spawn or adopt after {@code seen} (no polling). */
    private void awaitRegistration(long seen) {
        lock.lock();
        try {
            while (registrations == seen) {
                mayHaveChildren.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
