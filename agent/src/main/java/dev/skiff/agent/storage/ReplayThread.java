package dev.skiff.agent.storage;

import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.FsIdentity;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The platform threads replays run on, each with {@link AgentProtocol#REPLAY_UID} as its fsuid, so
 * that the host's file server can tell the replay's requests from the containers' (see there).
 * The fsuid and the capabilities are a thread's own: a virtual thread could move to another
 * carrier between two syscalls. Each thread keeps the file capabilities root has (a new fsuid
 * drops them from the effective set), since the guest's VFS checks the replay's permissions like
 * anyone's: a replay must be able to make a name in a folder only root may write.
 *
 * <p>Threads come and go as replays do (a cached pool), so that a long replay in one share (a
 * host-side checkout of thousands of files) does not hold up the others; the host sends one
 * share's replays one after the other, so each share's order holds.
 *
 * <p>A thread that cannot take the identity refuses its replays: done as root, the host's server
 * would take them for a container's changes and make them on the host again.
 */
final class ReplayThread {
    /** Why this thread has no replay identity; null once it has it. */
    private static final ThreadLocal<String> REFUSED = new ThreadLocal<>();

    private final ExecutorService threads = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("replay").unstarted(() -> {
                REFUSED.set(takeIdentity());
                r.run();
            }));

    private static String takeIdentity() {
        try {
            FsIdentity.setFsuid(AgentProtocol.REPLAY_UID);
            FsIdentity.raisePermittedCapabilities();
            return null;
        } catch (ErrnoException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** Runs {@code work} on a replay thread and waits for it. */
    <T> T run(Callable<T> work) throws TtrpcException {
        try {
            return threads.submit(() -> {
                String refused = REFUSED.get();
                if (refused != null) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "replays are off in this guest: the replay "
                            + "thread could not take its file-system identity (" + refused + ")");
                }
                return work.call();
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted while replaying");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TtrpcException t) {
                throw t;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new TtrpcException(Code.INTERNAL, "replay failed: " + e.getCause());
        }
    }
}
