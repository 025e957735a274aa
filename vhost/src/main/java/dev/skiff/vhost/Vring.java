package dev.skiff.vhost;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.EventFds;
import dev.skiff.sys.Fds;

/**
 * The back-end's state of one queue ("Ring states"): its size, base and addresses as the
 * front-end set them, its kick, call and error eventfds, whether it is enabled, and while it
 * runs its {@link SplitQueue} and {@link QueueWorker}.
 *
 * <p>Set up by the session thread only. {@link #complete} comes from any thread; it, the call
 * fd and the queue swap share one lock, so a completion never signals a closed (and maybe reused)
 * descriptor number nor writes into a ring being replaced. A generation number, bumped whenever
 * the ring is opened anew or stopped for good (GET_VRING_BASE, close), drops completions of
 * requests popped from an earlier ring; a ring that is only disabled still takes them, since its
 * used ring is the device's until GET_VRING_BASE.
 */
final class Vring implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.vhost");

    private final int index;
    private final QueueHandler handler;
    private final Object lock = new Object();
    private int num;
    private int base;
    private FrontendRequest.SetVringAddr addr;
    private boolean enabled;
    private int kickFd = -1;
    private int callFd = -1;
    private int errFd = -1;
    private SplitQueue queue;
    private QueueWorker worker;
    private long generation;
    private volatile boolean broken;

    Vring(int index, QueueHandler handler, boolean enabled) {
        this.index = index;
        this.handler = handler;
        this.enabled = enabled;
    }

    int index() {
        return index;
    }

    /** The generation requests popped now are tagged with. */
    long generation() {
        synchronized (lock) {
            return generation;
        }
    }

    /** A new size needs the rings opened again (SET_VRING_ADDR), as QEMU always sends next. */
    void setNum(int num) {
        stop();
        this.num = num;
        synchronized (lock) {
            if (queue != null && queue.size() != num) {
                queue = null;
                generation++;
            }
        }
    }

    void setBase(int base) {
        stop();
        this.base = base & 0xffff;
        synchronized (lock) {
            if (queue != null) {
                queue.setLastAvail(this.base);
            }
        }
    }

    /** Opens the rings at {@code addr} in {@code memory}, reading used.idx from the ring. */
    void setAddr(GuestMemory memory, FrontendRequest.SetVringAddr addr, long features) throws VirtqueueException {
        stop();
        this.addr = addr;
        open(memory, features);
    }

    /** After SET_MEM_TABLE: the same rings, translated through the new table. */
    void remap(GuestMemory memory, long features) throws VirtqueueException {
        stop();
        if (addr != null) {
            open(memory, features);
        }
    }

    private void open(GuestMemory memory, long features) throws VirtqueueException {
        if (memory == null) {
            throw new VirtqueueException("SET_VRING_ADDR for queue " + index + " before SET_MEM_TABLE");
        }
        SplitQueue opened = SplitQueue.open(memory, num, addr, base, features);
        synchronized (lock) {
            queue = opened;
            generation++;
            broken = false;
        }
    }

    void setKick(int fd) {
        stop();
        Fds.closeQuietly(kickFd);
        kickFd = fd;
    }

    void setCall(int fd) {
        synchronized (lock) {
            Fds.closeQuietly(callFd);
            callFd = fd;
        }
    }

    void setErr(int fd) {
        synchronized (lock) {
            Fds.closeQuietly(errFd);
            errFd = fd;
        }
    }

    void setEnabled(boolean enabled) {
        if (!enabled) {
            stop();
        }
        this.enabled = enabled;
    }

    /** Starts the worker if the ring is started (has a kick fd), enabled and opened. */
    void startIfReady() {
        if (worker == null && kickFd >= 0 && enabled && queue != null && !broken) {
            worker = new QueueWorker(this, queue, handler, kickFd, generation);
            worker.start();
        }
    }

    /** Stops the worker, if one runs, and waits for it. */
    void stop() {
        if (worker != null) {
            worker.stop();
            worker = null;
        }
        synchronized (lock) {
            if (queue != null) {
                base = queue.lastAvail(); // where a re-opened queue goes on
            }
        }
    }

    /** GET_VRING_BASE: stops the ring, which needs a new kick fd to start again; the next avail index. */
    int stopForBase() {
        stop();
        Fds.closeQuietly(kickFd);
        kickFd = -1;
        synchronized (lock) {
            generation++;
        }
        return base;
    }

    void complete(long requestGeneration, int head, int length) {
        synchronized (lock) {
            if (requestGeneration != generation || queue == null) {
                LOG.log(System.Logger.Level.DEBUG, "queue " + index + ": dropped completion of " + head
                        + " popped before the ring stopped");
                return;
            }
            int old = queue.push(head, length);
            if (callFd >= 0 && queue.needsNotification(old)) {
                signal(callFd, "call");
            }
        }
    }

    void fault(VirtqueueException e) {
        broken = true;
        LOG.log(System.Logger.Level.WARNING, "queue " + index + " stopped: " + e.getMessage());
        synchronized (lock) {
            if (errFd >= 0) {
                signal(errFd, "err");
            }
        }
        handler.fault(index, e);
    }

    private void signal(int fd, String which) {
        try {
            EventFds.signal(fd);
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to signal the " + which + " fd of queue " + index + ": "
                    + e.getMessage());
        }
    }

    /** Stops the worker and closes the eventfds. */
    @Override
    public void close() {
        stop();
        Fds.closeQuietly(kickFd);
        kickFd = -1;
        synchronized (lock) {
            queue = null;
            generation++;
            Fds.closeQuietly(callFd);
            Fds.closeQuietly(errFd);
            callFd = errFd = -1;
        }
    }
}
