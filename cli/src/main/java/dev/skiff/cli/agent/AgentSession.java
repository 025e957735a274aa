package dev.skiff.cli.agent;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.cli.selftest.ConsoleTail;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import dev.skiff.vm.qemu.QemuDriver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A utility VM booted into the agent, with an {@link AgentClient} on its agent channel. The VM's
 * death closes the channel, so calls fail with {@link dev.skiff.agent.client.AgentException#vmGone()}.
 */
public final class AgentSession implements AutoCloseable {
    /** Generous: under TCG on a loaded 2-core host a boot can take several times its usual 10 s. */
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

    private final Vm vm;
    private final AgentClient agent;

    private AgentSession(Vm vm, AgentClient agent) {
        this.vm = vm;
        this.agent = agent;
    }

    /** The VM config: the agent's channel, any extra boot-time channels, and disks. */
    public static VmConfig config(String name, GuestImage image, List<String> extraChannels, List<DiskSpec> disks) {
        List<String> channels = new ArrayList<>(List.of(GuestPaths.AGENT_PORT));
        channels.addAll(extraChannels);
        return VmConfig.of(name, image.kernel(), image.initrd(), image.kernelArgs(), image.initArgs(), channels)
                .withMappedImage(image.optImage()).withDisks(disks);
    }

    /** Starts the VM and waits until the agent answers a ping. */
    public static AgentSession start(VmConfig config) throws IOException {
        Vm vm = QemuDriver.create().start(config);
        AgentClient agent = null;
        try {
            agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect());
            agent.ping(BOOT_TIMEOUT);
            return new AgentSession(vm, agent);
        } catch (IOException | RuntimeException e) {
            if (agent != null) {
                agent.close();
            }
            vm.kill();
            throw new VmException("the agent in VM " + config.name() + " did not answer: " + e.getMessage()
                    + "; console log " + vm.consoleLog() + " ends with: " + ConsoleTail.of(vm.consoleLog()), e);
        }
    }

    /** The name of the self-test control port, for tests that also want to look inside the guest. */
    public static final String CONTROL_PORT = SelftestProtocol.CONTROL_PORT;

    public Vm vm() {
        return vm;
    }

    public AgentClient agent() {
        return agent;
    }

    @Override
    public void close() {
        agent.close();
        vm.close();
    }
}
