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
    volatile State state = State.CREATING;
    volatile boolean rootfsMounted;

    Container(String id, Path bundle, Path upperBase) {
        this.id = id;
        this.bundle = bundle;
        this.upperBase = upperBase;
    }

    Path rootfs() {
        return bundle.resolve("rootfs");
    }

    Path runcLog() {
        return bundle.resolve("runc.log");
    }

    Proc init() {
        return procs.get("");
    }
}
