package dev.skiff.engine.placement;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Dedicated VMs booted ahead of need, so that a container with Hyper-V isolation need not wait for
 * a cold boot (tens of seconds under TCG). Each pooled VM serves one container and ends with it, as
 * any dedicated VM does: nothing of one container can reach the next one, which gets a VM (and a
 * boot id) no one has used. A taken VM is replaced in the background, one boot at a time so that a
 * refill never competes with itself for the host's cores. VMs waiting in the pool when the daemon
 * ends are stopped by the next daemon, not taken up: what a warm-up cut short left in them is not
 * known.
 *
 * <p>Size 0 turns the pool off: every dedicated VM is then booted for its container. A pooled VM
 * costs what an idle dedicated VM costs (host memory, a QEMU process), for as long as it waits.
 */
final class VmPool {
    private static final Logger LOG = System.getLogger(VmPool.class.getName());
    /**
     * Pooled VMs' names: "skiff-p" and 11 hex digits, as long as a dedicated VM's ("skiff-" and a
     * container's 12), since a VM's run folder and its sockets are named for it (a unix socket's
     * path has 108 bytes); the "p" keeps them apart from containers' hex ids.
     */
    static final String NAME_PREFIX = "skiff-p";

    /** Boots one dedicated VM under the given name. */
    @FunctionalInterface
    interface Booter {
        UtilityVm boot(String name) throws IOException;
    }

    private final int size;
    private final Booter booter;
    private final ArrayDeque<UtilityVm> ready = new ArrayDeque<>(); // guarded by this
    private boolean filling; // guarded by this: a refill thread runs
    private boolean closed; // guarded by this
    private int failures; // guarded by this: boots that failed in a row

    VmPool(int size, Booter booter) {
        if (size < 0) {
            throw new IllegalArgumentException("the VM pool's size must be 0 or more, not " + size);
        }
        this.size = size;
        this.booter = booter;
    }

    /**
     * A ready VM, or null when none is (the caller boots one itself). The refill is the caller's to
     * start ({@link #fill}), once the container it took the VM for has started: a boot beside that
     * start would take the host's cores from it.
     */
    UtilityVm take() {
        while (true) {
            UtilityVm next;
            synchronized (this) {
                next = ready.poll();
            }
            if (next == null || next.alive()) {
                return next;
            }
            LOG.log(Level.WARNING, "pooled VM " + next.name() + " ended while it waited; dropping it");
            next.stop(); // outside the lock: a stop may wait on the VM for seconds
        }
    }

    /** Boots VMs in the background until the pool holds {@link #size} of them. */
    void fill() {
        synchronized (this) {
            if (filling || closed || ready.size() >= size) {
                return;
            }
            filling = true;
        }
        Thread.ofVirtual().name("vm-pool-fill").start(this::refill);
    }

    private void refill() {
        while (true) {
            synchronized (this) {
                if (closed || ready.size() >= size) {
                    filling = false;
                    return;
                }
            }
            String name = NAME_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(5);
            try {
                LOG.log(Level.INFO, "booting " + name + " for the dedicated-VM pool");
                UtilityVm vm = booter.boot(name);
                boolean keep;
                synchronized (this) {
                    keep = !closed;
                    if (keep) {
                        ready.add(vm);
                        failures = 0;
                    }
                }
                if (!keep) {
                    vm.stop();
                }
            } catch (IOException | RuntimeException e) {
                int inARow;
                synchronized (this) {
                    inARow = ++failures;
                    if (inARow >= 3) {
                        filling = false; // the next take tries again; a broken host should not boot forever
                    }
                }
                LOG.log(Level.WARNING, "the dedicated-VM pool could not boot a VM (" + inARow + " in a row): "
                        + e.getMessage() + (inARow >= 3 ? "; refilling again at the next dedicated start" : ""));
                if (inARow >= 3) {
                    return;
                }
            }
        }
    }

    /** The VMs waiting in the pool (for listings and for stopping them). */
    synchronized List<UtilityVm> waiting() {
        return List.copyOf(ready);
    }

    /** Stops refilling; the waiting VMs leave the pool, for the caller to stop or leave running. */
    synchronized void close() {
        closed = true;
        ready.clear();
    }
}
