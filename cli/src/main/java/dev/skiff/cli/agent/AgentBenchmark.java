package dev.skiff.cli.agent;

import dev.skiff.agent.api.GuestInfoResponse;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.cli.selftest.Images;
import dev.skiff.guest.selftest.SelftestClient;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.vm.DiskSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-to-exit of busybox {@code true} in a warm VM: through the agent (CreateContainer,
 * StartContainer, WaitProcess over ttrpc; crun create + crun start inside), against
 * {@code runc run} and {@code crun run} of the same bundle run directly inside the same VM (through
 * the self-test port). Both are timed on the host; runs alternate so that drift hits both alike. Also reports
 * the agent's own memory.
 */
public final class AgentBenchmark {
    private AgentBenchmark() {}

    private static final Duration WAIT = Duration.ofSeconds(120);

    public static void run(int runs, PrintStream out) throws IOException {
        GuestImage image = Images.selftestImage(out);
        var layer = BusyboxLayer.get(out);
        var config = AgentSession.config("agent-bench", image, List.of(SelftestProtocol.CONTROL_PORT),
                List.of(new DiskSpec(layer, "busybox", true)));
        try (AgentSession session = AgentSession.start(config);
             ByteChannel control = session.vm().channel(SelftestProtocol.CONTROL_PORT).connect()) {
            AgentClient agent = session.agent();
            SelftestClient guest = new SelftestClient(Channels.newInputStream(control), Channels.newOutputStream(control));
            agent.addLayer("busybox", "busybox", "erofs");
            GuestInfoResponse idle = agent.guestInfo();
            // The peer's bundle: a container created through the agent and never started, so the
            // config.json and the overlay rootfs are the very ones the agent uses.
            runThroughAgent(agent, "warm-0");
            agent.createContainer("peer-bundle", spec("peer-bundle"), List.of("busybox"), "", AgentClient.stdio(false, false));
            String bundle = GuestPaths.bundle("peer-bundle");
            runDirectly(guest, RUNC, bundle, "warm-1");
            runDirectly(guest, CRUN, bundle, "warm-2");
            List<Double> viaAgent = new ArrayList<>();
            List<Double> direct = new ArrayList<>();
            List<Double> crun = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                viaAgent.add(runThroughAgent(agent, "bench-a" + i));
                direct.add(runDirectly(guest, RUNC, bundle, "bench-r" + i));
                crun.add(runDirectly(guest, CRUN, bundle, "bench-c" + i));
            }
            GuestInfoResponse busy = agent.guestInfo();
            double a = dev.skiff.cli.selftest.BootBenchmark.median(viaAgent);
            double r = dev.skiff.cli.selftest.BootBenchmark.median(direct);
            out.printf("agent bench (%d runs each, medians, TCG or KVM as the notice above says):%n", runs);
            out.printf("  runc run in the VM (peer)          %.3f s   %s%n", r, viaList(direct));
            out.printf("  crun run in the VM                 %.3f s   %s%n",
                    dev.skiff.cli.selftest.BootBenchmark.median(crun), viaList(crun));
            out.printf("  through the agent (create+start+wait) %.3f s   %s%n", a, viaList(viaAgent));
            out.printf("  ratio agent / runc run             %.2f%n", a / r);
            out.printf("  ratio agent / crun run             %.2f   (the agent runs crun: its own overhead)%n",
                    a / dev.skiff.cli.selftest.BootBenchmark.median(crun));
            out.printf("  agent memory: RSS %.1f MiB idle, %.1f MiB after the runs; Java heap in use %.1f MiB;"
                            + " guest memory %.0f MiB%n", mib(idle.getAgentRssBytes()), mib(busy.getAgentRssBytes()),
                    mib(busy.getAgentHeapUsedBytes()), mib(busy.getMemoryTotalBytes()));
        }
    }

    private static byte[] spec(String id) {
        return OciSpec.build(id, id, OciSpec.Process.of(List.of("true")), List.of());
    }

    private static double runThroughAgent(AgentClient agent, String id) throws IOException {
        long start = System.nanoTime();
        agent.createContainer(id, spec(id), List.of("busybox"), "", AgentClient.stdio(false, false));
        agent.startContainer(id);
        int code = agent.waitProcess(id, "", WAIT).getExitCode();
        double seconds = (System.nanoTime() - start) / 1e9;
        agent.readOutput(id, "", StreamKind.STDOUT, OutputStream.nullOutputStream());
        agent.removeContainer(id, false);
        if (code != 0) {
            throw new IOException("true exited " + code + " through the agent");
        }
        return seconds;
    }

    private static final String RUNC = "/usr/sbin/runc", CRUN = "/usr/bin/crun";

    private static double runDirectly(SelftestClient guest, String runtime, String bundle, String id) throws IOException {
        long start = System.nanoTime();
        String reply = guest.call(SelftestProtocol.RUN, SelftestProtocol.encodeArgv(runtime, "run", "--no-pivot",
                "--bundle", bundle, id));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!(reply.equals("0") || reply.startsWith("0 "))) {
            throw new IOException(runtime + " run in the guest failed: " + reply);
        }
        return seconds;
    }

    private static String viaList(List<Double> values) {
        StringBuilder b = new StringBuilder("[");
        for (double v : values) {
            b.append(b.length() > 1 ? " " : "").append(String.format("%.3f", v));
        }
        return b.append("]").toString();
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
