package dev.skiff.agent;

import static dev.skiff.agent.api.AgentProtocol.SERVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.AddStorageRequest;
import dev.skiff.agent.api.PingRequest;
import dev.skiff.agent.api.PingResponse;
import dev.skiff.agent.api.ReadOutputRequest;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.ttrpc.CallOptions;
import dev.skiff.ttrpc.Client;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.Server;
import dev.skiff.ttrpc.StreamDesc;
import dev.skiff.ttrpc.Transport;
import dev.skiff.ttrpc.TtrpcException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's API on the build host, over a real unix socket, where runc and the guest's devices
 * are absent: what must hold before anything reaches them. Requests from the host that are
 * malformed or name nothing are refused with the right status, and the agent goes on serving.
 * (Running containers is AgentIT's, in a real guest.)
 */
class AgentServiceTest {
    private Server server;
    private Client raw;
    private AgentClient agent;
    private Path dir;

    @BeforeEach
    void serve() throws Exception {
        dir = Files.createTempDirectory("agent-test");
        Path sock = dir.resolve("agent.sock");
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(sock));
        server = new Server(new AgentService("/nonexistent/runc", () -> { }).registry(), Thread.ofPlatform().factory());
        server.start(listener);
        raw = new Client(Transport.of(SocketChannel.open(UnixDomainSocketAddress.of(sock))));
        agent = AgentClient.over(SocketChannel.open(UnixDomainSocketAddress.of(sock)));
    }

    @AfterEach
    void stop() {
        agent.close();
        raw.close();
        server.close();
        try {
            Files.deleteIfExists(dir.resolve("agent.sock"));
            Files.deleteIfExists(dir);
        } catch (java.io.IOException e) {
            // the socket's folder under /tmp: left for the system's cleanup
        }
    }

    private void stillServing() throws Exception {
        raw.call(SERVICE, "Ping", PingRequest.getDefaultInstance(), PingResponse.parser(),
                CallOptions.timeout(Duration.ofSeconds(10)));
        agent.ping(Duration.ofSeconds(10));
    }

    @Test
    void garbageRequestBytesAreInvalidArgument() throws Exception {
        for (String method : List.of("CreateContainer", "AddStorage", "SignalProcess", "ResizeTty")) {
            TtrpcException e = assertThrows(TtrpcException.class,
                    () -> raw.call(SERVICE, method, new byte[] {(byte) 0xff, (byte) 0xff, 0x01, 0x02}));
            assertEquals(Code.INVALID_ARGUMENT, e.code(), method);
        }
        stillServing();
    }

    @Test
    void anAgentThatIsNotAVmsInitRefusesTemplateCallsAndTouchesNothing() throws Exception {
        // on the host these would drop the host's caches, bring an uplink up or set the host's clock
        var prepare = assertThrows(dev.skiff.agent.client.AgentException.class, () -> agent.prepareTemplate());
        assertTrue(prepare.getMessage().contains("not a utility VM's agent"), prepare.getMessage());
        var clock = assertThrows(dev.skiff.agent.client.AgentException.class,
                () -> agent.setClock(java.time.Instant.now()));
        assertTrue(clock.getMessage().contains("not a utility VM's agent"), clock.getMessage());
        TtrpcException bad = assertThrows(TtrpcException.class, () -> raw.call(SERVICE, "SetClock",
                dev.skiff.agent.api.SetClockRequest.newBuilder().setUnixNanos(-5).build().toByteArray()));
        assertEquals(Code.INVALID_ARGUMENT, bad.code());
        stillServing();
    }

    @Test
    void unknownMethodIsUnimplemented() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class, () -> raw.call(SERVICE, "FormatDisk", new byte[0]));
        assertEquals(Code.UNIMPLEMENTED, e.code());
        stillServing();
    }

    @Test
    void idsThatCouldNamePathsAreRefused() throws Exception {
        for (String id : List.of("../etc", "a/b", "", ".hidden", "x".repeat(65))) {
            TtrpcException e = assertThrows(TtrpcException.class, () -> raw.call(SERVICE, "AddStorage",
                    AddStorageRequest.newBuilder().setId(id).build().toByteArray()));
            assertEquals(Code.INVALID_ARGUMENT, e.code(), id);
        }
        stillServing();
    }

    @Test
    void storageWithoutSourceIsRefusedAndLeavesNothing() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class, () -> raw.call(SERVICE, "AddStorage",
                AddStorageRequest.newBuilder().setId("s1").build().toByteArray()));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        AgentException gone = assertThrows(AgentException.class, () -> agent.removeStorage("s1"));
        assertEquals(Code.NOT_FOUND, gone.code());
    }

    @Test
    void namingNothingIsNotFound() throws Exception {
        assertEquals(Code.NOT_FOUND, assertThrows(AgentException.class, () -> agent.startContainer("nope")).code());
        assertEquals(Code.NOT_FOUND, assertThrows(AgentException.class,
                () -> agent.waitProcess("nope", "", Duration.ofSeconds(10))).code());
        assertEquals(Code.NOT_FOUND, assertThrows(AgentException.class, () -> agent.createContainer("c1",
                OciSpec.build("c1", "c1", OciSpec.Process.of(List.of("true")), List.of()), List.of("no-layer"), "",
                AgentClient.stdio(false, false))).code());
        TtrpcException out = assertThrows(TtrpcException.class, () -> {
            try (var s = raw.newStream(SERVICE, "ReadOutput", StreamDesc.SERVER_STREAMING,
                    ReadOutputRequest.newBuilder().setContainerId("nope").setStream(StreamKind.STDOUT).build().toByteArray(),
                    CallOptions.DEFAULT)) {
                s.recv();
            }
        });
        assertEquals(Code.NOT_FOUND, out.code());
        stillServing();
    }

    @Test
    void aContainerNeedsALayerAndASpec() throws Exception {
        AgentException noLayer = assertThrows(AgentException.class, () -> agent.createContainer("c1",
                OciSpec.build("c1", "c1", OciSpec.Process.of(List.of("true")), List.of()), List.of(), "",
                AgentClient.stdio(false, false)));
        assertEquals(Code.INVALID_ARGUMENT, noLayer.code());
        AgentException noSpec = assertThrows(AgentException.class, () -> agent.createContainer("c1", new byte[0],
                List.of(), "", AgentClient.stdio(false, false)));
        assertEquals(Code.INVALID_ARGUMENT, noSpec.code());
        assertTrue(noSpec.getMessage().contains("spec"), noSpec.getMessage());
        stillServing();
    }
}
