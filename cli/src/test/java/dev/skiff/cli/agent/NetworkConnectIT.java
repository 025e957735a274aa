package dev.skiff.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.ttrpc.Code;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * docker network connect and disconnect of a running container (AddEndpoint, RemoveEndpoint) in
 * a real TCG guest, on {@link NetworkFixture}'s VM: a container on skiff0 joins skiff1 and
 * reaches a server there by address; after leaving it does not, while its skiff0 neighbour and
 * the host still answer; the endpoint with the default route cannot leave and a taken interface
 * name cannot be added; teardown takes an added endpoint's veth too.
 */
class NetworkConnectIT extends NetworkFixture {
    private static final String SERVER_B = "172.18.0.30", NEIGHBOUR_A = "172.17.0.30";

    /** Runs {@code script} in the running container {@code id}; returns its exit code and its output (stderr too). */
    private static String[] exec(String id, String script) throws Exception {
        String execId = "x" + System.nanoTime();
        agent.exec(id, execId, OciSpec.Process.of(List.of("/bin/sh", "-c", "exec 2>&1; " + script)).toJson(),
                AgentClient.stdio(false, false));
        Collector out = new Collector();
        agent.readOutput(id, execId, dev.skiff.agent.api.StreamKind.STDOUT, out); // returns at the process's EOF
        return new String[] {Integer.toString(agent.waitProcess(id, execId, WAIT).getExitCode()), out.text()};
    }

    private static void refused(Code code, String says, Executable call) {
        AgentException e = assertThrows(AgentException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    private static String hostVeths() throws Exception {
        return inVm("ls /sys/class/net | grep -c '^v.*[.]'")[1];
    }

    @Test
    void aRunningContainerJoinsAndLeavesASecondNetwork() throws Exception {
        try (ServerSocket host = ackServer()) {
            serve("srvb", endpointB(30), "on-b");
            serve("nba", endpoint(30), "on-a");
            String netns = setup(namespace("cli").addEndpoints(endpoint(31)).build(), "client on skiff0");
            Collector init = new Collector();
            start("cli", netns, "echo ready; exec sleep 100000", init);
            init.awaitContains("ready\n", WAIT);
            // busybox 1.35's wget -T crashes; timeout bounds it (status 143 when it fires)
            String toB = "timeout 5 wget -q -O - http://" + SERVER_B + "/index.html";
            assertFalse(exec("cli", toB)[1].contains("on-b"), "skiff1 is out of reach before the connect");

            refused(Code.INVALID_ARGUMENT, "default_route", () -> agent.addEndpoint("cli", endpointB(31).build()));
            refused(Code.ALREADY_EXISTS, "interface eth0", () -> agent.addEndpoint("cli",
                    endpointB(31).setDefaultRoute(false).build()));
            refused(Code.NOT_FOUND, "no network", () -> agent.addEndpoint("nobody",
                    endpointB(31).setIfname("eth1").setDefaultRoute(false).build()));
            assertEquals("3\n", hostVeths(), "the refusals made nothing");

            long t = System.nanoTime();
            agent.addEndpoint("cli", endpointB(31).setIfname("eth1").setDefaultRoute(false).build());
            System.out.printf("AddEndpoint: %d ms%n", (System.nanoTime() - t) / 1_000_000);
            String[] joined = exec("cli", "ip addr show eth1; ip route; timeout 60 wget -q -O - http://" + SERVER_B
                    + "/index.html");
            assertEquals("0", joined[0], joined[1]);
            assertTrue(joined[1].contains("inet 172.18.0.31/16 ") && joined[1].contains("link/ether 02:42:ac:12:00:1f "),
                    joined[1]);
            assertTrue(joined[1].contains("default via 172.17.0.1 dev eth0"), "the default route stays: " + joined[1]);
            assertTrue(joined[1].endsWith("on-b\n"), "the server on skiff1 answers by address: " + joined[1]);

            refused(Code.FAILED_PRECONDITION, "stop the container first", () -> agent.removeEndpoint("cli", "eth0"));
            t = System.nanoTime();
            agent.removeEndpoint("cli", "eth1");
            System.out.printf("RemoveEndpoint: %d ms%n", (System.nanoTime() - t) / 1_000_000);
            String[] left = exec("cli", "ls /sys/class/net; " + toB + "; echo other=$?; timeout 60 wget -q -O - http://"
                    + NEIGHBOUR_A + "/index.html; echo same=$?; timeout 60 nc " + GuestNetwork.HOST_ADDRESS + " "
                    + host.getLocalPort() + " </dev/null; echo host=$?");
            assertTrue(left[1].startsWith("eth0\nlo\n"), "eth1 is gone: " + left[1]);
            assertFalse(left[1].contains("on-b") || left[1].contains("other=0\n"), "skiff1 is out of reach: " + left[1]);
            assertTrue(left[1].contains("on-a\nsame=0\n"), "the skiff0 neighbour answers: " + left[1]);
            assertTrue(left[1].contains("ack\nhost=0\n"), "the host answers: " + left[1]);
            refused(Code.NOT_FOUND, "no endpoint eth1", () -> agent.removeEndpoint("cli", "eth1"));
            assertTrue(inVm("ls /sys/class/net")[1].contains("skiff1\n"), "the bridge stays");

            agent.addEndpoint("cli", endpointB(31).setIfname("eth1").setDefaultRoute(false).build()); // again, for teardown
            assertEquals("4\n", hostVeths());
        } finally {
            for (String id : List.of("cli", "srvb", "nba")) {
                agent.removeContainer(id, true);
            }
            for (String id : List.of("cli", "srvb", "nba")) {
                agent.teardownNetwork(id);
            }
        }
        assertEquals("0\n", hostVeths(), "teardown took the added endpoint's veth too");
    }
}
