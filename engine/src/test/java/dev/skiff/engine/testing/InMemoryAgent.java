package dev.skiff.engine.testing;

import static dev.skiff.agent.api.AgentProtocol.SERVICE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.skiff.agent.api.AddEndpointRequest;
import dev.skiff.agent.api.AddEndpointResponse;
import dev.skiff.agent.api.AddStorageRequest;
import dev.skiff.agent.api.AddStorageResponse;
import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.agent.api.CloseStdinRequest;
import dev.skiff.agent.api.CloseStdinResponse;
import dev.skiff.agent.api.CreateContainerRequest;
import dev.skiff.agent.api.CreateContainerResponse;
import dev.skiff.agent.api.Event;
import dev.skiff.agent.api.EventsRequest;
import dev.skiff.agent.api.ExecProcessRequest;
import dev.skiff.agent.api.ExecProcessResponse;
import dev.skiff.agent.api.ExitStatus;
import dev.skiff.agent.api.GuestInfoRequest;
import dev.skiff.agent.api.GuestInfoResponse;
import dev.skiff.agent.api.InputChunk;
import dev.skiff.agent.api.IoUsage;
import dev.skiff.agent.api.ListProcessesRequest;
import dev.skiff.agent.api.ListProcessesResponse;
import dev.skiff.agent.api.MountRootfsRequest;
import dev.skiff.agent.api.MountRootfsResponse;
import dev.skiff.agent.api.NetworkCounters;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.OutputChunk;
import dev.skiff.agent.api.PauseContainerRequest;
import dev.skiff.agent.api.PauseContainerResponse;
import dev.skiff.agent.api.PingRequest;
import dev.skiff.agent.api.PingResponse;
import dev.skiff.agent.api.ProcessExited;
import dev.skiff.agent.api.ProcessInfo;
import dev.skiff.agent.api.ReadArchiveRequest;
import dev.skiff.agent.api.ReadOutputRequest;
import dev.skiff.agent.api.RemoveContainerRequest;
import dev.skiff.agent.api.RemoveContainerResponse;
import dev.skiff.agent.api.RemoveEndpointRequest;
import dev.skiff.agent.api.RemoveEndpointResponse;
import dev.skiff.agent.api.RemoveStorageRequest;
import dev.skiff.agent.api.RemoveStorageResponse;
import dev.skiff.agent.api.ReplayChangesRequest;
import dev.skiff.agent.api.ReplayChangesResponse;
import dev.skiff.agent.api.ResizeTtyRequest;
import dev.skiff.agent.api.ResizeTtyResponse;
import dev.skiff.agent.api.ResumeContainerRequest;
import dev.skiff.agent.api.ResumeContainerResponse;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.api.SetupNetworkResponse;
import dev.skiff.agent.api.ShutdownRequest;
import dev.skiff.agent.api.ShutdownResponse;
import dev.skiff.agent.api.SignalProcessRequest;
import dev.skiff.agent.api.SignalProcessResponse;
import dev.skiff.agent.api.StartContainerRequest;
import dev.skiff.agent.api.StartContainerResponse;
import dev.skiff.agent.api.StatPathRequest;
import dev.skiff.agent.api.StatPathResponse;
import dev.skiff.agent.api.StatsRequest;
import dev.skiff.agent.api.StatsResponse;
import dev.skiff.agent.api.Stdio;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.api.TeardownNetworkRequest;
import dev.skiff.agent.api.TeardownNetworkResponse;
import dev.skiff.agent.api.WaitProcessRequest;
import dev.skiff.agent.api.WaitProcessResponse;
import dev.skiff.agent.api.WriteArchiveRequest;
import dev.skiff.agent.api.WriteInputResponse;
import dev.skiff.agent.archive.ArchiveService;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.Server;
import dev.skiff.ttrpc.ServiceRegistry;
import dev.skiff.ttrpc.StreamDesc;
import dev.skiff.ttrpc.Transport;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The guest agent's service kept in memory, for engine tests without a VM: served by the
 * project's own ttrpc server over a connected socket pair, so the engine's real
 * {@link dev.skiff.agent.client.AgentClient} talks to it in the real wire format.
 *
 * <p>What it keeps: storages (layers, scratch, shares, socket forwards) by id, containers with
 * their init and exec processes, each a {@link Program} a test chose by the process's first
 * argument. Output and input are what the real agent serves too: ReadOutput streams a process's
 * stdout or stderr until the process exits; WriteInput feeds an open stdin, and its end (or
 * CloseStdin) is the program's end of input. Networking calls succeed and are remembered. Stats
 * answer a small idle container whose CPU counters grow by one step a call. docker cp (StatPath,
 * ReadArchive, WriteArchive) is the real agent's {@link ArchiveService} over a directory a
 * container has on the host from its create (or MountRootfs) to its removal (past it, with
 * keep_upper, as the real agent keeps the upper layer for the next create): the tiny image's
 * {@code /etc/hostname}, and what a test puts there through {@link #root}; StatPath has a hook a
 * test can hold it on. Errors follow the real agent's codes where the engine tells them apart:
 * NOT_FOUND for an unknown container or a signal to a process that has exited, ALREADY_EXISTS
 * for a second create, FAILED_PRECONDITION for removing a running container without force.
 */
public final class InMemoryAgent implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] EOF = new byte[0];

    private final Function<List<String>, Program> programs;
    private final Runnable powerOff;
    private final Path roots;
    private final ArchiveService archives = new ArchiveService(this::openRoot);
    private final AtomicLong statsCalls = new AtomicLong();
    private final Server server;
    private final String bootId = UUID.randomUUID().toString();
    private final AtomicInteger pids = new AtomicInteger(100);
    private final Map<String, String> storages = new ConcurrentHashMap<>(); // id -> "layer serial", "scratch serial", ...
    private final Map<String, Ctr> containers = new ConcurrentHashMap<>();
    private final Set<String> networks = ConcurrentHashMap.newKeySet(); // container ids with a network set up
    private final Set<String> rootfsMounted = ConcurrentHashMap.newKeySet();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final Set<BlockingQueue<Event>> subscribers = ConcurrentHashMap.newKeySet();
    private volatile StatHook statHook = (containerId, path) -> { };

    /** Runs before StatPath answers: a test can hold a docker cp there, or fail it by throwing. */
    @FunctionalInterface
    public interface StatHook {
        void before(String containerId, String path) throws Exception;
    }

    /**
     * @param programs the program a process runs, from its arguments
     * @param powerOff what the Shutdown call does once it has answered (the VM's power-off)
     * @param roots where the containers' root directories go, one folder each
     */
    public InMemoryAgent(Function<List<String>, Program> programs, Runnable powerOff, Path roots) {
        this.programs = programs;
        this.powerOff = powerOff;
        this.roots = roots;
        this.server = new Server(registry());
    }

    /** Serves one connection (the guest's end of the agent channel) until it closes. */
    public void serve(ByteChannel guestEnd) {
        server.serve(Transport.of(guestEnd));
    }

    /** The VM is gone: connections drop first (calls in flight fail as the VM's death), then every process dies. */
    @Override
    public void close() {
        server.close();
        for (Ctr c : containers.values()) {
            c.procs().forEach(p -> p.signal(9));
        }
    }

    // ---------------------------------------------------------------- what tests look at

    /** The agent methods called so far, in order ("CreateContainer", ...). */
    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** Storage ids and what they are ("layer l0123...", "scratch scratch", "share p9.1", "socket"). */
    public Map<String, String> storages() {
        return Map.copyOf(storages);
    }

    /** The containers the guest has now. */
    public Set<String> containers() {
        return Set.copyOf(containers.keySet());
    }

    /** The container's state in the guest: created, running or stopped; null when it has none. */
    public String state(String containerId) {
        Ctr c = containers.get(containerId);
        return c == null ? null : c.state();
    }

    /** The signals the container's init has been sent, SIGKILL included, in order. */
    public List<Integer> signalsSent(String containerId) {
        Ctr c = containers.get(containerId);
        return c == null ? List.of() : List.copyOf(c.init.sent);
    }

    public boolean hasNetwork(String containerId) {
        return networks.contains(containerId);
    }

    public void onStat(StatHook hook) {
        this.statHook = hook;
    }

    /** The container's root directory as docker cp sees it (it exists from the create on). */
    public Path root(String containerId) {
        return roots.resolve(containerId);
    }

    // ---------------------------------------------------------------- the service

    private ServiceRegistry registry() {
        ServiceRegistry r = new ServiceRegistry();
        r.unary(SERVICE, "Ping", PingRequest.parser(), (call, q) -> {
            called("Ping");
            return PingResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "PrepareTemplate", dev.skiff.agent.api.PrepareTemplateRequest.parser(), (call, q) -> {
            called("PrepareTemplate");
            return dev.skiff.agent.api.PrepareTemplateResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "SetClock", dev.skiff.agent.api.SetClockRequest.parser(), (call, q) -> {
            called("SetClock");
            return dev.skiff.agent.api.SetClockResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "GuestInfo", GuestInfoRequest.parser(), (call, q) -> {
            called("GuestInfo");
            return GuestInfoResponse.newBuilder().setBootId(bootId).setKernelRelease("in-memory")
                    .setAgentVersion("in-memory").setMemoryTotalBytes(512L << 20).setCpus(2).build();
        });
        r.unary(SERVICE, "AddStorage", AddStorageRequest.parser(), (call, q) -> {
            called("AddStorage");
            return AddStorageResponse.newBuilder().setGuestPath(addStorage(q)).build();
        });
        r.unary(SERVICE, "RemoveStorage", RemoveStorageRequest.parser(), (call, q) -> {
            called("RemoveStorage");
            if (storages.remove(q.getId()) == null) {
                throw new TtrpcException(Code.NOT_FOUND, "no storage " + q.getId());
            }
            return RemoveStorageResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "ReplayChanges", ReplayChangesRequest.parser(), (call, q) -> {
            called("ReplayChanges");
            return ReplayChangesResponse.newBuilder().setDone(q.getChangesCount()).build();
        });
        r.unary(SERVICE, "CreateContainer", CreateContainerRequest.parser(), (call, q) -> {
            called("CreateContainer");
            return CreateContainerResponse.newBuilder().setPid(create(q)).build();
        });
        r.unary(SERVICE, "StartContainer", StartContainerRequest.parser(), (call, q) -> {
            called("StartContainer");
            return StartContainerResponse.newBuilder().setPid(start(q.getContainerId())).build();
        });
        r.unary(SERVICE, "ExecProcess", ExecProcessRequest.parser(), (call, q) -> {
            called("ExecProcess");
            return ExecProcessResponse.newBuilder().setPid(exec(q)).build();
        });
        r.unary(SERVICE, "SignalProcess", SignalProcessRequest.parser(), (call, q) -> {
            called("SignalProcess");
            signal(q);
            return SignalProcessResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "WaitProcess", WaitProcessRequest.parser(), (call, q) -> {
            called("WaitProcess");
            Proc p = proc(q.getContainerId(), q.getExecId());
            try {
                return WaitProcessResponse.newBuilder().setStatus(p.exit.get()).build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TtrpcException(Code.CANCELLED, "wait for " + p + " cancelled");
            } catch (ExecutionException e) {
                throw new TtrpcException(Code.INTERNAL, "wait " + p + ": " + e.getCause());
            }
        });
        r.unary(SERVICE, "RemoveContainer", RemoveContainerRequest.parser(), (call, q) -> {
            called("RemoveContainer");
            remove(q.getContainerId(), q.getForce(), q.getKeepUpper());
            return RemoveContainerResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "Stats", StatsRequest.parser(), (call, q) -> {
            called("Stats");
            container(q.getContainerId());
            return stats(statsCalls.incrementAndGet());
        });
        r.unary(SERVICE, "ListProcesses", ListProcessesRequest.parser(), (call, q) -> {
            called("ListProcesses");
            ListProcessesResponse.Builder b = ListProcessesResponse.newBuilder();
            for (Proc p : container(q.getContainerId()).procs()) {
                if (p.started && !p.exit.isDone()) {
                    b.addProcesses(ProcessInfo.newBuilder().setPid(p.pid).setPpid(0).setUser("root").setTty("?")
                            .setCmd(String.join(" ", p.args)));
                }
            }
            return b.build();
        });
        r.unary(SERVICE, "PauseContainer", PauseContainerRequest.parser(), (call, q) -> {
            called("PauseContainer");
            Ctr c = container(q.getContainerId());
            synchronized (c) {
                if (!c.state().equals("running")) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " is " + c.state());
                }
                c.paused = true;
            }
            return PauseContainerResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "ResumeContainer", ResumeContainerRequest.parser(), (call, q) -> {
            called("ResumeContainer");
            Ctr c = container(q.getContainerId());
            synchronized (c) {
                if (!c.paused) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " is not paused");
                }
                c.paused = false;
            }
            return ResumeContainerResponse.getDefaultInstance();
        });
        r.stream(SERVICE, "ReadOutput", StreamDesc.SERVER_STREAMING, (call, stream) -> {
            called("ReadOutput");
            ReadOutputRequest q = AgentProtocol.received(stream.recv(), ReadOutputRequest.parser());
            if (q.getStream() != StreamKind.STDOUT && q.getStream() != StreamKind.STDERR) {
                throw new TtrpcException(Code.INVALID_ARGUMENT, "stream must be STDOUT or STDERR");
            }
            Proc p = proc(q.getContainerId(), q.getExecId());
            if (p.tty && q.getStream() == StreamKind.STDERR) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, p + " has a terminal: its stderr is on stdout");
            }
            boolean stderr = q.getStream() == StreamKind.STDERR;
            LinkedBlockingDeque<byte[]> queue = stderr ? p.err : p.out;
            // Chunks carry their stream offset, as the real agent's; the asked offset is not looked
            // at: a chunk whose send failed is the next reader's, and nothing else was in flight.
            AtomicLong taken = stderr ? p.errTaken : p.outTaken;
            while (true) {
                byte[] chunk = queue.take();
                if (chunk == EOF) {
                    queue.putFirst(EOF); // a later reader sees the end too
                    return null;
                }
                long at = taken.getAndAdd(chunk.length);
                try {
                    stream.send(OutputChunk.newBuilder().setOffset(at).setData(ByteString.copyFrom(chunk)).build()
                            .toByteArray());
                } catch (TtrpcException e) {
                    taken.addAndGet(-chunk.length);
                    queue.putFirst(chunk); // the host went away: the next reader gets these bytes
                    throw e;
                }
            }
        });
        r.stream(SERVICE, "WriteInput", StreamDesc.CLIENT_STREAMING, (call, stream) -> {
            called("WriteInput");
            InputChunk first = AgentProtocol.received(stream.recv(), InputChunk.parser());
            Proc p = proc(first.getContainerId(), first.getExecId());
            long written = p.input(first.getData());
            while (true) {
                Optional<byte[]> next = stream.recv();
                if (next.isEmpty()) {
                    p.closeStdin(); // the host closed its side: the process sees EOF
                    return WriteInputResponse.newBuilder().setBytesWritten(written).build().toByteArray();
                }
                written += p.input(AgentProtocol.received(next, InputChunk.parser()).getData());
            }
        });
        r.unary(SERVICE, "CloseStdin", CloseStdinRequest.parser(), (call, q) -> {
            called("CloseStdin");
            proc(q.getContainerId(), q.getExecId()).closeStdin();
            return CloseStdinResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "ResizeTty", ResizeTtyRequest.parser(), (call, q) -> {
            called("ResizeTty");
            Proc p = proc(q.getContainerId(), q.getExecId());
            if (!p.tty) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, p + " has no terminal to resize");
            }
            return ResizeTtyResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "SetupNetwork", SetupNetworkRequest.parser(), (call, q) -> {
            called("SetupNetwork");
            networks.add(q.getContainerId());
            return SetupNetworkResponse.newBuilder().setNetnsPath(q.getMode() == NetworkMode.VM_HOST ? ""
                    : "/run/netns/" + q.getContainerId()).build();
        });
        r.unary(SERVICE, "TeardownNetwork", TeardownNetworkRequest.parser(), (call, q) -> {
            called("TeardownNetwork");
            networks.remove(q.getContainerId()); // unknown ids succeed
            return TeardownNetworkResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "AddEndpoint", AddEndpointRequest.parser(), (call, q) -> {
            called("AddEndpoint");
            return AddEndpointResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "RemoveEndpoint", RemoveEndpointRequest.parser(), (call, q) -> {
            called("RemoveEndpoint");
            return RemoveEndpointResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "MountRootfs", MountRootfsRequest.parser(), (call, q) -> {
            called("MountRootfs");
            checkLayers(q.getLayerStorageIdsList());
            makeRoot(q.getContainerId());
            rootfsMounted.add(q.getContainerId());
            return MountRootfsResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "StatPath", StatPathRequest.parser(), (call, q) -> {
            called("StatPath");
            checkRoot(q.getContainerId());
            statHook.before(q.getContainerId(), q.getPath());
            return StatPathResponse.newBuilder().setStat(archives.stat(q)).build();
        });
        r.stream(SERVICE, "ReadArchive", StreamDesc.BIDI_STREAMING, (call, stream) -> {
            called("ReadArchive");
            archives.read(AgentProtocol.received(stream.recv(), ReadArchiveRequest.parser()), stream);
            return null;
        });
        r.stream(SERVICE, "WriteArchive", StreamDesc.BIDI_STREAMING, (call, stream) -> {
            called("WriteArchive");
            archives.write(AgentProtocol.received(stream.recv(), WriteArchiveRequest.parser()), stream);
            return null;
        });
        r.stream(SERVICE, "Events", StreamDesc.SERVER_STREAMING, (call, stream) -> {
            called("Events");
            AgentProtocol.received(stream.recv(), EventsRequest.parser());
            BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
            subscribers.add(queue);
            try {
                while (true) {
                    stream.send(queue.take().toByteArray());
                }
            } finally {
                subscribers.remove(queue);
            }
        });
        r.unary(SERVICE, "Shutdown", ShutdownRequest.parser(), (call, q) -> {
            called("Shutdown");
            for (Ctr c : containers.values()) {
                c.procs().forEach(p -> p.signal(9));
            }
            Thread.ofVirtual().start(powerOff); // answer first, as the real agent does
            return ShutdownResponse.getDefaultInstance();
        });
        return r;
    }

    private void called(String method) {
        calls.add(method);
    }

    private String addStorage(AddStorageRequest q) throws TtrpcException {
        String what = switch (q.getSourceCase()) {
            case LAYER -> "layer " + q.getLayer().getSerial();
            case SCRATCH -> "scratch " + q.getScratch().getSerial();
            case SHARE -> "share " + q.getShare().getPort();
            case VIRTIOFS -> "virtio-fs " + q.getVirtiofs().getTag();
            case SOCKET -> "socket " + q.getSocket().getHost() + ":" + q.getSocket().getPort();
            default -> throw new TtrpcException(Code.INVALID_ARGUMENT, "storage " + q.getId() + " has no source");
        };
        if (storages.putIfAbsent(q.getId(), what) != null) {
            throw new TtrpcException(Code.ALREADY_EXISTS, "storage " + q.getId() + " already exists");
        }
        return "/run/skiff/storage/" + q.getId();
    }

    private void checkLayers(List<String> ids) throws TtrpcException {
        for (String id : ids) {
            String what = storages.get(id);
            if (what == null || !what.startsWith("layer ")) {
                throw new TtrpcException(Code.NOT_FOUND, "no layer storage " + id);
            }
        }
    }

    private int create(CreateContainerRequest q) throws TtrpcException {
        checkLayers(q.getLayerStorageIdsList());
        if (!q.getScratchStorageId().isEmpty() && !storages.containsKey(q.getScratchStorageId())) {
            throw new TtrpcException(Code.NOT_FOUND, "no scratch storage " + q.getScratchStorageId());
        }
        JsonNode process = json(q.getOciSpecJson()).path("process");
        Proc init = new Proc(q.getContainerId(), "", args(process), q.getStdio());
        Ctr c = new Ctr(q.getContainerId(), init);
        if (containers.putIfAbsent(c.id, c) != null) {
            throw new TtrpcException(Code.ALREADY_EXISTS, "container " + c.id + " already exists");
        }
        makeRoot(c.id);
        rootfsMounted.remove(c.id); // the container takes over its rootfs
        return init.pid;
    }

    private int start(String containerId) throws TtrpcException {
        Ctr c = container(containerId);
        synchronized (c) {
            if (!c.state().equals("created")) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " is " + c.state()
                        + ", not CREATED");
            }
            c.init.start();
        }
        return c.init.pid;
    }

    private int exec(ExecProcessRequest q) throws TtrpcException {
        Ctr c = container(q.getContainerId());
        Proc p = new Proc(c.id, q.getExecId(), args(json(q.getOciProcessJson())), q.getStdio());
        synchronized (c) {
            if (!c.state().equals("running")) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id + " is " + c.state()
                        + ", not RUNNING");
            }
            if (c.execs.putIfAbsent(q.getExecId(), p) != null) {
                throw new TtrpcException(Code.ALREADY_EXISTS, "exec " + q.getExecId() + " already exists in " + c.id);
            }
            p.start();
        }
        return p.pid;
    }

    private void signal(SignalProcessRequest q) throws TtrpcException {
        Ctr c = container(q.getContainerId());
        if (q.getSignal() < 1 || q.getSignal() > 64) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "signal " + q.getSignal() + " is not 1..64");
        }
        if (q.getAll()) {
            c.procs().forEach(p -> p.signal(q.getSignal()));
            return;
        }
        Proc p = proc(c.id, q.getExecId());
        if (p.exit.isDone()) {
            throw new TtrpcException(Code.NOT_FOUND, "process " + p + " is not running");
        }
        p.signal(q.getSignal());
    }

    private void remove(String containerId, boolean force, boolean keepUpper) throws TtrpcException {
        Ctr c = container(containerId);
        synchronized (c) {
            if (c.init.started && !c.init.exit.isDone()) {
                if (!force) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + c.id
                            + " is running: stop it first or remove with force");
                }
            }
            c.procs().forEach(p -> p.signal(9));
            c.init.exit.join();
            containers.remove(c.id);
        }
        networks.remove(containerId);
        if (!keepUpper) {
            deleteRoot(containerId); // else kept for the next create, as the upper layer on the scratch disk
        }
    }

    private void deleteRoot(String containerId) {
        try (var paths = Files.walk(root(containerId))) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // gone already, or a test's leftover: the temporary folder goes anyway
        }
    }

    private Ctr container(String id) throws TtrpcException {
        Ctr c = containers.get(id);
        if (c == null) {
            throw new TtrpcException(Code.NOT_FOUND, "no container " + id);
        }
        return c;
    }

    private Proc proc(String containerId, String execId) throws TtrpcException {
        Ctr c = container(containerId);
        Proc p = execId.isEmpty() ? c.init : c.execs.get(execId);
        if (p == null) {
            throw new TtrpcException(Code.NOT_FOUND, "no process " + (execId.isEmpty() ? "init" : execId)
                    + " in container " + containerId);
        }
        return p;
    }

    private static JsonNode json(ByteString bytes) throws TtrpcException {
        try {
            return JSON.readTree(bytes.toByteArray());
        } catch (IOException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "malformed OCI JSON: " + e.getMessage());
        }
    }

    private static List<String> args(JsonNode process) {
        List<String> args = new ArrayList<>();
        process.path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    private void makeRoot(String containerId) throws TtrpcException {
        try {
            Path etc = Files.createDirectories(root(containerId).resolve("etc"));
            if (!Files.exists(etc.resolve("hostname"))) {
                Files.writeString(etc.resolve("hostname"), "tiny\n"); // TestEngine's image
            }
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "rootfs of " + containerId + ": " + e.getMessage());
        }
    }

    private void checkRoot(String containerId) throws TtrpcException {
        if (!containers.containsKey(containerId) && !rootfsMounted.contains(containerId)) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "container " + containerId
                    + " has no root file system mounted");
        }
    }

    /** The real agent's {@link ArchiveService.Roots}: an O_PATH descriptor of the container's root. */
    private int openRoot(String containerId) throws TtrpcException {
        checkRoot(containerId);
        try {
            return Fds.openat2(Fds.AT_FDCWD, root(containerId).toString(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY,
                    0, 0);
        } catch (ErrnoException e) {
            throw new TtrpcException(Code.INTERNAL, "open the root of " + containerId + ": " + e.getMessage());
        }
    }

    /** The {@code n}th sample of a small idle container: memory and I/O stand still, CPU time grows. */
    private static StatsResponse stats(long n) {
        return StatsResponse.newBuilder().setMemoryBytes(4096).putMemoryStat("inactive_file", 1024)
                .putMemoryStat("anon", 3072).setMemoryLimitBytes(1L << 30).setPids(1).setOnlineCpus(2)
                .setCpuUsageUsec(n).setCpuSystemUsec(n / 3).setCpuUserUsec(n - n / 3).setSystemCpuNanos(1_000_000 * n)
                .addIo(IoUsage.newBuilder().setMajor(254).setMinor(0).setReadBytes(512).setWriteBytes(1024))
                .addNetworks(NetworkCounters.newBuilder().setName("eth0").setRxBytes(10).setRxPackets(1)
                        .setTxBytes(20).setTxPackets(2))
                .build();
    }

    private void publish(Event e) {
        subscribers.forEach(q -> q.offer(e));
    }

    /** A container in the guest: its init and its execs. */
    private static final class Ctr {
        final String id;
        final Proc init;
        final Map<String, Proc> execs = new ConcurrentHashMap<>();
        boolean paused; // guarded by this

        Ctr(String id, Proc init) {
            this.id = id;
            this.init = init;
        }

        String state() {
            return init.exit.isDone() ? "stopped" : init.started ? "running" : "created";
        }

        List<Proc> procs() {
            List<Proc> all = new ArrayList<>(execs.values());
            all.add(init);
            return all;
        }
    }

    /** A process: its program on a virtual thread, its output queues, its signals and its exit. */
    private final class Proc implements Program.Process {
        final String containerId;
        final String execId;
        final int pid = pids.incrementAndGet();
        final List<String> args;
        final boolean tty;
        final LinkedBlockingDeque<byte[]> out = new LinkedBlockingDeque<>();
        final LinkedBlockingDeque<byte[]> err = new LinkedBlockingDeque<>();
        final AtomicLong outTaken = new AtomicLong(); // the stream offset of out's next chunk
        final AtomicLong errTaken = new AtomicLong();
        final BlockingQueue<Integer> signals = new LinkedBlockingQueue<>();
        final List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        final boolean stdinOpen;
        final LinkedBlockingQueue<byte[]> stdin = new LinkedBlockingQueue<>();
        volatile boolean started;
        private Thread thread; // guarded by this
        private boolean killed; // guarded by this

        Proc(String containerId, String execId, List<String> args, Stdio stdio) {
            this.containerId = containerId;
            this.execId = execId;
            this.args = List.copyOf(args);
            this.tty = stdio.getTerminal();
            this.stdinOpen = stdio.getStdin();
            if (!stdinOpen) {
                stdin.add(EOF); // /dev/null
            }
        }

        synchronized void start() {
            if (killed) {
                return;
            }
            started = true;
            Program program = programs.apply(args);
            thread = Thread.ofVirtual().name("proc-" + pid).start(() -> {
                int code;
                try {
                    code = program.run(this);
                } catch (InterruptedException e) {
                    code = 137;
                } catch (RuntimeException e) {
                    stderr(e + "\n");
                    code = 1;
                }
                finish(code);
            });
        }

        void signal(int sig) {
            sent.add(sig);
            synchronized (this) {
                if (sig != 9) {
                    signals.add(sig);
                    return;
                }
                killed = true;
                if (thread != null) {
                    thread.interrupt();
                    return;
                }
            }
            finish(137); // never started: nothing runs to interrupt
        }

        private void finish(int code) {
            int signal;
            synchronized (this) {
                if (exit.isDone()) {
                    return;
                }
                if (killed) {
                    code = 137;
                }
                signal = killed ? 9 : code > 128 && code <= 128 + 64 ? code - 128 : 0;
            }
            out.add(EOF);
            err.add(EOF);
            ExitStatus status = ExitStatus.newBuilder().setExitCode(code).setSignal(signal)
                    .setExitedAtUnixNanos(System.currentTimeMillis() * 1_000_000L).build();
            exit.complete(status);
            publish(Event.newBuilder().setExited(ProcessExited.newBuilder().setContainerId(containerId)
                    .setExecId(execId).setPid(pid).setStatus(status)).build());
        }

        long input(ByteString data) throws TtrpcException {
            if (!stdinOpen) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, this + " has no stdin open");
            }
            if (!data.isEmpty()) {
                stdin.add(data.toByteArray());
            }
            return data.size();
        }

        void closeStdin() {
            stdin.add(EOF); // a second close adds a second end, which nobody reads
        }

        @Override
        public byte[] stdin() throws InterruptedException {
            byte[] next = stdin.take();
            if (next == EOF) {
                stdin.add(EOF); // every later read sees the end too
                return null;
            }
            return next;
        }

        @Override
        public List<String> args() {
            return args;
        }

        @Override
        public void stdout(String text) {
            out.add(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void stderr(String text) {
            (tty ? out : err).add(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int nextSignal() throws InterruptedException {
            return signals.take();
        }

        @Override
        public String toString() {
            return containerId + "/" + (execId.isEmpty() ? "init" : execId);
        }
    }
}
