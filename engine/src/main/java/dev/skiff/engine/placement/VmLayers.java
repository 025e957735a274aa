package dev.skiff.engine.placement;

import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.vm.DiskBus;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.Vm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The layer disks of one utility VM: plugged once per VM and mounted in its guest, shared by its
 * containers, counted per container ({@link LayerUsers}), and unplugged when no container uses
 * them and their layer has left the image store.
 */
final class VmLayers {
    private static final System.Logger LOG = System.getLogger(VmLayers.class.getName());
    private final String name;
    private final Vm vm;
    private final AgentClient agent;
    /** How many hot-plugged disks of this VM may take PCI slots ({@link Vm#hotplugDisk(DiskSpec, int)}). */
    private final int pciDisks;
    /** Each layer's mount in the guest, done or under way, by diffId; guarded by layerLock. */
    private final Map<String, CompletableFuture<Void>> layerMounts = new HashMap<>();
    /** Held while layer disks are plugged, never while the guest mounts them. */
    private final Object layerLock = new Object();
    /** Which containers use which layers; guarded by layerLock. */
    private final LayerUsers layerUsers = new LayerUsers();
    /** Layers being unmounted and unplugged, by diffId; guarded by layerLock. A use waits for the end. */
    private final Map<String, CompletableFuture<Void>> unplugging = new HashMap<>();
    /**
     * Serials of layer disks the guest has unmounted but the VM could not unplug (the guest did
     * not give the device up): a later use mounts them again instead of plugging a second disk
     * with the same serial; guarded by layerLock.
     */
    private final Set<String> unmountedSerials = new java.util.HashSet<>();
    /** Serials of layer disks plugged by an earlier daemon (their storages exist in the guest). */
    private final Set<String> pluggedSerials = ConcurrentHashMap.newKeySet();

    VmLayers(String name, Vm vm, AgentClient agent, int pciDisks) {
        this.name = name;
        this.vm = vm;
        this.agent = agent;
        this.pciDisks = pciDisks;
    }

    /** A disk an earlier daemon plugged and the guest has mounted (read back from the VM's record). */
    void pluggedEarlier(DiskSpec d) {
        pluggedSerials.add(d.serial());
        String diffId = layerOfDisk(d);
        if (diffId != null) {
            synchronized (layerLock) {
                // known by its layer, so that it can be unplugged once its image is gone
                layerMounts.put(diffId, CompletableFuture.completedFuture(null));
            }
        }
    }

    /**
     * The storage ids of an image's layers in this VM, lowest first, plugging in the disks it does
     * not have yet (once per VM; its containers share them). All new disks are plugged first and
     * then mounted together: in the guest each waits for its device to be probed, and under
     * emulation those waits are most of a first run's start when they come one after another.
     * A layer another call is mounting (a pull's preload, another container of the image) is
     * waited for, not plugged twice; the VM's other requests (NICs, ports) never wait for a mount.
     * A layer being unplugged is waited for and then plugged again.
     *
     * @param user the container that uses the layers from now on (until {@link #release}),
     *     or null for a preload, which uses none
     */
    List<String> layers(String user, List<String> diffIds, UtilityVm.LayerDisks disks) throws IOException {
        List<String> ids = new ArrayList<>();
        Map<String, Plugged> toMount = new LinkedHashMap<>(); // diffId -> its disk, plugged by this call
        Map<String, CompletableFuture<Void>> others = new LinkedHashMap<>(); // mounts under way elsewhere
        IOException plugFailure = null;
        while (true) {
            CompletableFuture<Void> going = null;
            synchronized (layerLock) {
                for (String diffId : diffIds) {
                    going = going != null ? going : unplugging.get(diffId);
                }
                if (going == null) {
                    // taken into use under the lock that an unplug decides under: never both
                    if (user != null) {
                        layerUsers.use(user, diffIds);
                    }
                    plugFailure = plug(diffIds, disks, ids, toMount, others);
                    break;
                }
            }
            going.join(); // completed normally, whatever the unplug's outcome
        }
        mountLayers(toMount);
        if (plugFailure != null) {
            throw plugFailure;
        }
        for (var other : others.entrySet()) {
            awaitMount(other.getKey(), other.getValue());
        }
        return ids;
    }

    /** Plugs the layers' disks this VM lacks (under layerLock); returns the first failure to plug. */
    private IOException plug(List<String> diffIds, UtilityVm.LayerDisks disks, List<String> ids, Map<String, Plugged> toMount,
            Map<String, CompletableFuture<Void>> others) {
        IOException plugFailure = null;
        for (String diffId : diffIds) {
            ids.add(layerStorageId(diffId));
            String serial = serial(diffId);
            CompletableFuture<Void> mount = layerMounts.get(diffId);
            if (mount == null && pluggedSerials.contains(serial)) {
                mount = CompletableFuture.completedFuture(null); // an earlier daemon mounted it
                layerMounts.put(diffId, mount);
            }
            if (mount != null) {
                if (!toMount.containsKey(diffId)) {
                    others.put(diffId, mount);
                }
                continue;
            }
            if (plugFailure != null) {
                continue;
            }
            try {
                // A disk left plugged by a failed unplug is mounted again, not plugged twice. Its
                // bus only says whether to load the SCSI drivers, which its first mount did.
                DiskBus bus = unmountedSerials.remove(serial) ? DiskBus.PCI
                        : vm.hotplugDisk(new DiskSpec(disks.disk(diffId), serial, true), pciDisks);
                CompletableFuture<Void> mine = new CompletableFuture<>();
                layerMounts.put(diffId, mine);
                toMount.put(diffId, new Plugged(serial, bus, mine));
            } catch (IOException | RuntimeException e) {
                // the disks plugged so far are still mounted, for the next call
                plugFailure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
        }
        return plugFailure;
    }

    /** The container no longer uses this VM's layers (it left the VM): they may be unplugged. */
    void release(String user) {
        synchronized (layerLock) {
            layerUsers.release(user);
        }
    }

    /** After a daemon restart: the container uses these layers, as it did before. */
    void use(String user, List<String> diffIds) {
        synchronized (layerLock) {
            layerUsers.use(user, diffIds);
        }
    }

    /** How many containers use the layer (tests, logs). */
    int users(String diffId) {
        synchronized (layerLock) {
            return layerUsers.count(diffId);
        }
    }

    /**
     * Unplugs the layers no container of this VM uses and whose layer {@code gone} says the image
     * store no longer has: the guest unmounts each, then the VM unplugs its disk (which frees its
     * slot and the host file QEMU held open). Layers of images that still exist stay plugged
     * although unused: a cache, the next container of the image starts faster. The choice is made
     * under the lock a container takes its layers under, and a container that asks for a layer
     * while it goes waits and then plugs it again, so a layer never goes from under a container.
     * Failures are logged: the layer stays (plugged, and mounted if the guest would not unmount it).
     *
     * @return the diffIds unplugged
     */
    List<String> unplugUnused(java.util.function.Predicate<String> gone) {
        List<String> victims;
        Map<String, CompletableFuture<Void>> mine = new LinkedHashMap<>();
        synchronized (layerLock) {
            List<String> mounted = layerMounts.entrySet().stream()
                    .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
                    .map(Map.Entry::getKey).toList();
            victims = layerUsers.reclaimable(mounted, gone);
            for (String d : victims) {
                layerMounts.remove(d);
                CompletableFuture<Void> f = new CompletableFuture<>();
                unplugging.put(d, f);
                mine.put(d, f);
            }
        }
        List<String> done = new ArrayList<>();
        for (String d : victims) {
            String serial = serial(d);
            Outcome outcome = Outcome.MOUNTED;
            try {
                outcome = unplugLayer(d, serial);
            } finally {
                synchronized (layerLock) {
                    switch (outcome) {
                        case UNPLUGGED -> pluggedSerials.remove(serial);
                        case MOUNTED -> layerMounts.put(d, CompletableFuture.completedFuture(null));
                        case UNMOUNTED -> unmountedSerials.add(serial);
                        case VM_GONE -> { }
                    }
                    unplugging.remove(d, mine.get(d));
                }
                mine.get(d).complete(null);
            }
            if (outcome == Outcome.UNPLUGGED) {
                done.add(d);
            }
        }
        return done;
    }

    /** What is left of a layer an unplug began with. */
    private enum Outcome {
        UNPLUGGED,
        /** the guest would not unmount it: it stays as it was */
        MOUNTED,
        /** unmounted, but the VM could not unplug its disk */
        UNMOUNTED,
        VM_GONE
    }

    /** Unmounts a layer in the guest and unplugs its disk. */
    private Outcome unplugLayer(String diffId, String serial) {
        String what = name + ": layer " + diffId.substring(0, Math.min(diffId.length(), 19));
        try {
            agent.removeStorage(layerStorageId(diffId));
        } catch (AgentException e) {
            if (e.vmGone()) {
                return Outcome.VM_GONE;
            }
            if (e.code() != dev.skiff.ttrpc.Code.NOT_FOUND) {
                LOG.log(System.Logger.Level.WARNING, what + " stays plugged: the guest did not unmount it: "
                        + e.getMessage());
                return Outcome.MOUNTED;
            }
            // not mounted in the guest (a mount that failed): only the disk is left
        }
        try {
            vm.unplugDisk(serial);
            LOG.log(System.Logger.Level.INFO, what + " unplugged: no container uses it and its image is gone");
            return Outcome.UNPLUGGED;
        } catch (IOException | RuntimeException e) {
            if (vm.exit().isDone()) {
                return Outcome.VM_GONE;
            }
            LOG.log(System.Logger.Level.WARNING, what + " is unmounted but its disk stays plugged: " + e.getMessage());
            return Outcome.UNMOUNTED;
        }
    }

    /** The layer ("sha256:HEX") of a disk an earlier daemon plugged, from its image's name, or null. */
    private static String layerOfDisk(DiskSpec d) {
        String file = d.image().getFileName() == null ? "" : d.image().getFileName().toString();
        if (!d.readOnly() || !file.matches("[0-9a-f]{64}\\.erofs")) {
            return null;
        }
        String diffId = "sha256:" + file.substring(0, 64);
        return serial(diffId).equals(d.serial()) ? diffId : null;
    }

    private static String serial(String diffId) {
        String hex = diffId.substring(diffId.indexOf(':') + 1);
        return "l" + hex.substring(0, 19);
    }

    private static String layerStorageId(String diffId) {
        return "layer-" + diffId.substring(diffId.indexOf(':') + 1, diffId.indexOf(':') + 33);
    }

    /** A layer disk just plugged: its serial, the bus the guest finds it on, and its mount to complete. */
    private record Plugged(String serial, DiskBus bus, CompletableFuture<Void> mount) {}

    /**
     * Mounts plugged layer disks in the guest at once and completes their futures; a mount that
     * fails is forgotten (the next call plugs its disk again). The first failure is thrown after
     * all ended.
     */
    private void mountLayers(Map<String, Plugged> toMount) throws IOException {
        Map<String, Future<String>> mounts = new LinkedHashMap<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            toMount.forEach((diffId, disk) -> mounts.put(diffId, threads.submit(() -> agent.addLayer(
                    layerStorageId(diffId), disk.serial(), "erofs", disk.bus() == DiskBus.SCSI))));
        }
        IOException first = null;
        try {
            for (var m : mounts.entrySet()) {
                try {
                    m.getValue().get();
                    finish(m.getKey(), toMount.get(m.getKey()).mount(), null);
                } catch (ExecutionException e) {
                    IOException io = e.getCause() instanceof IOException x ? x : new IOException(e.getCause());
                    finish(m.getKey(), toMount.get(m.getKey()).mount(), io);
                    if (first == null) {
                        first = io;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first = new java.io.InterruptedIOException("interrupted while mounting layers");
        } finally {
            toMount.forEach((diffId, disk) -> finish(diffId, disk.mount(),
                    new IOException("the mount of layer " + diffId + " was abandoned")));
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Ends a mount this call began, once: done (failure null), or failed and forgotten, so that
     * the next call plugs the layer's disk again.
     */
    private void finish(String diffId, CompletableFuture<Void> mount, IOException failure) {
        if (mount.isDone()) {
            return;
        }
        if (failure == null) {
            mount.complete(null);
            return;
        }
        synchronized (layerLock) {
            layerMounts.remove(diffId, mount);
        }
        mount.completeExceptionally(failure);
    }

    /** Waits for a mount another call began; its failure is this call's. */
    private static void awaitMount(String diffId, CompletableFuture<Void> mount) throws IOException {
        try {
            mount.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("mounting layer " + diffId + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for layer " + diffId);
        }
    }
}
