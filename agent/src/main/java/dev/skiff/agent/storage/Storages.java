package dev.skiff.agent.storage;

import dev.skiff.agent.api.AddStorageRequest;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.SocketRelayProtocol;
import dev.skiff.guest.Main;
import dev.skiff.guest.boot.Boot;
import dev.skiff.guest.devices.BlockDevices;
import dev.skiff.guest.share.NinePMount;
import dev.skiff.guest.share.VirtioFsMount;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Mounts;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The storages the host added: layer disks (read-only), scratch disks and 9P shares, each mounted
 * at {@link GuestPaths#storage}, and forwarded host sockets, a unix socket at that path. Devices are found by the serial or port name the host gave them.
 */
public final class Storages {
    /** How long a hot-plugged disk or port may take to appear; generous for TCG. */
    static final Duration DEVICE_TIMEOUT = Duration.ofSeconds(60);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Set<String> LAYER_TYPES = Set.of("erofs", "ext4");

    private final Map<String, Storage> storages = new ConcurrentHashMap<>();
    private final Map<String, SocketForward> sockets = new ConcurrentHashMap<>();
    private final Map<String, FolderPins> pins = new ConcurrentHashMap<>(); // read-write shares' held folders
    private final ReplayThread replays = new ReplayThread();

    public Storage add(AddStorageRequest request) throws TtrpcException, IOException {
        String id = checkId(request.getId());
        String path = GuestPaths.storage(id);
        if (storages.putIfAbsent(id, new Storage(id, null, path, true)) != null) {
            throw new TtrpcException(Code.ALREADY_EXISTS, "storage " + id + " already exists");
        }
        boolean done = false;
        try {
            Storage s = switch (request.getSourceCase()) {
                case LAYER -> {
                    String fstype = request.getLayer().getFstype().isEmpty() ? "erofs" : request.getLayer().getFstype();
                    if (!LAYER_TYPES.contains(fstype)) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "layer file system " + fstype
                                + " is not supported: use one of " + LAYER_TYPES);
                    }
                    if (request.getLayer().getScsi()) {
                        loadOnce(Boot.SCSI_MODULES, "the SCSI disk drivers");
                    }
                    mountDisk(request.getLayer().getSerial(), path, fstype, Mounts.MS_RDONLY, null);
                    yield new Storage(id, Storage.Kind.LAYER, path, true);
                }
                case SCRATCH -> {
                    String fstype = request.getScratch().getFstype().isEmpty() ? "ext4" : request.getScratch().getFstype();
                    if (!fstype.equals("ext4")) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "scratch file system must be ext4, not " + fstype);
                    }
                    // noinit_itable: a fresh scratch disk's inode tables are left uninitialised by
                    // mkfs (lazy_itable_init); without this, ext4lazyinit zeroes them all in the
                    // background (128 MiB on an 8 GiB disk), and under emulation that write stream
                    // stalls the first containers' own I/O on the disk for minutes.
                    mountDisk(request.getScratch().getSerial(), path, fstype, 0, "noinit_itable");
                    yield new Storage(id, Storage.Kind.SCRATCH, path, false);
                }
                case SHARE -> {
                    var share = request.getShare();
                    if (share.getPort().isEmpty() || share.getPort().length() > 128 || share.getAname().contains(",")) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "share needs a port name (and an aname without ',')");
                    }
                    NinePMount.mount(share.getPort(), share.getAname(), Path.of(path), share.getReadOnly(),
                            DEVICE_TIMEOUT);
                    if (!share.getReadOnly() && share.getWholeTree()) {
                        holdFolders(id, path);
                    }
                    yield new Storage(id, Storage.Kind.SHARE, path, share.getReadOnly());
                }
                case VIRTIOFS -> {
                    var share = request.getVirtiofs();
                    if (!share.getTag().matches("[a-z0-9][a-z0-9-]{0,35}")) {
                        throw new TtrpcException(Code.INVALID_ARGUMENT, "a virtio-fs tag is 1 to 36 of a-z, 0-9 and -");
                    }
                    loadOnce(Boot.VIRTIOFS_MODULES, "the virtio-fs client");
                    VirtioFsMount.mount(share.getTag(), Path.of(path), share.getReadOnly(), DEVICE_TIMEOUT);
                    if (!share.getReadOnly() && share.getWholeTree()) {
                        holdFolders(id, path);
                    }
                    yield new Storage(id, Storage.Kind.SHARE, path, share.getReadOnly());
                }
                case SOCKET -> {
                    sockets.put(id, forward(request.getSocket(), Path.of(path)));
                    yield new Storage(id, Storage.Kind.SOCKET, path, false);
                }
                case SOURCE_NOT_SET -> throw new TtrpcException(Code.INVALID_ARGUMENT,
                        "storage " + id + " names no source: give a layer, a scratch disk, a share, a virtio-fs share or a socket");
            };
            storages.put(id, s);
            done = true;
            Main.log("storage " + id + ": " + s.kind() + " mounted at " + path);
            return s;
        } finally {
            if (!done) {
                storages.remove(id);
            }
        }
    }

    /**
     * A module list loaded on demand, once per VM: the SCSI controller's drivers with the first
     * disk the host put there (after the first sixteen), the virtio-fs client with the first
     * virtio-fs share. A guest that never needs one never spends the time loading it under
     * emulation. Concurrent requests wait for the one load.
     */
    private void loadOnce(String list, String what) throws IOException {
        long t0 = System.nanoTime();
        int n = Boot.loadModuleListOnce(Path.of("/"), list, DEVICE_TIMEOUT);
        if (n > 0) {
            Main.log("storage: loaded " + what + " (" + n + " modules) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }


    private static void mountDisk(String serial, String path, String fstype, long flags, String options)
            throws IOException, TtrpcException {
        if (serial.isEmpty() || serial.length() > 20) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "a disk serial has 1 to 20 characters: \"" + serial + "\"");
        }
        Boot.awaitModules(DEVICE_TIMEOUT);
        Path node = BlockDevices.awaitDisk(Path.of("/sys"), Path.of("/dev"), serial, DEVICE_TIMEOUT);
        Files.createDirectories(Path.of(path));
        Mounts.mount(node.toString(), path, fstype, flags, options);
    }

    private static SocketForward forward(dev.skiff.agent.api.SocketForward f, Path path) throws TtrpcException, IOException {
        if (!IPV4.matcher(f.getHost()).matches() || f.getPort() < 1 || f.getPort() > 65535
                || f.getToken().size() != SocketRelayProtocol.TOKEN_BYTES) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "a socket forward needs an IPv4 host, a port in 1..65535 and a "
                    + SocketRelayProtocol.TOKEN_BYTES + "-byte token");
        }
        return SocketForward.start(path, new InetSocketAddress(InetAddress.ofLiteral(f.getHost()), f.getPort()),
                f.getToken().toByteArray());
    }

    /** A storage by id, of the wanted kind. */
    public Storage get(String id, Storage.Kind kind) throws TtrpcException {
        Storage s = storages.get(checkId(id));
        if (s == null || s.kind() == null) {
            throw new TtrpcException(Code.NOT_FOUND, "no storage " + id);
        }
        if (s.kind() != kind) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "storage " + id + " is a " + s.kind() + ", not a " + kind);
        }
        return s;
    }

    /** Replays host-side changes through a share's mount; see {@link ChangeReplayer}. */
    public dev.skiff.agent.api.ReplayChangesResponse replay(dev.skiff.agent.api.ReplayChangesRequest q)
            throws TtrpcException {
        Storage s = get(q.getStorageId(), Storage.Kind.SHARE);
        return replays.run(() -> ChangeReplayer.replay(s, pins.get(s.id()), q));
    }

    /** Holds a read-write share's folders open, so inotify watches on them hear replays (see {@link FolderPins}). */
    private void holdFolders(String id, String path) {
        try {
            FolderPins p = new FolderPins(id, path);
            pins.put(id, p);
            p.holdAllInBackground();
        } catch (dev.skiff.sys.ErrnoException e) {
            Main.log("storage " + id + ": cannot hold its folders: " + e.getMessage());
        }
    }

    public void remove(String id) throws TtrpcException {
        Storage s = storages.get(checkId(id));
        if (s == null || s.kind() == null) {
            throw new TtrpcException(Code.NOT_FOUND, "no storage " + id);
        }
        SocketForward socket = sockets.remove(id);
        if (socket != null) {
            socket.close();
            storages.remove(id);
            return;
        }
        FolderPins held = pins.remove(id);
        if (held != null) {
            held.close(); // held folders would keep the mount busy
        }
        try {
            Mounts.unmount(s.guestPath(), 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EBUSY) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "storage " + id + " is in use: " + e.getMessage());
            }
            throw new TtrpcException(Code.INTERNAL, "unmount storage " + id + ": " + e.getMessage());
        }
        storages.remove(id);
        try {
            Files.deleteIfExists(Path.of(s.guestPath()));
        } catch (IOException e) {
            Main.log("storage " + id + ": " + e.getMessage());
        }
    }

    private static String checkId(String id) throws TtrpcException {
        try {
            return GuestPaths.checkId(id, "storage id");
        } catch (IllegalArgumentException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, e.getMessage());
        }
    }
}
