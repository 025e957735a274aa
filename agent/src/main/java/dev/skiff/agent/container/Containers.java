package dev.skiff.agent.container;

import dev.skiff.agent.api.CreateContainerRequest;
import dev.skiff.agent.api.ExecProcessRequest;
import dev.skiff.agent.api.ExitStatus;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.MountRootfsRequest;
import dev.skiff.agent.api.ProcessExited;
import dev.skiff.agent.api.SignalProcessRequest;
import dev.skiff.agent.api.ListProcessesResponse;
import dev.skiff.agent.api.StatsResponse;
import dev.skiff.agent.procfs.CgroupStats;
import dev.skiff.agent.procfs.ProcessLister;
import dev.skiff.agent.storage.Storage;
import dev.skiff.agent.storage.Storages;
import dev.skiff.guest.Main;
import dev.skiff.guest.process.Reaper;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Processes;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The containers of this VM and what the host can do with them: create, start, exec, signal,
 * wait, remove, stats, top, pause and resume. Each process's exit is reaped by the {@link Reaper}, recorded, and
 * published as an event.
 */
public final class Containers {
    /** The largest OCI spec or process document accepted. */
    static final int MAX_SPEC_BYTES = 1 << 20;
    /** How long a forced remove waits for SIGKILL to take effect. */
    static final long KILL_WAIT_SECONDS = 30;
    /** How long a read of an init's output or input waits for its container's start. */
    static final long INIT_WAIT_SECONDS = 300;

    private final Storages storages;
    private final OciRuntime runtime;
    private final Consumer<ProcessExited> exits;
    private final Map<String, Container> containers = new ConcurrentHashMap<>();

    public Containers(Storages storages, String runtimeBinary, Consumer<ProcessExited> exits) {
        this.storages = storages;
        this.runtime = new OciRuntime(runtimeBinary);
        this.exits = exits;
    }

    public int create(CreateContainerRequest request) throws TtrpcException {
        String id = checkId(request.getContainerId(), "container id");
        if (request.getOciSpecJson().size() > MAX_SPEC_BYTES || request.getOciSpecJson().isEmpty()) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "the OCI spec must be 1 byte to 1 MiB");
        }
        List<String> layers = layerPaths(id, request.getLayerStorageIdsList());
        Container c = newContainer(id, request.getScratchStorageId());
        c.layerStorages = List.copyOf(request.getLayerStorageIdsList());
        Path bundle = c.bundle;
        takeOverPrepared(id);
        if (containers.putIfAbsent(id, c) != null) {
            throw new TtrpcException(Code.ALREADY_EXISTS, "container " + id + " already exists");
        }
        boolean created = false;
        StdioSetup io = StdioSetup.prepare(id, request.getStdio());
        try {
            // The upper layer stays: what an earlier run and docker cp wrote is the container's own.
            deleteTree(bundle);
            Files.createDirectories(bundle);
            Files.write(bundle.resolve("config.json"), request.getOciSpecJson().toByteArray());
            Rootfs.mount(c.rootfs(), layers, c.upperBase);
            c.rootfsMounted = true;
            int pid = 0;
            // Not with a terminal: under crun run in the foreground the container's shell got ECHILD
            // from its terminal's ioctls (stty), so a pty keeps create and start.
            if (runtime.runsInForeground() && !request.getStdio().getTerminal()) {
                c.pendingStdio = io; // the start runs it: its stdio waits until then
                io = null;
            } else {
                Path pidFile = bundle.resolve("init.pid");
                List<String> args = new ArrayList<>(List.of("create", "--bundle", bundle.toString(), "--pid-file",
                        pidFile.toString(), "--no-pivot"));
                args.addAll(io.runcArgs());
                args.add(id);
                c.runtimeHasIt = true;
                runtime.run(c.runtimeLog(), io.runcStdio(), args.toArray(String[]::new));
                pid = readPid(pidFile);
                Proc init = io.finish(id, "", pid);
                c.procs.put("", init);
                c.initReady.complete(null);
                watch(c, init, Reaper.shared().adopt(pid));
            }
            c.state = Container.State.CREATED;
            created = true;
            Main.log("container " + id + ": created" + (pid > 0 ? ", init pid " + pid : ""));
            return pid;
        } catch (IOException | IllegalArgumentException e) {
            throw new TtrpcException(Code.INTERNAL, "create container " + id + ": " + e.getMessage());
        } finally {
            if (io != null) {
                io.close();
            }
            if (!created) {
                cleanUp(c, true);
                containers.remove(id);
            }
        }
    }

    /**
     * Assembles a container's rootfs without creating it (MountRootfs: docker cp into a container
     * that has none in this VM). A container the agent knows is left as it is.
     */
    public void mountRootfs(MountRootfsRequest request) throws TtrpcException {
        String id = checkId(request.getContainerId(), "container id");
        List<String> layers = layerPaths(id, request.getLayerStorageIdsList());
        Container c = newContainer(id, request.getScratchStorageId());
        c.layerStorages = List.copyOf(request.getLayerStorageIdsList());
        c.state = Container.State.PREPARED;
        if (containers.putIfAbsent(id, c) != null) {
            return;
        }
        synchronized (c) {
            try {
                Rootfs.mount(c.rootfs(), layers, c.upperBase);
                c.rootfsMounted = true;
                Main.log("container " + id + ": rootfs mounted for copying");
            } catch (IOException | IllegalArgumentException e) {
                containers.remove(id);
                throw new TtrpcException(Code.INTERNAL, "mount the rootfs of " + id + ": " + e.getMessage());
            }
        }
    }

    /**
     * A container here whose rootfs has the layer storage, or null. An overlay mount holds its
     * lower layers through private clones of their mounts, so unmounting a layer under a live
     * container succeeds, and the host's unplug of its disk that follows would fail every read
     * of the container's files: the storage's removal asks this first.
     */
    public String layerUser(String storageId) {
        for (Container c : containers.values()) {
            if (c.layerStorages.contains(storageId)) {
                return c.id;
            }
        }
        return null;
    }

    /** The guest paths of a container's layer storages, lowest first. */
    private List<String> layerPaths(String id, List<String> storageIds) throws TtrpcException {
        List<String> layers = new ArrayList<>();
        for (String layer : storageIds) {
            layers.add(storages.get(layer, Storage.Kind.LAYER).guestPath());
        }
        if (layers.isEmpty()) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "container " + id + " names no layer storage");
        }
        return layers;
    }

    /** A container's record: its bundle, and its upper layer on the scratch storage (or in memory). */
    private Container newContainer(String id, String scratchStorageId) throws TtrpcException {
        Path bundle = Path.of(GuestPaths.bundle(id));
        Path upperBase = scratchStorageId.isEmpty() ? bundle.resolve("scratch")
                : Path.of(storages.get(scratchStorageId, Storage.Kind.SCRATCH).guestPath(), "containers", id);
        return new Container(id, bundle, upperBase);
    }

    /** A container only prepared by {@link #mountRootfs} gives way to its creation; its upper layer stays. */
    private void takeOverPrepared(String id) throws TtrpcException {
        Container prepared = containers.get(id);
        if (prepared == null || prepared.state != Container.State.PREPARED) {
            return;
        }
        synchronized (prepared) {
            if (prepared.rootfsMounted) {
                try {
                    Rootfs.unmount(prepared.rootfs());
                    prepared.rootfsMounted = false;
                } catch (ErrnoException e) {
                    throw new TtrpcException(Code.INTERNAL, "unmount the copy rootfs of " + id + ": " + e.getMessage());
                }
            }
            containers.remove(id, prepared);
        }
    }

    /**
     * A descriptor (O_PATH) of a container's root as docker cp sees it: a live process's root,
     * with the container's mounts (binds, /etc files), else the rootfs the agent assembled. The
     * caller closes it.
     */
    public int openRoot(String containerId) throws TtrpcException {
        Container c = get(containerId);
        Proc init = c.init();
        try {
            if (init != null && !init.exit.isDone()) {
                try {
                    return Fds.openat2(Fds.AT_FDCWD, "/proc/" + init.pid + "/root",
                            OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
                } catch (ErrnoException e) {
                    // it exited meanwhile: its rootfs is still there
                }
            }
            if (!c.rootfsMounted) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " has no root file system mounted");
            }
            return Fds.openat2(Fds.AT_FDCWD, c.rootfs().toString(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
        } catch (ErrnoException e) {
            throw new TtrpcException(Code.INTERNAL, "open the root of " + c.id + ": " + e.getMessage());
        }
    }

    public int start(String containerId) throws TtrpcException {
        Container c = get(containerId);
        synchronized (c) {
            if (c.state != Container.State.CREATED) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " is " + c.state
                        + ", not CREATED");
            }
            if (c.pendingStdio != null) {
                try {
                    runInForeground(c);
                } catch (TtrpcException e) {
                    c.initReady.completeExceptionally(e);
                    c.state = Container.State.STOPPED; // a second start must not take the create-and-start path
                    throw e;
                }
            } else {
                runtime.run(c.runtimeLog(), new int[] {-1, -1, -1}, "start", c.id);
            }
            c.state = Container.State.RUNNING;
        }
        return c.init().pid;
    }

    /**
     * Starts a created container with {@code crun run}, which stays as its init's parent until the
     * init exits and then deletes the container itself: one runtime process per run instead of
     * create, start and delete. Its exit is the container's (crun exits with the init's status, 128 +
     * the signal when killed), and the init's pid comes through a FIFO as soon as crun writes it.
     */
    private void runInForeground(Container c) throws TtrpcException {
        List<String> args = new ArrayList<>(List.of("run", "--bundle", c.bundle.toString(), "--pid-file"));
        try (StdioSetup io = c.pendingStdio; PidFifo pidFile = PidFifo.create(c.bundle.resolve("init.pid"))) {
            c.pendingStdio = null;
            args.addAll(List.of(pidFile.path().toString(), "--no-pivot"));
            args.addAll(io.runcArgs());
            args.add(c.id);
            String[] argv = args.toArray(String[]::new);
            Reaper.Child run = runtime.spawn(c.runtimeLog(), io.runcStdio(), argv);
            run.exit().whenComplete((status, failure) -> pidFile.poke());
            int pid = pidFile.awaitPid(OciRuntime.TIMEOUT_SECONDS);
            if (pid == 0) {
                throw runFailed(c, run, argv);
            }
            Proc init = io.finish(c.id, "", pid);
            c.procs.put("", init);
            c.initReady.complete(null);
            watch(c, init, run.exit());
            Main.log("container " + c.id + ": running, init pid " + pid);
        } catch (IOException | TimeoutException e) {
            throw new TtrpcException(Code.INTERNAL, "start container " + c.id + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted starting " + c.id);
        }
    }

    /** crun run ended (or hung) without a pid: what it said, and nothing of the container left behind. */
    private TtrpcException runFailed(Container c, Reaper.Child run, String[] argv) throws InterruptedException {
        // Ended: the poke that woke the wait ran once its exit was known. Still running: the wait
        // for its pid took the runtime's whole timeout already, so it is stuck.
        Processes.ExitStatus status;
        try {
            if (!run.exit().isDone()) {
                throw new TimeoutException();
            }
            status = run.exit().get();
        } catch (ExecutionException | TimeoutException e) {
            try {
                Reaper.shared().kill(run.pid(), Processes.SIGKILL);
            } catch (IOException ignored) {
                // it ended meanwhile
            }
            return new TtrpcException(Code.DEADLINE_EXCEEDED, "crun run " + c.id + " gave no pid in "
                    + OciRuntime.TIMEOUT_SECONDS + " s; killed it");
        }
        TtrpcException failure = runtime.failed(c.runtimeLog(), status, argv);
        try {
            // crun cleans up after a failed run itself; this is for what a crash of it would leave
            runtime.run(c.runtimeLog(), new int[] {-1, -1, -1}, "delete", "--force", c.id);
        } catch (TtrpcException ignored) {
            // nothing left to delete: the usual case
        }
        return failure;
    }

    public int exec(ExecProcessRequest request) throws TtrpcException {
        Container c = get(request.getContainerId());
        String execId = checkId(request.getExecId(), "exec id");
        if (request.getOciProcessJson().size() > MAX_SPEC_BYTES || request.getOciProcessJson().isEmpty()) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "the OCI process must be 1 byte to 1 MiB");
        }
        if (c.state != Container.State.RUNNING) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " is " + c.state + ", not RUNNING");
        }
        if (execId.equals(c.id) || c.procs.containsKey(execId)) {
            throw new TtrpcException(Code.ALREADY_EXISTS, "exec " + execId + " already exists in " + c.id);
        }
        try (StdioSetup io = StdioSetup.prepare(c.id + "-" + execId, request.getStdio())) {
            Path process = c.bundle.resolve("exec-" + execId + ".json");
            Path pidFile = c.bundle.resolve("exec-" + execId + ".pid");
            Files.write(process, request.getOciProcessJson().toByteArray());
            List<String> args = new ArrayList<>(List.of("exec", "--detach", "--pid-file", pidFile.toString(),
                    "--process", process.toString()));
            args.addAll(io.runcArgs());
            args.add(c.id);
            runtime.run(c.runtimeLog(), io.runcStdio(), args.toArray(String[]::new));
            int pid = readPid(pidFile);
            Files.deleteIfExists(process); // runc has read them: an exec leaves no files behind
            Files.deleteIfExists(pidFile);
            Proc p = io.finish(c.id, execId, pid);
            c.procs.put(execId, p);
            watch(c, p, Reaper.shared().adopt(pid));
            return pid;
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "exec in " + c.id + ": " + e.getMessage());
        }
    }

    /** Completes the process's exit when the reaper reaps it, and publishes it. */
    private void watch(Container c, Proc p, java.util.concurrent.CompletableFuture<Processes.ExitStatus> ended) {
        ended.whenComplete((status, failure) -> {
            ExitStatus exit = failure != null
                    ? ExitStatus.newBuilder().setExitCode(255).setExitedAtUnixNanos(nowNanos()).build()
                    : ExitStatus.newBuilder().setExitCode(status.shellCode())
                            .setSignal(status.signaled() ? status.signal() : 0).setExitedAtUnixNanos(nowNanos()).build();
            if (p.execId.isEmpty()) {
                c.state = Container.State.STOPPED;
            }
            p.exited(exit);
            if (!p.execId.isEmpty()) {
                c.execEnded(p.execId);
            }
            Main.log("process " + p.name() + " (pid " + p.pid + ") exited: " + exit.getExitCode());
            exits.accept(ProcessExited.newBuilder().setContainerId(c.id).setExecId(p.execId).setPid(p.pid)
                    .setStatus(exit).build());
        });
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public void signal(SignalProcessRequest request) throws TtrpcException {
        Container c = get(request.getContainerId());
        if (request.getSignal() < 1 || request.getSignal() > 64) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "signal " + request.getSignal() + " is not 1..64");
        }
        if (request.getAll()) {
            runtime.run(c.runtimeLog(), new int[] {-1, -1, -1}, "kill", "--all", c.id, Integer.toString(request.getSignal()));
            return;
        }
        Proc p = proc(c, request.getExecId());
        synchronized (p) {
            if (p.exit.isDone()) {
                throw new TtrpcException(Code.NOT_FOUND, "process " + p.name() + " is not running");
            }
            try {
                // The pid cannot have been reused: an exec's process is our child, not yet reaped; an
                // init run in the foreground is crun's child, and crun exits (completing the exit
                // checked above) right after reaping it: too soon for the kernel to hand the pid out again.
                Processes.kill(p.pid, request.getSignal());
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ESRCH) {
                    throw new TtrpcException(Code.INTERNAL, "signal " + p.name() + ": " + e.getMessage());
                }
            }
        }
    }

    /** Waits for a process's exit; honours the call's deadline through interruption. */
    public ExitStatus await(String containerId, String execId) throws TtrpcException {
        Proc p = proc(containerId, execId);
        try {
            return p.exit.get();
        } catch (ExecutionException e) {
            throw new TtrpcException(Code.INTERNAL, "wait " + p.name() + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "wait for " + p.name() + " cancelled");
        }
    }

    public void remove(String containerId, boolean force) throws TtrpcException {
        remove(containerId, force, false);
    }

    /** Removes a container; with {@code keepUpper} its upper layer stays for its next create. */
    public void remove(String containerId, boolean force, boolean keepUpper) throws TtrpcException {
        Container c = get(containerId);
        synchronized (c) {
            Proc init = c.init();
            if (init != null && !init.exit.isDone()) {
                if (!force) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id
                            + " is running: stop it first or remove with force");
                }
                try {
                    Processes.kill(init.pid, Processes.SIGKILL);
                    init.exit.get(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (ErrnoException | ExecutionException | TimeoutException e) {
                    throw new TtrpcException(Code.INTERNAL, "kill " + c.id + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TtrpcException(Code.CANCELLED, "interrupted");
                }
            }
            if (c.runtimeHasIt) {
                try {
                    runtime.run(c.runtimeLog(), new int[] {-1, -1, -1}, "delete", "--force", c.id);
                } catch (TtrpcException e) {
                    Main.log("container " + c.id + ": " + e.getMessage()); // cleaning up goes on
                }
            }
            cleanUp(c, keepUpper);
            containers.remove(c.id);
        }
    }

    /** docker stats: its cgroup's counters, the VM's CPU time, its namespace's interfaces (see CgroupStats). */
    public StatsResponse stats(String containerId) throws TtrpcException {
        Container c = get(containerId);
        Proc init = c.init();
        int pid = init != null && !init.exit.isDone() ? init.pid : 0;
        return new CgroupStats(Path.of("/")).read(GuestPaths.cgroupsPath(c.id), pid);
    }

    /** docker top: the processes in its cgroup. */
    public ListProcessesResponse processes(String containerId) throws TtrpcException {
        Container c = get(containerId);
        return ProcessLister.inGuest().list(GuestPaths.cgroupsPath(c.id));
    }

    /** docker pause: runc pause freezes its cgroup (cgroup.freeze), and waits until it is frozen. */
    public void pause(String containerId) throws TtrpcException {
        freeze(get(containerId), Container.State.RUNNING, "pause", Container.State.PAUSED);
    }

    /** docker unpause: runc resume thaws its cgroup. */
    public void resume(String containerId) throws TtrpcException {
        freeze(get(containerId), Container.State.PAUSED, "resume", Container.State.RUNNING);
    }

    private void freeze(Container c, Container.State from, String verb, Container.State to) throws TtrpcException {
        synchronized (c) {
            if (c.state != from) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "cannot " + verb + " container " + c.id
                        + ": it is " + c.state + ", not " + from);
            }
            runtime.run(c.runtimeLog(), new int[] {-1, -1, -1}, verb, c.id);
            if (c.state == from) { // its init may have been killed meanwhile: STOPPED stays
                c.state = to;
            }
        }
        Main.log("container " + c.id + ": " + verb + "d");
    }

    /**
     * A process for its input and output: the init of a container created but not started yet is
     * waited for (see {@link Container#initReady}), at most {@link #INIT_WAIT_SECONDS}.
     */
    public Proc proc(String containerId, String execId) throws TtrpcException {
        Container c = get(containerId);
        awaitInit(c, execId);
        return proc(c, execId);
    }

    private static void awaitInit(Container c, String execId) throws TtrpcException {
        if (!procKey(c, execId).isEmpty() || c.state == Container.State.PREPARED) {
            return;
        }
        try {
            c.initReady.get(INIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // not started (yet): the lookup says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted waiting for the start of " + c.id);
        }
    }

    /** The key of a process in {@link Container#procs}: "" for the init, named by "" or the container's id. */
    private static String procKey(Container c, String execId) {
        return execId.equals(c.id) ? "" : execId;
    }

    private static Proc proc(Container c, String execId) throws TtrpcException {
        String key = procKey(c, execId);
        Proc p = c.procs.get(key);
        if (p == null) {
            throw new TtrpcException(Code.NOT_FOUND, "no process " + (key.isEmpty() ? "init" : key) + " in container " + c.id);
        }
        return p;
    }

    /** Whether no container is known here (created, running or exited and not yet removed). */
    public boolean isEmpty() {
        return containers.isEmpty();
    }

    /** Kills every container (for shutdown). */
    public void killAll() {
        for (Container c : containers.values()) {
            Proc init = c.init();
            if (init != null && !init.exit.isDone()) {
                try {
                    Processes.kill(init.pid, Processes.SIGKILL);
                } catch (ErrnoException ignored) {
                    // already gone
                }
            }
        }
    }

    public int count() {
        return containers.size();
    }

    private Container get(String id) throws TtrpcException {
        Container c = containers.get(checkId(id, "container id"));
        if (c == null) {
            throw new TtrpcException(Code.NOT_FOUND, "no container " + id);
        }
        return c;
    }

    private void cleanUp(Container c, boolean keepUpper) {
        c.initReady.completeExceptionally(new TtrpcException(Code.NOT_FOUND, "container " + c.id + " was removed"));
        if (c.pendingStdio != null) { // created, never started
            c.pendingStdio.close();
            c.pendingStdio = null;
        }
        if (c.rootfsMounted) {
            try {
                Rootfs.unmount(c.rootfs());
                c.rootfsMounted = false;
            } catch (ErrnoException e) {
                Main.log("container " + c.id + ": " + e.getMessage());
            }
        }
        if (c.rootfsMounted) {
            return; // never walk into a mounted rootfs: the bundle stays until it can be unmounted
        }
        try {
            deleteTree(c.bundle);
            if (!keepUpper) {
                deleteTree(c.upperBase);
            }
        } catch (IOException e) {
            Main.log("container " + c.id + ": cleaning up: " + e.getMessage());
        }
    }

    /** Deletes a folder tree without following symlinks (a container's upper layer is its own data). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static int readPid(Path pidFile) throws IOException, TtrpcException {
        String text = Files.readString(pidFile).trim();
        try {
            int pid = Integer.parseInt(text);
            if (pid > 1) {
                return pid;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TtrpcException(Code.INTERNAL, "runc wrote no pid to " + pidFile + ": \"" + text + "\"");
    }

    private static String checkId(String id, String what) throws TtrpcException {
        try {
            return GuestPaths.checkId(id, what);
        } catch (IllegalArgumentException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, e.getMessage());
        }
    }
}
