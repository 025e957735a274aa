package dev.skiff.agent;

import static dev.skiff.agent.api.AgentProtocol.SERVICE;

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
import dev.skiff.agent.api.GuestInfoRequest;
import dev.skiff.agent.api.InputChunk;
import dev.skiff.agent.api.ListProcessesRequest;
import dev.skiff.agent.api.OutputChunk;
import dev.skiff.agent.api.PauseContainerRequest;
import dev.skiff.agent.api.PauseContainerResponse;
import dev.skiff.agent.api.PingRequest;
import dev.skiff.agent.api.PingResponse;
import dev.skiff.agent.api.MountRootfsRequest;
import dev.skiff.agent.api.MountRootfsResponse;
import dev.skiff.agent.api.ReadArchiveRequest;
import dev.skiff.agent.api.ReadOutputRequest;
import dev.skiff.agent.api.StatPathRequest;
import dev.skiff.agent.api.StatPathResponse;
import dev.skiff.agent.api.WriteArchiveRequest;
import dev.skiff.agent.api.RemoveContainerRequest;
import dev.skiff.agent.api.RemoveContainerResponse;
import dev.skiff.agent.api.RemoveEndpointRequest;
import dev.skiff.agent.api.RemoveEndpointResponse;
import dev.skiff.agent.api.RemoveStorageRequest;
import dev.skiff.agent.api.RemoveStorageResponse;
import dev.skiff.agent.api.ResumeContainerRequest;
import dev.skiff.agent.api.ResumeContainerResponse;
import dev.skiff.agent.api.ResizeTtyRequest;
import dev.skiff.agent.api.ResizeTtyResponse;
import dev.skiff.agent.api.ShutdownRequest;
import dev.skiff.agent.api.ShutdownResponse;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.api.SetupNetworkResponse;
import dev.skiff.agent.api.SignalProcessRequest;
import dev.skiff.agent.api.SignalProcessResponse;
import dev.skiff.agent.api.SkiffVersion;
import dev.skiff.agent.api.StartContainerRequest;
import dev.skiff.agent.api.StartContainerResponse;
import dev.skiff.agent.api.StatsRequest;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.api.TeardownNetworkRequest;
import dev.skiff.agent.api.TeardownNetworkResponse;
import dev.skiff.agent.api.WaitProcessRequest;
import dev.skiff.agent.api.WaitProcessResponse;
import dev.skiff.agent.api.WriteInputResponse;
import dev.skiff.agent.archive.ArchiveService;
import dev.skiff.agent.container.Containers;
import dev.skiff.agent.container.Proc;
import dev.skiff.agent.io.OutputPump;
import dev.skiff.agent.network.Networks;
import dev.skiff.agent.storage.Storages;
import dev.skiff.guest.Main;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.ServiceRegistry;
import dev.skiff.ttrpc.StreamDesc;
import dev.skiff.ttrpc.TtrpcException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The agent API (skiff.agent.v1.Agent) on top of {@link Storages}, {@link Containers},
 * {@link Networks} and {@link ArchiveService} (docker cp). Each
 * handler runs on its own virtual thread (ttrpc's server); anything that blocks in read(2) on a
 * pipe or device runs on a platform thread elsewhere and is handed over through a queue.
 */
public final class AgentService {
    /** Events buffered per subscriber before it is dropped as too slow. */
    static final int EVENT_BUFFER = 4096;

    private final Storages storages = new Storages();
    private final Containers containers;
    private final Networks networks = Networks.inVm();
    private final CopyOnWriteArrayList<BlockingQueue<Event>> subscribers = new CopyOnWriteArrayList<>();
    private final Runnable powerOff;
    private final ArchiveService archives;

    private final VmTemplating templating;

    public AgentService(String runtimeBinary, Runnable powerOff) {
        this(runtimeBinary, powerOff, VmTemplating.NONE);
    }

    public AgentService(String runtimeBinary, Runnable powerOff, VmTemplating templating) {
        this.containers = new Containers(storages, runtimeBinary, exited -> publish(Event.newBuilder().setExited(exited).build()));
        this.powerOff = powerOff;
        this.templating = templating;
        this.archives = new ArchiveService(containers::openRoot);
    }

    private void publish(Event event) {
        for (BlockingQueue<Event> q : subscribers) {
            if (!q.offer(event)) {
                subscribers.remove(q);
                Main.log("events: a subscriber fell " + EVENT_BUFFER + " events behind and was dropped");
            }
        }
    }

    public ServiceRegistry registry() {
        ServiceRegistry r = new ServiceRegistry();
        r.unary(SERVICE, "Ping", PingRequest.parser(), (call, q) -> PingResponse.getDefaultInstance());
        r.unary(SERVICE, "GuestInfo", GuestInfoRequest.parser(), (call, q) -> GuestInfo.collect(SkiffVersion.VERSION));
        r.unary(SERVICE, "AddStorage", AddStorageRequest.parser(),
                (call, q) -> AddStorageResponse.newBuilder().setGuestPath(storages.add(q).guestPath()).build());
        r.unary(SERVICE, "ReplayChanges", dev.skiff.agent.api.ReplayChangesRequest.parser(),
                (call, q) -> storages.replay(q));
        r.unary(SERVICE, "RemoveStorage", RemoveStorageRequest.parser(), (call, q) -> {
            String user = containers.layerUser(q.getId());
            if (user != null) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "storage " + q.getId() + " is in use: container "
                        + user + " has it under its rootfs");
            }
            storages.remove(q.getId());
            return RemoveStorageResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "CreateContainer", CreateContainerRequest.parser(),
                (call, q) -> CreateContainerResponse.newBuilder().setPid(containers.create(q)).build());
        r.unary(SERVICE, "StartContainer", StartContainerRequest.parser(),
                (call, q) -> StartContainerResponse.newBuilder().setPid(containers.start(q.getContainerId())).build());
        r.unary(SERVICE, "ExecProcess", ExecProcessRequest.parser(),
                (call, q) -> ExecProcessResponse.newBuilder().setPid(containers.exec(q)).build());
        r.unary(SERVICE, "SignalProcess", SignalProcessRequest.parser(), (call, q) -> {
            containers.signal(q);
            return SignalProcessResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "WaitProcess", WaitProcessRequest.parser(), (call, q) -> WaitProcessResponse.newBuilder()
                .setStatus(containers.await(q.getContainerId(), q.getExecId())).build());
        r.unary(SERVICE, "RemoveContainer", RemoveContainerRequest.parser(), (call, q) -> {
            containers.remove(q.getContainerId(), q.getForce(), q.getKeepUpper());
            return RemoveContainerResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "SetupNetwork", SetupNetworkRequest.parser(),
                (call, q) -> SetupNetworkResponse.newBuilder().setNetnsPath(networks.setup(q)).build());
        r.unary(SERVICE, "TeardownNetwork", TeardownNetworkRequest.parser(), (call, q) -> {
            networks.teardown(q.getContainerId());
            return TeardownNetworkResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "AddEndpoint", AddEndpointRequest.parser(), (call, q) -> {
            networks.addEndpoint(q);
            return AddEndpointResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "RemoveEndpoint", RemoveEndpointRequest.parser(), (call, q) -> {
            networks.removeEndpoint(q);
            return RemoveEndpointResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "MountRootfs", MountRootfsRequest.parser(), (call, q) -> {
            containers.mountRootfs(q);
            return MountRootfsResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "StatPath", StatPathRequest.parser(),
                (call, q) -> StatPathResponse.newBuilder().setStat(archives.stat(q)).build());
        r.stream(SERVICE, "ReadArchive", StreamDesc.BIDI_STREAMING, (call, stream) -> {
            archives.read(AgentProtocol.received(stream.recv(), ReadArchiveRequest.parser()), stream);
            return null; // the end of the tar ends the stream
        });
        r.stream(SERVICE, "WriteArchive", StreamDesc.BIDI_STREAMING, (call, stream) -> {
            archives.write(AgentProtocol.received(stream.recv(), WriteArchiveRequest.parser()), stream);
            return null;
        });
        r.unary(SERVICE, "Stats", StatsRequest.parser(), (call, q) -> containers.stats(q.getContainerId()));
        r.unary(SERVICE, "ListProcesses", ListProcessesRequest.parser(),
                (call, q) -> containers.processes(q.getContainerId()));
        r.unary(SERVICE, "PauseContainer", PauseContainerRequest.parser(), (call, q) -> {
            containers.pause(q.getContainerId());
            return PauseContainerResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "ResumeContainer", ResumeContainerRequest.parser(), (call, q) -> {
            containers.resume(q.getContainerId());
            return ResumeContainerResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "CloseStdin", CloseStdinRequest.parser(), (call, q) -> {
            containers.proc(q.getContainerId(), q.getExecId()).closeStdin();
            return CloseStdinResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "ResizeTty", ResizeTtyRequest.parser(), (call, q) -> {
            if (q.getRows() == 0 || q.getCols() == 0 || q.getRows() > 0xffff || q.getCols() > 0xffff) {
                throw new TtrpcException(Code.INVALID_ARGUMENT, "terminal size must be 1..65535 each way");
            }
            containers.proc(q.getContainerId(), q.getExecId()).resize(q.getRows(), q.getCols());
            return ResizeTtyResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "Shutdown", ShutdownRequest.parser(), (call, q) -> {
            Main.log("shutdown requested by the host");
            containers.killAll();
            // Answer first; power off a moment later on another thread.
            Thread.ofPlatform().daemon().start(powerOff);
            return ShutdownResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "PrepareTemplate", dev.skiff.agent.api.PrepareTemplateRequest.parser(), (call, q) -> {
            if (!containers.isEmpty()) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "a VM with containers cannot become a template");
            }
            templating.prepare();
            Main.log("prepared for a template snapshot");
            return dev.skiff.agent.api.PrepareTemplateResponse.getDefaultInstance();
        });
        r.unary(SERVICE, "SetClock", dev.skiff.agent.api.SetClockRequest.parser(), (call, q) -> {
            if (q.getUnixNanos() <= 0) {
                throw new TtrpcException(Code.INVALID_ARGUMENT, "the time must be after 1970");
            }
            templating.setClock(q.getUnixNanos());
            return dev.skiff.agent.api.SetClockResponse.getDefaultInstance();
        });
        r.stream(SERVICE, "ReadOutput", StreamDesc.SERVER_STREAMING, (call, stream) -> {
            ReadOutputRequest q = AgentProtocol.received(stream.recv(), ReadOutputRequest.parser());
            if (q.getStream() != StreamKind.STDOUT && q.getStream() != StreamKind.STDERR) {
                throw new TtrpcException(Code.INVALID_ARGUMENT, "stream must be STDOUT or STDERR");
            }
            OutputPump pump = containers.proc(q.getContainerId(), q.getExecId())
                    .output(q.getStream() == StreamKind.STDERR);
            long at = q.getOffset(); // a reconnecting host's: what it has; the pump still holds what was in flight
            while (true) {
                OutputPump.Chunk chunk;
                try {
                    chunk = pump.next(at);
                } catch (IllegalArgumentException e) {
                    throw new TtrpcException(Code.INVALID_ARGUMENT, e.getMessage());
                }
                if (chunk == null) {
                    return null; // EOF: ends the stream
                }
                stream.send(OutputChunk.newBuilder().setOffset(chunk.offset()).setData(ByteString.copyFrom(chunk.data()))
                        .build().toByteArray());
                at = chunk.offset() + chunk.data().length;
            }
        });
        r.stream(SERVICE, "WriteInput", StreamDesc.CLIENT_STREAMING, (call, stream) -> {
            InputChunk first = AgentProtocol.received(stream.recv(), InputChunk.parser());
            var proc = containers.proc(first.getContainerId(), first.getExecId());
            long written = write(proc, first.getData());
            while (true) {
                Optional<byte[]> next = stream.recv();
                if (next.isEmpty()) {
                    proc.closeStdin(); // the host closed its side: the process sees EOF
                    return WriteInputResponse.newBuilder().setBytesWritten(written).build().toByteArray();
                }
                written += write(proc, AgentProtocol.received(next, InputChunk.parser()).getData());
            }
        });
        r.stream(SERVICE, "Events", StreamDesc.SERVER_STREAMING, (call, stream) -> {
            AgentProtocol.received(stream.recv(), EventsRequest.parser());
            BlockingQueue<Event> queue = new LinkedBlockingQueue<>(EVENT_BUFFER);
            subscribers.add(queue);
            try {
                while (true) {
                    stream.send(queue.take().toByteArray());
                }
            } finally {
                subscribers.remove(queue);
            }
        });
        return r;
    }

    private static long write(Proc proc, ByteString data) throws TtrpcException {
        if (!data.isEmpty()) {
            proc.writeStdin(data.toByteArray());
        }
        return data.size();
    }
}
