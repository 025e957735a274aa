package dev.skiff.vm.qemu;

import dev.skiff.vm.Accel;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.NicSpec;
import dev.skiff.vm.Uplink;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * What a later process needs to find a running VM again and drive it: the config it was started
 * with, how QEMU was started, which process QEMU is (pid and start time, to tell a reused pid
 * apart), and the channels and disks hot-plugged since. It lives as {@value #FILE} in the VM's run
 * folder, in {@link Properties} syntax with lists as numbered keys ({@code channel.0},
 * {@code channel.1}, ...), and is replaced atomically (a temporary file, fsync, rename), so a reader
 * sees the old record or the new one, never a torn one, even if the writer is killed mid-way.
 *
 * @param accel the acceleration QEMU runs with (the config may say AUTO)
 * @param consoleLog where the console goes (the config may leave it to the driver)
 * @param startTime field 22 of /proc/PID/stat when QEMU was started
 * @param sharedMemory the guest's RAM is a shared memfd, which vhost-user back-ends can map (a
 *        record an older process wrote lacks the key: false)
 * @param hotplugFilesystems the tags of the virtio-fs devices plugged in, in order
 */
record RunRecord(VmConfig config, Path binary, Accel accel, Path consoleLog, long pid, long startTime,
                 List<String> hotplugChannels, List<DiskSpec> hotplugDisks, List<NicSpec> hotplugNics,
                 boolean sharedMemory, List<String> hotplugFilesystems) {
    static final String FILE = "vm.properties";
    /** Bumped when a key changes meaning; readers refuse other versions rather than guess. */
    static final int FORMAT = 1;

    RunRecord {
        hotplugChannels = List.copyOf(hotplugChannels);
        hotplugDisks = List.copyOf(hotplugDisks);
        hotplugNics = List.copyOf(hotplugNics);
        hotplugFilesystems = List.copyOf(hotplugFilesystems);
    }

    RunRecord(VmConfig config, Path binary, Accel accel, Path consoleLog, long pid, long startTime,
              List<String> hotplugChannels, List<DiskSpec> hotplugDisks) {
        this(config, binary, accel, consoleLog, pid, startTime, hotplugChannels, hotplugDisks, List.of(), false, List.of());
    }

    RunRecord withFilesystem(String tag, boolean plugged) {
        List<String> f = new ArrayList<>(hotplugFilesystems);
        f.remove(tag);
        if (plugged) {
            f.add(tag);
        }
        return new RunRecord(config, binary, accel, consoleLog, pid, startTime, hotplugChannels, hotplugDisks, hotplugNics,
                sharedMemory, f);
    }

    RunRecord withNic(NicSpec nic) {
        List<NicSpec> n = new ArrayList<>(hotplugNics);
        n.add(nic);
        return new RunRecord(config, binary, accel, consoleLog, pid, startTime, hotplugChannels, hotplugDisks, n,
                sharedMemory, hotplugFilesystems);
    }

    RunRecord withChannel(String channel) {
        List<String> c = new ArrayList<>(hotplugChannels);
        c.add(channel);
        return new RunRecord(config, binary, accel, consoleLog, pid, startTime, c, hotplugDisks, hotplugNics,
                sharedMemory, hotplugFilesystems);
    }

    RunRecord withoutChannel(String channel) {
        List<String> c = new ArrayList<>(hotplugChannels);
        c.remove(channel);
        return new RunRecord(config, binary, accel, consoleLog, pid, startTime, c, hotplugDisks, hotplugNics,
                sharedMemory, hotplugFilesystems);
    }

    RunRecord withDisk(DiskSpec disk) {
        List<DiskSpec> d = new ArrayList<>(hotplugDisks);
        d.add(disk);
        return new RunRecord(config, binary, accel, consoleLog, pid, startTime, hotplugChannels, d, hotplugNics,
                sharedMemory, hotplugFilesystems);
    }

    /** Without the hot-plugged disk of this serial (serials are unique within a VM). */
    RunRecord withoutDisk(String serial) {
        List<DiskSpec> d = new ArrayList<>(hotplugDisks);
        d.removeIf(x -> x.serial().equals(serial));
        return new RunRecord(config, binary, accel, consoleLog, pid, startTime, hotplugChannels, d, hotplugNics,
                sharedMemory, hotplugFilesystems);
    }

    /** All the channels the guest has: those at boot, then the hot-plugged ones. */
    List<String> allChannels() {
        List<String> all = new ArrayList<>(config.channels());
        all.addAll(hotplugChannels);
        return all;
    }

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("format", Integer.toString(FORMAT));
        p.setProperty("name", config.name());
        p.setProperty("kernel", config.kernel().toString());
        p.setProperty("initrd", config.initrd().toString());
        if (config.mappedImage() != null) {
            p.setProperty("mappedImage", config.mappedImage().toString());
        }
        putList(p, "kernelArg", config.kernelArgs());
        putList(p, "initArg", config.initArgs());
        p.setProperty("memoryMiB", Integer.toString(config.memoryMiB()));
        p.setProperty("cpus", Integer.toString(config.cpus()));
        p.setProperty("accel", config.accel().name());
        putList(p, "channel", config.channels());
        putDisks(p, "disk", config.disks());
        if (config.consoleLog() != null) {
            p.setProperty("consoleLog", config.consoleLog().toString());
        }
        if (config.uplink() != null) {
            Uplink u = config.uplink();
            p.setProperty("uplink", String.join(" ", u.mac(), u.network(), u.guest(), u.host(), u.dns()));
        }
        p.setProperty("qemu.binary", binary.toString());
        p.setProperty("qemu.accel", accel.name());
        p.setProperty("qemu.consoleLog", consoleLog.toString());
        p.setProperty("qemu.pid", Long.toString(pid));
        p.setProperty("qemu.startTime", Long.toString(startTime));
        putList(p, "hotplug.channel", hotplugChannels);
        putDisks(p, "hotplug.disk", hotplugDisks);
        putList(p, "hotplug.nic", hotplugNics.stream().map(n -> n.name() + " " + n.mac()).toList());
        p.setProperty("qemu.sharedMemory", Boolean.toString(sharedMemory));
        putList(p, "hotplug.filesystem", hotplugFilesystems);
        return p;
    }

    static RunRecord fromProperties(Properties p) {
        String format = required(p, "format");
        if (!format.equals(Integer.toString(FORMAT))) {
            throw new IllegalArgumentException("record format " + format + " is not the supported " + FORMAT);
        }
        String consoleLog = p.getProperty("consoleLog");
        VmConfig config = new VmConfig(required(p, "name"), Path.of(required(p, "kernel")),
                Path.of(required(p, "initrd")), list(p, "kernelArg"), list(p, "initArg"),
                Integer.parseInt(required(p, "memoryMiB")), Integer.parseInt(required(p, "cpus")),
                Accel.valueOf(required(p, "accel")), list(p, "channel"), disks(p, "disk"),
                consoleLog == null ? null : Path.of(consoleLog), uplink(p.getProperty("uplink")),
                p.getProperty("mappedImage") == null ? null : Path.of(p.getProperty("mappedImage")));
        List<String> hot = list(p, "hotplug.channel");
        hot.forEach(VmConfig::checkChannelName);
        return new RunRecord(config, Path.of(required(p, "qemu.binary")), Accel.valueOf(required(p, "qemu.accel")),
                Path.of(required(p, "qemu.consoleLog")), Long.parseLong(required(p, "qemu.pid")),
                Long.parseLong(required(p, "qemu.startTime")), hot, disks(p, "hotplug.disk"), nics(list(p, "hotplug.nic")),
                Boolean.parseBoolean(p.getProperty("qemu.sharedMemory", "false")), list(p, "hotplug.filesystem"));
    }

    private static List<NicSpec> nics(List<String> values) {
        List<NicSpec> out = new ArrayList<>();
        for (String v : values) {
            String[] f = v.split(" ");
            if (f.length != 2) {
                throw new IllegalArgumentException("a NIC must be a name and a MAC: " + v);
            }
            out.add(new NicSpec(f[0], f[1]));
        }
        return out;
    }

    private static Uplink uplink(String value) {
        if (value == null) {
            return null;
        }
        String[] f = value.split(" ");
        if (f.length != 5) {
            throw new IllegalArgumentException("uplink must be five words: " + value);
        }
        return new Uplink(f[0], f[1], f[2], f[3], f[4]);
    }

    static Path file(Path runDir) {
        return runDir.resolve(FILE);
    }

    /** Replaces the record in {@code runDir} atomically. */
    void write(Path runDir) throws VmException {
        Path target = file(runDir);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(runDir, FILE + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                Writer w = Channels.newWriter(ch, StandardCharsets.UTF_8);
                toProperties().store(w, "skiff VM record: written by the QEMU driver, read when a daemon attaches again");
                w.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the run folder goes when the VM does
                }
            }
            throw new VmException("failed to write the VM record " + target + ": " + e, e);
        }
    }

    /** Reads the record in {@code runDir}; {@link NoSuchFileException} when there is none. */
    static RunRecord read(Path runDir) throws IOException {
        Path f = file(runDir);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return fromProperties(p);
        } catch (RuntimeException e) {
            throw new VmException("VM record " + f + " is not valid: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static void putList(Properties p, String key, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            p.setProperty(key + "." + i, values.get(i));
        }
    }

    private static List<String> list(Properties p, String key) {
        return indexed(p, key, k -> p.getProperty(k));
    }

    private static void putDisks(Properties p, String key, List<DiskSpec> disks) {
        for (int i = 0; i < disks.size(); i++) {
            DiskSpec d = disks.get(i);
            p.setProperty(key + "." + i + ".image", d.image().toString());
            p.setProperty(key + "." + i + ".serial", d.serial());
            p.setProperty(key + "." + i + ".readOnly", Boolean.toString(d.readOnly()));
        }
    }

    private static List<DiskSpec> disks(Properties p, String key) {
        return indexed(p, key, k -> p.getProperty(k + ".image") == null ? null
                : new DiskSpec(Path.of(p.getProperty(k + ".image")), required(p, k + ".serial"),
                        Boolean.parseBoolean(required(p, k + ".readOnly"))));
    }

    /** Values at {@code key.0}, {@code key.1}, ... up to the first missing index. */
    private static <T> List<T> indexed(Properties p, String key, Function<String, T> at) {
        List<T> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            T v = at.apply(key + "." + i);
            if (v == null) {
                return out;
            }
            out.add(v);
        }
    }
}
