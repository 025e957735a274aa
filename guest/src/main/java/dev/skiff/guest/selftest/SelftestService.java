package dev.skiff.guest.selftest;

import dev.skiff.guest.Main;
import dev.skiff.guest.devices.BlockDevices;
import dev.skiff.guest.devices.VirtioPorts;
import dev.skiff.sys.Mounts;
import dev.skiff.sys.Power;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import dev.skiff.guest.share.NinePMount;

/** The guest's end of {@link SelftestProtocol}: reads requests from the control port and answers. */
public final class SelftestService {

    private static final Duration DEVICE_TIMEOUT = Duration.ofSeconds(30);
    private static final Path SYS = Path.of("/sys"), DEV = Path.of("/dev");

    private final Path port;
    private final ProcessCommands processes = new ProcessCommands();
    private final FsCommands fs = new FsCommands();

    public SelftestService(Path port) {
        this.port = port;
    }

    /**
     * Serves until POWEROFF. A host that disconnects may reconnect; requests resume then.
     * Requests are served one at a time, in order.
     */
    public void serve() throws IOException {
        try (FileChannel channel = FileChannel.open(port, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            InputStream in = Channels.newInputStream(channel);
            OutputStream out = Channels.newOutputStream(channel);
            while (true) {
                String line;
                try {
                    line = LineIo.readLine(in);
                } catch (IOException e) {
                    LineIo.writeLine(out, "ERR " + e.getMessage());
                    continue;
                }
                if (line == null) {
                    awaitHost();
                    continue;
                }
                String reply;
                try {
                    reply = handle(line.strip().split(" +"));
                } catch (IOException | RuntimeException e) {
                    reply = "ERR " + oneLine(e);
                }
                LineIo.writeLine(out, reply);
                if (line.strip().equals(SelftestProtocol.POWEROFF)) {
                    Main.log("power off requested by the host");
                    Power.powerOff();
                }
            }
        }
    }

    private String handle(String[] words) throws IOException {
        return switch (words[0]) {
            case SelftestProtocol.PING -> "OK " + Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip()
                    + " " + Files.readString(Path.of("/proc/uptime")).split(" ")[0];
            case SelftestProtocol.ECHO -> {
                need(words, 2);
                Path node = VirtioPorts.awaitPort(SYS, DEV, words[1], DEVICE_TIMEOUT);
                FileChannel echo = FileChannel.open(node, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Thread.ofPlatform().daemon().name("echo-" + words[1]).start(() -> echo(echo, words[1]));
                yield "OK";
            }
            case SelftestProtocol.MOUNT -> {
                need(words, 4);
                dev.skiff.guest.boot.Boot.awaitModules(DEVICE_TIMEOUT);
                Path disk = BlockDevices.awaitDisk(SYS, DEV, words[1], DEVICE_TIMEOUT);
                Files.createDirectories(Path.of(words[3]));
                Mounts.mount(disk.toString(), words[3], words[2], Mounts.MS_RDONLY, null);
                yield "OK " + disk;
            }
            case SelftestProtocol.SHA256 -> {
                need(words, 2);
                yield "OK " + sha256(Path.of(words[1]));
            }
            case SelftestProtocol.POWEROFF -> "OK";
            case SelftestProtocol.MOUNT9P -> {
                if (words.length != 4 && words.length != 5) {
                    throw new IllegalArgumentException("MOUNT9P takes PORT ANAME DIR [ro]");
                }
                NinePMount.mount(words[1], words[2].equals("-") ? "" : words[2], Path.of(words[3]),
                        words.length == 5 && words[4].equals("ro"), DEVICE_TIMEOUT);
                yield "OK";
            }
            case SelftestProtocol.MOUNTVFS -> {
                if (words.length != 3 && words.length != 4) {
                    throw new IllegalArgumentException("MOUNTVFS takes TAG DIR [ro]");
                }
                // modules already in are skipped, so a second mount loads nothing
                dev.skiff.guest.boot.Boot.loadModuleList(Path.of("/"), dev.skiff.guest.boot.Boot.VIRTIOFS_MODULES,
                        DEVICE_TIMEOUT);
                dev.skiff.guest.share.VirtioFsMount.mount(words[1], Path.of(words[2]),
                        words.length == 4 && words[3].equals("ro"), DEVICE_TIMEOUT);
                yield "OK";
            }
            case SelftestProtocol.RUN -> {
                need(words, 2);
                yield processes.run(words[1]);
            }
            case SelftestProtocol.START -> {
                need(words, 3);
                yield processes.start(words[1], words[2]);
            }
            case SelftestProtocol.JAVA -> {
                if (words.length < 3) {
                    throw new IllegalArgumentException("JAVA takes ID MAINCLASS ARG...");
                }
                yield processes.java(words[1], words[2], List.of(words).subList(3, words.length));
            }
            case SelftestProtocol.WAIT -> {
                need(words, 3);
                yield processes.await(words[1], Integer.parseInt(words[2]));
            }
            case SelftestProtocol.KILL -> {
                need(words, 2);
                yield processes.kill(words[1]);
            }
            case SelftestProtocol.FS -> {
                if (words.length < 3) {
                    throw new IllegalArgumentException("FS takes an operation and its arguments");
                }
                yield fs.handle(words);
            }
            default -> "ERR unknown request " + words[0];
        };
    }

    private static void need(String[] words, int count) {
        if (words.length != count) {
            throw new IllegalArgumentException(words[0] + " takes " + (count - 1) + " argument(s)");
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
                size += n;
            }
        }
        return HexFormat.of().formatHex(digest.digest()) + " " + size;
    }

    private static void echo(FileChannel channel, String name) {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try (channel) {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    awaitHost();
                    continue;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            Main.log("echo on " + name + " ended: " + e.getMessage());
        }
    }

    /** A virtio port reads end-of-stream while no host is connected; wait a little for one. */
    private static void awaitHost() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replace('\n', ' ');
    }
}
