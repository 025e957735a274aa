package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.Backend.ContainerState;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Health;
import dev.skiff.engine.network.PortPublisher;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One container as the engine keeps it: what it was created from, its resolved process, its
 * state (persisted through {@link Record}), its output hub and log, and its waiters.
 */
public final class Container {
    /** What is written to disk, atomically, at every state change. */
    public record Record(String id, String name, String created, String imageRef, String imageId,
                         List<String> diffIds, CreateSpec spec, List<String> args, List<String> env, String cwd,
                         int uid, int gid, String hostname, String status, int pid, int exitCode, String error,
                         String startedAt, String finishedAt, String vm, String vmMode,
                         Backend.NetworkState network, List<PortPublisher.Forward> forwards, int restartCount,
                         boolean manuallyStopped, Health health, boolean paused, List<String> shares,
                         List<Integer> groups /* null in a record from before supplementary groups */) {}

    public final String id;
    /** Changed only by docker rename, under the engine's container-table lock. */
    public volatile String name;
    public final Instant created;
    public final String imageRef;
    public final String imageId;
    public final List<String> diffIds;
    /** Replaced (not changed) when networks are connected or disconnected before a start. */
    public volatile CreateSpec spec;
    public final List<String> args;
    public final List<String> env;
    public final String cwd;
    public final int uid;
    public final int gid;
    /** Its user's supplementary groups (from the image's /etc/group when the user was named); set once, at create. */
    public volatile List<Integer> groups = List.of();
    public final String hostname;
    public final Path dir;
    public final OutputHub output;
    public final StdinRelay stdin = new StdinRelay();
    public final Map<String, Exec> execs = new ConcurrentHashMap<>();
    /** Storage ids of this container's bind mounts in its VM: 9P shares and forwarded sockets. */
    public final List<String> shares = new java.util.concurrent.CopyOnWriteArrayList<>(); // read by inspect while a start fills it

    // Mutable state, guarded by this.
    public Status status = Status.CREATED;
    /**
     * A start is in flight (placement, mounts, network, the runtime's create and start): the status
     * stays what it was, as dockerd shows it, and the start lock keeps other starts and removes out.
     */
    public boolean starting;
    public int pid;
    public int exitCode;
    public String error = "";
    public Instant startedAt;
    public Instant finishedAt;
    public String vm = "";
    public String vmMode = "";
    /** The network while it runs (address, published ports); idle otherwise. */
    public Backend.NetworkState network;
    /**
     * Whether the agent holds a network for the current run (a namespace, /etc files, forwards)
     * that must be given back at its end; guarded by this. Not kept on disk: a restarted daemon
     * sets it again for the containers it finds running.
     */
    public boolean networkUp;
    /** Held while a run's network is given back, so stop and rm can wait for it. */
    public final Object networkLock = new Object();
    /** The host ports forwarded into its VM while it runs. */
    public List<PortPublisher.Forward> forwards = List.of();
    private CompletableFuture<Integer> nextExit = new CompletableFuture<>();
    public final CompletableFuture<Integer> removed = new CompletableFuture<>();
    /** Restarts by its restart policy (Docker's RestartCount). */
    public int restartCount;
    /** Stopped or killed by a user: a policy does not restart it (Docker's HasBeenManuallyStopped). */
    public boolean manuallyStopped;
    /** Running with its processes frozen (docker pause); kept on disk, so a restarted daemon reports it. */
    public boolean paused;
    /** Held for a whole start, so a stop waits for a start in flight instead of racing it. */
    public final java.util.concurrent.locks.ReentrantLock startLock = new java.util.concurrent.locks.ReentrantLock();
    /** The docker cp calls using its VM, which a release of the VM waits for. */
    public final VmUsers vmUsers = new VmUsers(java.time.Duration.ofMinutes(2));
    /** What its health check found (null: it never ran); set by {@link HealthMonitor}. Guarded by this. */
    public Health health;
    /** The wait before its next policy restart; not kept across daemon restarts. */
    public java.time.Duration restartDelay = java.time.Duration.ZERO;

    public Container(String id, String name, Instant created, String imageRef, String imageId, List<String> diffIds,
            CreateSpec spec, List<String> args, List<String> env, String cwd, int uid, int gid, String hostname, Path dir) {
        this.id = id;
        this.name = name;
        this.created = created;
        this.imageRef = imageRef;
        this.imageId = imageId;
        this.diffIds = List.copyOf(diffIds);
        this.spec = spec;
        this.args = List.copyOf(args);
        this.env = List.copyOf(env);
        this.cwd = cwd;
        this.uid = uid;
        this.gid = gid;
        this.hostname = hostname;
        this.dir = dir;
        this.output = new OutputHub(new LogFile(dir.resolve("container.log")));
        this.network = Backend.NetworkState.idle(spec.networkOrDefault().mode());
    }

    /** Its endpoints on the network with this id while it runs (none, or one). */
    public synchronized List<Backend.EndpointInfo> endpointsOn(String networkId) {
        return network.endpoints().stream().filter(e -> e.networkId().equals(networkId)).toList();
    }

    public synchronized boolean running() {
        return status == Status.RUNNING;
    }

    public synchronized CompletableFuture<Integer> nextExit() {
        return nextExit;
    }

    /**
     * Records the exit and wakes whoever waits for it: its run ended with {@code code};
     * {@code restarting}, its restart policy starts it again.
     */
    public void exited(int code, String why, boolean restarting) {
        CompletableFuture<Integer> done;
        synchronized (this) {
            // Only a run ends in "exited": a removal that went on without this exit keeps its
            // status, the container is going.
            if (status == Status.RUNNING) {
                status = restarting ? Status.RESTARTING : Status.EXITED;
            }
            paused = false;
            exitCode = code;
            error = why == null ? "" : why;
            finishedAt = Instant.now();
            pid = 0;
            done = nextExit;
            nextExit = new CompletableFuture<>();
        }
        done.complete(code);
    }

    /** A policy restart is pending or under way (Docker's State.Restarting). */
    public synchronized boolean restarting() {
        return status == Status.RESTARTING;
    }

    /**
     * The pending policy restart will not happen (a user stopped it, or its start failed): it is
     * "exited", and a wait that expected the restarted run's exit gets the last one's code.
     */
    public void restartAbandoned() {
        CompletableFuture<Integer> waiting;
        int code;
        synchronized (this) {
            if (status != Status.RESTARTING) {
                return;
            }
            status = Status.EXITED;
            code = exitCode;
            waiting = nextExit;
            nextExit = new CompletableFuture<>();
        }
        waiting.complete(code);
    }

    public synchronized ContainerState state() {
        // Running while restarting, as dockerd says it (moby's SetRestarting sets Running too)
        return new ContainerState(paused ? "paused" : status.word(),
                status == Status.RUNNING || status == Status.RESTARTING, pid, exitCode, error, startedAt,
                finishedAt, health);
    }

    public synchronized Record record() {
        return new Record(id, name, created.toString(), imageRef, imageId, diffIds, spec, args, env, cwd, uid, gid,
                hostname, status.word(), pid, exitCode, error, startedAt == null ? null : startedAt.toString(),
                finishedAt == null ? null : finishedAt.toString(), vm, vmMode, network, forwards, restartCount,
                manuallyStopped, health, paused, List.copyOf(shares), groups);
    }

    public static Container fromRecord(Record r, Path dir) {
        Container c = new Container(r.id(), r.name(), Instant.parse(r.created()), r.imageRef(), r.imageId(), r.diffIds(),
                r.spec(), r.args(), r.env(), r.cwd(), r.uid(), r.gid(), r.hostname(), dir);
        c.groups = r.groups() == null ? List.of() : List.copyOf(r.groups());
        c.status = Status.ofWord(r.status());
        c.pid = r.pid();
        c.exitCode = r.exitCode();
        c.error = r.error() == null ? "" : r.error();
        c.startedAt = r.startedAt() == null ? null : Instant.parse(r.startedAt());
        c.finishedAt = r.finishedAt() == null ? null : Instant.parse(r.finishedAt());
        c.vm = r.vm() == null ? "" : r.vm();
        c.restartCount = r.restartCount();
        c.manuallyStopped = r.manuallyStopped();
        c.health = r.health();
        c.paused = r.paused();
        c.vmMode = r.vmMode() == null ? "" : r.vmMode();
        c.network = r.network() == null ? Backend.NetworkState.idle(c.spec.networkOrDefault().mode()) : r.network();
        c.forwards = r.forwards() == null ? List.of() : List.copyOf(r.forwards());
        if (r.shares() != null) {
            c.shares.addAll(r.shares()); // a new daemon serves them again (live restore) or releases them
        }
        return c;
    }

    /**
     * docker update: a new restart policy takes effect at its next exit. Refused, with moby's words, for a container
     * that removes itself at exit or is being removed; resource limits are refused: Skiff applies them at create
     * only, and does not change a container's cgroup afterwards.
     */
    public synchronized void update(Backend.ContainerUpdate u) throws EngineException {
        if (!u.resources().isEmpty()) {
            throw EngineException.invalid("Cannot update container " + id + ": Skiff sets resource limits at create"
                    + " only (" + String.join(", ", u.resources()) + "); docker update can change only --restart;"
                    + " create the container again with the new limits");
        }
        if (status == Status.REMOVING) {
            throw EngineException.conflict("Cannot update container " + id
                    + ": container is marked for removal and cannot be \"update\"");
        }
        if (u.restartPolicy() == null) {
            return;
        }
        if (spec.autoRemove() && !u.restartPolicy().name().equals("no")) {
            throw EngineException.conflict("Cannot update container " + id
                    + ": Restart policy cannot be updated because AutoRemove is enabled for the container");
        }
        spec = spec.withRestartPolicy(u.restartPolicy());
    }

    public Backend.ContainerSummary summary() {
        String command = String.join(" ", args);
        Backend.NetworkState net;
        synchronized (this) {
            net = network;
        }
        return new Backend.ContainerSummary(id, List.of("/" + name), imageRef, imageId, command, created, state(),
                spec.labels(), vm, net, dedicated());
    }

    public boolean dedicated() {
        return "hyperv".equalsIgnoreCase(spec.isolation());
    }
}
