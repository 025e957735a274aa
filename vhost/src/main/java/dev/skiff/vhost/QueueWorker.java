package dev.skiff.vhost;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.EventFds;

/**
 * The platform thread that runs one started, enabled queue: waits on the kick eventfd, then
 * drains the avail ring into the queue's {@link QueueHandler}. A platform thread, because the
 * wait is a blocking poll(2) in a downcall, which would pin a virtual thread's carrier.
 *
 * <p>With EVENT_IDX it drains, arms {@code avail_event}, and drains again if more came meanwhile
 * (the re-check after enabling notifications that "Driver Requirements: Virtqueue Notification
 * Suppression" implies for the device too), so no kick is lost between the two.
 *
 * <p>{@link #stop} sets a flag and signals the kick eventfd itself to wake the thread; that fd is
 * our own copy, so the extra count reaches only us.
 */
final class QueueWorker implements Runnable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.vhost");

    private final Vring vring;
    private final SplitQueue queue;
    private final QueueHandler handler;
    private final int kickFd;
    private final long generation;
    private final Thread thread;
    private volatile boolean stopping;

    QueueWorker(Vring vring, SplitQueue queue, QueueHandler handler, int kickFd, long generation) {
        this.vring = vring;
        this.queue = queue;
        this.handler = handler;
        this.kickFd = kickFd;
        this.generation = generation;
        this.thread = Thread.ofPlatform().daemon().name("vhost-queue-" + vring.index()).unstarted(this);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            drain(); // buffers made available before the kick fd came
            while (!stopping) {
                EventFds.await(kickFd); // poll(2): QEMU's kick eventfds are non-blocking
                if (stopping) {
                    return;
                }
                drain();
            }
        } catch (VirtqueueException e) {
            vring.fault(e);
        } catch (ErrnoException e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.WARNING, "queue " + vring.index() + " stopped: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            vring.fault(new VirtqueueException("queue " + vring.index() + " handler failed: " + e, e));
        }
    }

    private void drain() throws VirtqueueException {
        while (!stopping) {
            for (DescriptorChain chain; !stopping && (chain = queue.pop()) != null; ) {
                handler.handle(new Request(vring, generation, chain));
            }
            queue.armKick();
            if (queue.pending() == 0) {
                return;
            }
        }
    }

    /** Stops the thread and waits for it (and for the request it is handling) to end. */
    void stop() {
        stopping = true;
        try {
            EventFds.signal(kickFd);
        } catch (ErrnoException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to wake queue " + vring.index() + ": " + e.getMessage());
        }
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
