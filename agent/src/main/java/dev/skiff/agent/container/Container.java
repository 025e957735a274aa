package dev.skiff.agent.container;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One container in this VM: its bundle, its rootfs and its processes (init under ""). */
final class Container {
    /** PREPARED: only its rootfs, mounted for docker cp (MountRootfs); no runc container yet. */
    enum State { PREPARED, CREATING, CREATED, RUNNING, PAUSED, STOPPED }

    final String id;
    final Path bundle;
    final Path upperBase;
    final Map<String, Proc> procs = new ConcurrentHashMap<>();
    /** Exec ids whose process has ended, oldest first; see {@link #execEnded}. Guarded by itself. */
    private final java.util.ArrayDeque<String> endedExecs = new java.util.ArrayDeque<>();
    /** Ended execs kept so the host can still wait for them and read their output. */
    static final int KEPT_ENDED_EXECS = 64;
    volatile State state = State.CREATING;
    volatile boolean rootfsMounted;
    /** The layer storages under its rootfs, which must not be unmounted while it is here. */
    volatile java.util.List<String> layerStorages = java.util.List.of();
    /**
     * Its stdio between create and start, when the start runs it ({@code crun run}): the runtime
     * gets the child's ends then. Guarded by the container.
     */
    StdioSetup pendingStdio;
    /**
     * Completed once its init exists (at create with runc, at start with crun run), failed when it
     * is removed or its start fails first: the host may open the init's output and input between
     * create and start, and those wait for it.
     */
    final java.util.concurrent.CompletableFuture<Void> initReady = new java.util.concurrent.CompletableFuture<>();
    /**
     * Whether the runtime may hold state for it that a remove must delete: after a create (runc).
     * A run in the foreground deletes its own state when the init exits.
     */
    volatile boolean runtimeHasIt;

    Container(String id, Path bundle, Path upperBase) {
        this.id = id;
        this.bundle = bundle;
        this.upperBase = upperBase;
    }

    Path rootfs() {
        return bundle.resolve("rootfs");
    }

    Path runtimeLog() {
        return bundle.resolve("runtime.log");
    }

    /**
     * An exec's process ended: it stays for the host's wait and output reads, and the oldest ended
     * ones beyond {@link #KEPT_ENDED_EXECS} are forgotten, so a container probed by a health check
     * for weeks holds no more than that.
     */
    void execEnded(String execId) {
        synchronized (endedExecs) {
            endedExecs.add(execId);
            while (endedExecs.size() > KEPT_ENDED_EXECS) {
                procs.remove(endedExecs.poll());
            }
        }
    }

    Proc init() {
        return procs.get("");
    }
}
