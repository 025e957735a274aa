package dev.skiff.agent.client;

import static dev.skiff.agent.api.AgentProtocol.SERVICE;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.skiff.agent.api.AddStorageRequest;
import dev.skiff.agent.api.AddStorageResponse;
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
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.InputChunk;
import dev.skiff.agent.api.LayerDisk;
import dev.skiff.agent.api.NinePShare;
import dev.skiff.agent.api.OutputChunk;
import dev.skiff.agent.api.PingRequest;
import dev.skiff.agent.api.PingResponse;
import dev.skiff.agent.api.ReadOutputRequest;
import dev.skiff.agent.api.RemoveContainerRequest;
import dev.skiff.agent.api.RemoveContainerResponse;
import dev.skiff.agent.api.RemoveStorageRequest;
import dev.skiff.agent.api.RemoveStorageResponse;
import dev.skiff.agent.api.ResizeTtyRequest;
import dev.skiff.agent.api.ResizeTtyResponse;
import dev.skiff.agent.api.ScratchDisk;
import dev.skiff.agent.api.ShutdownRequest;
import dev.skiff.agent.api.ShutdownResponse;
import dev.skiff.agent.api.SignalProcessRequest;
import dev.skiff.agent.api.SignalProcessResponse;
import dev.skiff.agent.api.SocketForward;
import dev.skiff.agent.api.StartContainerRequest;
import dev.skiff.agent.api.StartContainerResponse;
import dev.skiff.agent.api.StatsRequest;
import dev.skiff.agent.api.StatsResponse;
import dev.skiff.agent.api.Stdio;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.api.WaitProcessRequest;
import dev.skiff.agent.api.WaitProcessResponse;
import dev.skiff.agent.api.WriteInputResponse;
import dev.skiff.ttrpc.CallOptions;
import dev.skiff.ttrpc.Client;
import dev.skiff.ttrpc.ClientStream;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.ConnectionClosedException;
import dev.skiff.ttrpc.StreamDesc;
import dev.skiff.ttrpc.Transport;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The host's typed client of one guest agent, over one byte channel into the VM.
 *
 * <p>Everything the guest answers is untrusted: replies are size-capped by ttrpc (4 MiB frames),
 * decoded strictly, and checked here where a wrong value could mislead the host (pids, exit
 * codes). Any failure is an {@link AgentException}; when the VM dies, calls in flight and later
 * calls fail with {@link AgentException#vmGone()} instead of hanging.
 */
public final class AgentClient implements AutoCloseable {
    /**
     * Timeout of calls that do work in the guest (mounts, runc). Generous: under TCG emulation a
     * runc create takes about a second and timings vary 2x run to run.
     */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

    private static final System.Logger LOG = System.getLogger(AgentClient.class.getName());
    private static final int INPUT_CHUNK = 64 * 1024;

    private final Client client;

    private AgentClient(Client client) {
        this.client = client;
    }

    /**
     * A client over the host's end of the agent's channel. Its stream ids start at a random odd
     * number: the channel outlives the daemon, and a reply the agent was writing to the last daemon
     * when it died reaches the next one ({@link Client#randomFirstStreamId}).
     */
    public static AgentClient over(ByteChannel channel) {
        return new AgentClient(new Client(Transport.of(channel), Client.randomFirstStreamId()));
    }

    public void ping(Duration timeout) throws AgentException {
        unary("Ping", PingRequest.getDefaultInstance(), PingResponse.parser(), timeout);
    }

    /** Before a template snapshot of this VM: the guest syncs, drops its caches and compacts its memory. */
    public void prepareTemplate() throws AgentException {
        unary("PrepareTemplate", dev.skiff.agent.api.PrepareTemplateRequest.getDefaultInstance(),
                dev.skiff.agent.api.PrepareTemplateResponse.parser(), CALL_TIMEOUT);
    }

    /** Sets the guest's wall clock (a VM started from a template resumed the template's). */
    public void setClock(java.time.Instant now) throws AgentException {
        long nanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
        unary("SetClock", dev.skiff.agent.api.SetClockRequest.newBuilder().setUnixNanos(nanos).build(),
                dev.skiff.agent.api.SetClockResponse.parser(), CALL_TIMEOUT);
    }

    public GuestInfoResponse guestInfo() throws AgentException {
        return unary("GuestInfo", GuestInfoRequest.getDefaultInstance(), GuestInfoResponse.parser(), CALL_TIMEOUT);
    }

    /** Mounts the read-only layer disk with this serial; returns its guest path. */
    public String addLayer(String id, String serial, String fstype) throws AgentException {
        return addLayer(id, serial, fstype, false);
    }

    /** As {@link #addLayer(String, String, String)}, for a disk on the SCSI controller when {@code scsi}. */
    public String addLayer(String id, String serial, String fstype, boolean scsi) throws AgentException {
        return addStorage(AddStorageRequest.newBuilder().setId(id)
                .setLayer(LayerDisk.newBuilder().setSerial(serial).setFstype(fstype).setScsi(scsi)).build());
    }

    /** Mounts the writable scratch disk with this serial (ext4, formatted by the host). */
    public String addScratch(String id, String serial) throws AgentException {
        return addStorage(AddStorageRequest.newBuilder().setId(id)
                .setScratch(ScratchDisk.newBuilder().setSerial(serial)).build());
    }

    /** Mounts the 9P share the host serves on the virtio-serial port {@code port}. */
    public String addShare(String id, String port, String aname, boolean readOnly) throws AgentException {
        return addShare(id, port, aname, readOnly, false);
    }

    /** A share whose every folder the agent holds open ({@code wholeTree}), for the host's inotify replays. */
    public String addShare(String id, String port, String aname, boolean readOnly, boolean wholeTree)
            throws AgentException {
        return addStorage(AddStorageRequest.newBuilder().setId(id).setShare(NinePShare.newBuilder().setPort(port)
                .setAname(aname).setReadOnly(readOnly).setWholeTree(wholeTree)).build());
    }

    /** Mounts the virtio-fs device the host plugged in under {@code tag}; its guest path. */
    public String addVirtioFsShare(String id, String tag, boolean readOnly, boolean wholeTree) throws AgentException {
        return addStorage(AddStorageRequest.newBuilder().setId(id).setVirtiofs(dev.skiff.agent.api.VirtioFsShare.newBuilder()
                .setTag(tag).setReadOnly(readOnly).setWholeTree(wholeTree)).build());
    }

    /**
     * Makes a unix socket in the guest whose connections the agent relays to {@code host:port}
     * presenting {@code token} (see {@link dev.skiff.agent.api.SocketRelayProtocol}); returns its path.
     */
    public String addSocketForward(String id, String host, int port, byte[] token) throws AgentException {
        return addStorage(AddStorageRequest.newBuilder().setId(id).setSocket(SocketForward.newBuilder()
                .setHost(host).setPort(port).setToken(ByteString.copyFrom(token))).build());
    }

    private String addStorage(AddStorageRequest request) throws AgentException {
        GuestPaths.checkId(request.getId(), "storage id");
        return unary("AddStorage", request, AddStorageResponse.parser(), CALL_TIMEOUT).getGuestPath();
    }

    /**
     * Has the guest perform host-side changes again through a share's mount, so its inotify
     * watchers hear them; the changes that failed come back, one line each.
     */
    public dev.skiff.agent.api.ReplayChangesResponse replayChanges(String storageId,
            java.util.List<dev.skiff.agent.api.FileChange> changes) throws AgentException {
        return unary("ReplayChanges", dev.skiff.agent.api.ReplayChangesRequest.newBuilder().setStorageId(storageId)
                .addAllChanges(changes).build(), dev.skiff.agent.api.ReplayChangesResponse.parser(), CALL_TIMEOUT);
    }

    public void removeStorage(String id) throws AgentException {
        unary("RemoveStorage", RemoveStorageRequest.newBuilder().setId(id).build(), RemoveStorageResponse.parser(),
                CALL_TIMEOUT);
    }

    /** The stdio a process gets: a pty or pipes, and whether stdin is open. */
    public static Stdio stdio(boolean terminal, boolean stdin) {
        return Stdio.newBuilder().setTerminal(terminal).setStdin(stdin).setRows(24).setCols(80).build();
    }

    /**
     * Creates a container: its rootfs and stdio, and with runc its process, stopped before exec until
     * started. Returns that pid, or 0 when the runtime makes the process at the start (crun run);
     * reads of its output and input may begin either way.
     */
    public int createContainer(String id, byte[] ociSpecJson, List<String> layerStorageIds, String scratchStorageId,
            Stdio stdio) throws AgentException {
        GuestPaths.checkId(id, "container id");
        var request = CreateContainerRequest.newBuilder().setContainerId(id)
                .setOciSpecJson(ByteString.copyFrom(ociSpecJson)).addAllLayerStorageIds(layerStorageIds)
                .setScratchStorageId(scratchStorageId).setStdio(stdio).build();
        int pid = unary("CreateContainer", request, CreateContainerResponse.parser(), CALL_TIMEOUT).getPid();
        return pid == 0 ? 0 : checkPid(pid);
    }

    public int startContainer(String id) throws AgentException {
        return checkPid(unary("StartContainer", StartContainerRequest.newBuilder().setContainerId(id).build(),
                StartContainerResponse.parser(), CALL_TIMEOUT).getPid());
    }

    /** Starts another process in a running container (runc exec). */
    public int exec(String containerId, String execId, byte[] ociProcessJson, Stdio stdio) throws AgentException {
        GuestPaths.checkId(execId, "exec id");
        var request = ExecProcessRequest.newBuilder().setContainerId(containerId).setExecId(execId)
                .setOciProcessJson(ByteString.copyFrom(ociProcessJson)).setStdio(stdio).build();
        return checkPid(unary("ExecProcess", request, ExecProcessResponse.parser(), CALL_TIMEOUT).getPid());
    }

    /** Sends a signal to a process ({@code execId} "" = the container's init), or to all of the container's. */
    public void signal(String containerId, String execId, int signal, boolean all) throws AgentException {
        unary("SignalProcess", SignalProcessRequest.newBuilder().setContainerId(containerId).setExecId(execId)
                .setSignal(signal).setAll(all).build(), SignalProcessResponse.parser(), CALL_TIMEOUT);
    }

    /** Waits for a process to exit, for up to {@code timeout} (null: for as long as it runs). */
    public ExitStatus waitProcess(String containerId, String execId, Duration timeout) throws AgentException {
        ExitStatus status = unary("WaitProcess", WaitProcessRequest.newBuilder().setContainerId(containerId)
                .setExecId(execId).build(), WaitProcessResponse.parser(), timeout).getStatus();
        if (status.getExitCode() < 0 || status.getExitCode() > 255 || status.getSignal() > 64) {
            throw new AgentException("the guest reported an impossible exit status " + status.getExitCode() + "/"
                    + status.getSignal(), Code.INTERNAL, false, null);
        }
        return status;
    }

    public void removeContainer(String containerId, boolean force) throws AgentException {
        removeContainer(containerId, force, false);
    }

    /** Removes a container; with {@code keepUpper} its writable layer stays for its next create. */
    public void removeContainer(String containerId, boolean force, boolean keepUpper) throws AgentException {
        unary("RemoveContainer", RemoveContainerRequest.newBuilder().setContainerId(containerId).setForce(force)
                .setKeepUpper(keepUpper).build(), RemoveContainerResponse.parser(), CALL_TIMEOUT);
    }

    /** Assembles a container's root file system without creating it (docker cp before start); see agent.proto. */
    public void mountRootfs(String containerId, List<String> layerStorageIds, String scratchStorageId)
            throws AgentException {
        GuestPaths.checkId(containerId, "container id");
        unary("MountRootfs", dev.skiff.agent.api.MountRootfsRequest.newBuilder().setContainerId(containerId)
                .addAllLayerStorageIds(layerStorageIds).setScratchStorageId(scratchStorageId).build(),
                dev.skiff.agent.api.MountRootfsResponse.parser(), CALL_TIMEOUT);
    }

    /** The stat of a path in a container (docker cp's HEAD); NOT_FOUND when it does not exist. */
    public dev.skiff.agent.api.PathStat statPath(String containerId, String path) throws AgentException {
        return ArchiveStreams.checkStat(unary("StatPath", dev.skiff.agent.api.StatPathRequest.newBuilder()
                .setContainerId(containerId).setPath(path).build(), dev.skiff.agent.api.StatPathResponse.parser(),
                CALL_TIMEOUT).getStat());
    }

    /**
     * Starts a tar of a path in a container (docker cp from a container). Returns once the agent
     * has answered with the path's stat, or throws its error (NOT_FOUND when the path does not
     * exist); the tar follows through {@link ArchiveStreams.Read#transferTo}.
     */
    public ArchiveStreams.Read readArchive(String containerId, String path) throws AgentException {
        return ArchiveStreams.read(client, containerId, path);
    }

    /**
     * Extracts the tar read from {@code tar} into a directory of a container (docker cp into a
     * container); returns when the agent has extracted all of it, or throws its error.
     */
    public void writeArchive(String containerId, String path, boolean noOverwriteDirNonDir, boolean copyUidGid,
            java.io.InputStream tar) throws IOException {
        ArchiveStreams.write(client, dev.skiff.agent.api.WriteArchiveRequest.newBuilder().setContainerId(containerId)
                .setPath(path).setNoOverwriteDirNonDir(noOverwriteDirNonDir).setCopyUidGid(copyUidGid).build(), tar);
    }

    /**
     * Gives a container its network before {@link #createContainer}: its namespace, veths, /etc
     * files and port forwards (see agent.proto). Returns the namespace's guest path ("" for the
     * VM's own namespace).
     */
    public String setupNetwork(dev.skiff.agent.api.SetupNetworkRequest request) throws AgentException {
        GuestPaths.checkId(request.getContainerId(), "container id");
        return unary("SetupNetwork", request, dev.skiff.agent.api.SetupNetworkResponse.parser(), CALL_TIMEOUT)
                .getNetnsPath();
    }

    /** Removes what {@link #setupNetwork} made for the container; unknown ids succeed. */
    public void teardownNetwork(String containerId) throws AgentException {
        unary("TeardownNetwork", dev.skiff.agent.api.TeardownNetworkRequest.newBuilder().setContainerId(containerId)
                .build(), dev.skiff.agent.api.TeardownNetworkResponse.parser(), CALL_TIMEOUT);
    }

    /** docker network connect of a running container: one more endpoint in its namespace. */
    public void addEndpoint(String containerId, dev.skiff.agent.api.Endpoint endpoint) throws AgentException {
        GuestPaths.checkId(containerId, "container id");
        unary("AddEndpoint", dev.skiff.agent.api.AddEndpointRequest.newBuilder().setContainerId(containerId)
                .setEndpoint(endpoint).build(), dev.skiff.agent.api.AddEndpointResponse.parser(), CALL_TIMEOUT);
    }

    /** docker network disconnect of a running container: the endpoint with that interface goes. */
    public void removeEndpoint(String containerId, String ifname) throws AgentException {
        unary("RemoveEndpoint", dev.skiff.agent.api.RemoveEndpointRequest.newBuilder().setContainerId(containerId)
                .setIfname(ifname).build(), dev.skiff.agent.api.RemoveEndpointResponse.parser(), CALL_TIMEOUT);
    }

    /** A container's counters (docker stats); unchecked: the engine bounds what it takes from them. */
    public StatsResponse stats(String containerId) throws AgentException {
        return unary("Stats", StatsRequest.newBuilder().setContainerId(containerId).build(), StatsResponse.parser(),
                CALL_TIMEOUT);
    }

    /** A container's processes (docker top); unchecked: the engine bounds what it takes from them. */
    public List<dev.skiff.agent.api.ProcessInfo> listProcesses(String containerId) throws AgentException {
        return unary("ListProcesses", dev.skiff.agent.api.ListProcessesRequest.newBuilder().setContainerId(containerId)
                .build(), dev.skiff.agent.api.ListProcessesResponse.parser(), CALL_TIMEOUT).getProcessesList();
    }

    /** docker pause: freezes the container's processes (FAILED_PRECONDITION unless it runs). */
    public void pause(String containerId) throws AgentException {
        unary("PauseContainer", dev.skiff.agent.api.PauseContainerRequest.newBuilder().setContainerId(containerId)
                .build(), dev.skiff.agent.api.PauseContainerResponse.parser(), CALL_TIMEOUT);
    }

    /** docker unpause: thaws them (FAILED_PRECONDITION unless it is paused). */
    public void resume(String containerId) throws AgentException {
        unary("ResumeContainer", dev.skiff.agent.api.ResumeContainerRequest.newBuilder().setContainerId(containerId)
                .build(), dev.skiff.agent.api.ResumeContainerResponse.parser(), CALL_TIMEOUT);
    }

    /**
     * Copies a process's stdout or stderr into {@code sink} until the process closes it; returns
     * the number of bytes. Blocks: run it on its own (virtual) thread.
     */
    public long readOutput(String containerId, String execId, StreamKind kind, OutputStream sink)
            throws AgentException, IOException {
        return readOutput(containerId, execId, kind, 0, sink);
    }

    /**
     * As {@link #readOutput(String, String, StreamKind, OutputStream)}, from byte {@code offset} of
     * the stream on: a host that reconnects passes how many bytes it already has, and gets each
     * byte after them once (the agent keeps what it sent for a while, since a connection that
     * ended may not have delivered it). Bytes the agent no longer held are logged as lost.
     */
    public long readOutput(String containerId, String execId, StreamKind kind, long offset, OutputStream sink)
            throws AgentException, IOException {
        byte[] request = ReadOutputRequest.newBuilder().setContainerId(containerId).setExecId(execId)
                .setStream(kind).setOffset(offset).build().toByteArray();
        long at = offset;
        try (ClientStream stream = client.newStream(SERVICE, "ReadOutput", StreamDesc.SERVER_STREAMING, request,
                CallOptions.DEFAULT)) {
            while (true) {
                Optional<byte[]> next = stream.recv();
                if (next.isEmpty()) {
                    return at - offset;
                }
                OutputChunk chunk = OutputChunk.parseFrom(next.get());
                byte[] data = chunk.getData().toByteArray();
                long chunkAt = chunk.hasOffset() ? chunk.getOffset() : at; // an agent older than offsets: in a row
                if (chunkAt > at) {
                    LOG.log(System.Logger.Level.WARNING, "output " + kind + " of " + containerId
                            + (execId.isEmpty() ? "" : " exec " + execId) + ": " + (chunkAt - at)
                            + " bytes lost (the agent no longer held them)");
                }
                int skip = (int) Math.max(0, Math.min(data.length, at - chunkAt)); // bytes the host already has
                if (skip < data.length) {
                    sink.write(data, skip, data.length - skip);
                    sink.flush();
                }
                at = Math.max(at, chunkAt + data.length);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new AgentException("the guest sent a malformed output chunk: " + e.getMessage(), Code.INTERNAL,
                    false, e);
        } catch (TtrpcException e) {
            throw map("ReadOutput", e);
        }
    }

    /**
     * Opens a process's stdin: bytes written go to the process in order; {@code close()} closes
     * the process's stdin (it sees EOF).
     */
    public OutputStream openInput(String containerId, String execId) throws AgentException {
        ClientStream stream;
        try {
            stream = client.newStream(SERVICE, "WriteInput", StreamDesc.CLIENT_STREAMING, new byte[0],
                    CallOptions.DEFAULT);
            stream.send(InputChunk.newBuilder().setContainerId(containerId).setExecId(execId).build().toByteArray());
        } catch (TtrpcException e) {
            throw map("WriteInput", e);
        }
        return new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (closed) {
                    throw new IOException("stdin of " + containerId + "/" + execId + " is closed");
                }
                for (int done = 0; done < len; ) {
                    int n = Math.min(INPUT_CHUNK, len - done);
                    try {
                        stream.send(InputChunk.newBuilder().setData(ByteString.copyFrom(b, off + done, n)).build()
                                .toByteArray());
                    } catch (TtrpcException e) {
                        throw map("WriteInput", e);
                    }
                    done += n;
                }
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    stream.closeSend();
                    WriteInputResponse.parseFrom(stream.recv().orElse(new byte[0]));
                } catch (TtrpcException e) {
                    throw map("WriteInput", e);
                } finally {
                    stream.close();
                }
            }
        };
    }

    public void closeStdin(String containerId, String execId) throws AgentException {
        unary("CloseStdin", CloseStdinRequest.newBuilder().setContainerId(containerId).setExecId(execId).build(),
                CloseStdinResponse.parser(), CALL_TIMEOUT);
    }

    public void resizeTty(String containerId, String execId, int rows, int cols) throws AgentException {
        unary("ResizeTty", ResizeTtyRequest.newBuilder().setContainerId(containerId).setExecId(execId).setRows(rows)
                .setCols(cols).build(), ResizeTtyResponse.parser(), CALL_TIMEOUT);
    }

    /** The agent's events (process exits) from now on, until the returned stream is closed. */
    public EventStream events() throws AgentException {
        try {
            return new EventStream(client.newStream(SERVICE, "Events", StreamDesc.SERVER_STREAMING,
                    EventsRequest.getDefaultInstance().toByteArray(), CallOptions.DEFAULT));
        } catch (TtrpcException e) {
            throw map("Events", e);
        }
    }

    /** Events as they come. */
    public static final class EventStream implements AutoCloseable {
        private final ClientStream stream;

        EventStream(ClientStream stream) {
            this.stream = stream;
        }

        /** The next event; empty when the agent ended the stream. */
        public Optional<Event> next() throws AgentException {
            try {
                Optional<byte[]> bytes = stream.recv();
                return bytes.isEmpty() ? Optional.empty() : Optional.of(Event.parseFrom(bytes.get()));
            } catch (InvalidProtocolBufferException e) {
                throw new AgentException("the guest sent a malformed event: " + e.getMessage(), Code.INTERNAL, false, e);
            } catch (TtrpcException e) {
                throw map("Events", e);
            }
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    /** Asks the agent to stop its containers and power the VM off. */
    public void shutdown() throws AgentException {
        unary("Shutdown", ShutdownRequest.getDefaultInstance(), ShutdownResponse.parser(), CALL_TIMEOUT);
    }

    @Override
    public void close() {
        client.close();
    }

    private <T extends MessageLite> T unary(String method, MessageLite request, Parser<T> parser, Duration timeout)
            throws AgentException {
        long start = System.nanoTime();
        try {
            return client.call(SERVICE, method, request, parser,
                    timeout == null ? CallOptions.DEFAULT : CallOptions.timeout(timeout));
        } catch (TtrpcException e) {
            throw map(method, e);
        } finally {
            // the daemon's debug log (SKIFF_LOG_LEVEL=debug): where a start's time goes, call by call
            LOG.log(System.Logger.Level.DEBUG, () -> "agent " + method + " " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    static AgentException map(String method, TtrpcException e) {
        if (e instanceof ConnectionClosedException) {
            return new AgentException("agent " + method + ": the connection to the guest closed (the VM stopped or died): "
                    + e.getMessage(), Code.UNAVAILABLE, true, e);
        }
        return new AgentException("agent " + method + ": " + e.code() + ": " + e.status().message(), e.code(), false, e,
                e.status().message());
    }

    private static int checkPid(int pid) throws AgentException {
        if (pid <= 0) {
            throw new AgentException("the guest reported an impossible pid " + pid, Code.INTERNAL, false, null);
        }
        return pid;
    }
}
