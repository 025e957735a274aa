package dev.skiff.engine;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.Status;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.container.HealthMonitor;
import dev.skiff.engine.container.ProcessOutput;
import dev.skiff.engine.container.RestartPolicies;
import dev.skiff.engine.mount.BindMounts;
import dev.skiff.engine.network.Networking;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmDriver;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Live restore, once at the daemon's start: VMs and their containers outlive a daemon, so a new one
 * re-attaches to the VMs the last one left running, takes up the containers still running in them
 * (their output, their exits, their health checks), marks exited those whose VM is gone, and then
 * starts again the containers whose restart policy asks for it at a daemon start.
 */
final class LiveRestore {
    private static final Logger LOG = System.getLogger(LiveRestore.class.getName());
    private final ContainerTable table;
    private final Lifecycle lifecycle;
    private final Networking networking;
    private final Placement placement;
    private final HealthMonitor health;
    private final BindMounts bindMounts;
    private final Consumer<Container> save;

    LiveRestore(ContainerTable table, Lifecycle lifecycle, Networking networking, Placement placement,
                HealthMonitor health, BindMounts bindMounts, Consumer<Container> save) {
        this.bindMounts = bindMounts;
        this.table = table;
        this.lifecycle = lifecycle;
        this.networking = networking;
        this.placement = placement;
        this.health = health;
        this.save = save;
    }

    /**
     * The VM's count of which container uses which layer died with the earlier daemon: it is
     * rebuilt from the containers that exist. A container last run in this VM, or never run
     * (a docker cp of it may have mounted its layers in the shared VM), counts as using its
     * image's layers, whether it runs or not: counting too many only keeps a layer plugged.
     */
    private void restoreLayerUsers(UtilityVm u) {
        for (Container c : table.all()) {
            String lastVm;
            synchronized (c) {
                lastVm = c.vm == null ? "" : c.vm;
            }
            if (lastVm.equals(u.name()) || (lastVm.isEmpty() && u.mode() == UtilityVm.Mode.SHARED)) {
                u.useLayers(c.id, c.diffIds);
            }
        }
    }

    void restore(VmDriver driver) {
        Map<String, UtilityVm> byName = new HashMap<>();
        try {
            for (String vmId : driver.running()) {
                Vm vm = null;
                try {
                    vm = driver.attach(vmId);
                    if (vm.name().startsWith(dev.skiff.engine.placement.VmTemplates.BUILDING_PREFIX)) {
                        // a template whose maker died before saving it: half made, of no use
                        LOG.log(Level.INFO, "stopping VM " + vm.name() + ": a template left unfinished");
                        vm.kill();
                        continue;
                    }
                    AgentClient agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect());
                    agent.ping(Duration.ofSeconds(60));
                    UtilityVm u = UtilityVm.attached(vm, agent, agent.guestInfo().getBootId(), placement.sharing());
                    byName.put(u.name(), u);
                    LOG.log(Level.INFO, "re-attached to VM " + u.name() + " (pid " + vm.pid() + ")");
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot re-attach to VM " + vmId + ": " + e.getMessage());
                    if (vm != null) {
                        vm.detach();
                    }
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list the VMs of an earlier daemon: " + e.getMessage());
        }
        for (Container c : table.all()) {
            boolean wasRunning;
            synchronized (c) {
                wasRunning = c.status == Status.RUNNING; // "starting" records are read as running
            }
            if (!wasRunning) {
                continue;
            }
            UtilityVm u = byName.get(c.vm);
            if (u == null || !u.alive()) {
                c.exited(255, "its VM " + c.vm + " is gone", false);
                Lifecycle.clearNetwork(c);
                save.accept(c);
                continue;
            }
            // Its published ports live in QEMU and its namespace in the VM: both are still there.
            networking.restore(c.network, c.forwards, u);
            synchronized (c) {
                c.networkUp = true;
            }
            u.containers().add(c.id);
            table.place(c.id, u);
            List<String> storages;
            synchronized (c) {
                storages = List.copyOf(c.shares);
            }
            for (String problem : bindMounts.restore(u, c.spec.binds(), storages)) {
                LOG.log(Level.WARNING, "container " + c.id.substring(0, 12) + ": bind mount not taken up: " + problem);
            }
            if (!c.paused) {
                health.started(c); // as moby's restore: its checks begin again, "starting"
            }
            List<Thread> readers = ProcessOutput.resume(u.agent(), c.id, c.output, c.spec.tty());
            if (c.spec.openStdin()) {
                try {
                    // the old daemon's input stream died with it; the process's stdin stays open in the guest
                    c.stdin.connect(u.agent().openInput(c.id, ""), c.id.substring(0, 12));
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "container " + c.id.substring(0, 12)
                            + ": its stdin cannot be taken up: " + e.getMessage());
                }
            }
            Thread.ofVirtual().name("wait-" + c.id.substring(0, 12)).start(() -> lifecycle.awaitExit(c, u, readers));
            LOG.log(Level.INFO, "container " + c.id.substring(0, 12) + " is still running in " + u.name());
        }
        bindMounts.restored();
        for (UtilityVm u : byName.values()) {
            restoreLayerUsers(u);
            placement.adopt(u);
        }
        for (Container c : table.all()) {
            boolean back;
            synchronized (c) {
                back = c.status == Status.EXITED && RestartPolicies.atDaemonStart(c.spec.restartOrNo(), c.exitCode,
                        c.restartCount, c.manuallyStopped, c.startedAt != null);
                if (back) {
                    c.manuallyStopped = false; // "always" after a user's stop: the daemon start undoes it
                }
            }
            if (back) {
                lifecycle.scheduleRestart(c, Duration.ZERO, false);
            }
        }
    }
}
