package dev.skiff.agent.network;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.guest.boot.Boot;
import dev.skiff.guest.devices.NetDevices;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@link GuestSystem} in the utility VM: the agent is PID 1 and root, with /sys and /proc mounted. */
final class VmSystem implements GuestSystem {
    /** How long the first network request waits for the modules loading in the background since boot. */
    static final Duration MODULE_WAIT = Duration.ofSeconds(120);
    private static final Path SYS = Path.of("/sys");
    private static final Path SYS_NET = SYS.resolve("class/net");
    private static final Path NETNS_DIR = Path.of(GuestPaths.ROOT, "netns");

    private boolean netnsDirReady;

    @Override
    public void loadNetModules() throws IOException {
        Boot.loadModuleList(Path.of("/"), Boot.NET_MODULES, MODULE_WAIT);
    }

    @Override
    public Optional<String> linkWithMac(String mac) throws IOException {
        return NetDevices.find(SYS, mac);
    }

    @Override
    public String awaitNic(String mac, Duration timeout) throws IOException {
        return NetDevices.awaitNic(SYS, mac, timeout);
    }

    @Override
    public boolean linkExists(String name) {
        return Files.exists(SYS_NET.resolve(name));
    }

    @Override
    public void enableForwarding() throws IOException {
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1\n");
    }

    /**
     * The folder is made a mount point of its own with shared propagation, as iproute2's
     * {@code ip netns add} does (ip/ipnetns.c, netns_add): runc gives each container a mount
     * namespace copied from ours and turns it into a slave (rootfsPropagation's default, rslave),
     * so the copies of every namespace file in it receive our unmounts. With private propagation
     * a running container would keep every other container's namespace alive after teardown
     * (runc's --no-pivot leaves the copied mounts under the container's root).
     */
    @Override
    public synchronized void prepareNetnsFile(String path) throws IOException {
        if (!netnsDirReady) {
            Files.createDirectories(NETNS_DIR);
            if (!isMountPoint(NETNS_DIR)) {
                Mounts.mount(NETNS_DIR.toString(), NETNS_DIR.toString(), null, Mounts.MS_BIND, null);
            }
            Mounts.mount(null, NETNS_DIR.toString(), null, Mounts.MS_SHARED | Mounts.MS_REC, null);
            netnsDirReady = true;
        }
        Path file = Path.of(path);
        Files.deleteIfExists(file);
        Files.createFile(file);
    }

    @Override
    public void removeNetns(String path) throws IOException {
        try {
            Mounts.unmount(path, Mounts.MNT_DETACH);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) { // not mounted, not there
                throw e;
            }
        }
        Files.deleteIfExists(Path.of(path));
    }

    @Override
    public void writeEtcFiles(String containerId, String hosts, String resolvConf, String hostname) throws IOException {
        Files.createDirectories(Path.of(GuestPaths.etcFile(containerId, "hosts")).getParent());
        Files.writeString(Path.of(GuestPaths.etcFile(containerId, "hosts")), hosts);
        Files.writeString(Path.of(GuestPaths.etcFile(containerId, "resolv.conf")), resolvConf);
        Files.writeString(Path.of(GuestPaths.etcFile(containerId, "hostname")), hostname);
    }

    @Override
    public void removeEtcFiles(String containerId) throws IOException {
        for (String f : List.of("hosts", "resolv.conf", "hostname")) {
            Files.deleteIfExists(Path.of(GuestPaths.etcFile(containerId, f)));
        }
        Files.deleteIfExists(Path.of(GuestPaths.etcFile(containerId, "hosts")).getParent());
    }

    @Override
    public long vmNetnsPid() {
        return ProcessHandle.current().pid();
    }

    /** Whether a mount has {@code dir} as its mount point (field 5 of /proc/self/mountinfo). */
    private static boolean isMountPoint(Path dir) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(dir.toString())) {
                return true;
            }
        }
        return false;
    }
}
