package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker cp through the real docker CLI against a real `skiff daemon`, each case in the shared VM
 * and with --isolation=hyperv: files and folders into and out of a created (never started)
 * container, a running one and a stopped one, seen by the container's process and taken from
 * what it wrote; a tar on stdin with and without -a (owners); Docker's errors for a missing path
 * and an unknown container; a 50 MB file there and back with its checksum.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCpIT extends DaemonIT {
    private static final List<String> MODES = List.of("shared", "hyperv");
    private static final Duration READY = Duration.ofMinutes(3);



    private static String[] run(String verb, String mode, String... tail) {
        List<String> all = new ArrayList<>(List.of(verb.split(" ")));
        if (mode.equals("hyperv")) {
            all.add("--isolation=hyperv");
        }
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    /** A host folder: hello.txt, and dir/ with a.txt and sub/b.txt. */
    private static Path hostTree(String name) throws Exception {
        Path d = Files.createDirectories(base.resolve("host-" + name));
        Files.writeString(d.resolve("hello.txt"), "hello " + name + "\n");
        Files.createDirectories(d.resolve("dir/sub"));
        Files.writeString(d.resolve("dir/a.txt"), "a of " + name + "\n");
        Files.writeString(d.resolve("dir/sub/b.txt"), "b of " + name + "\n");
        return d;
    }

    /** Waits until a command in the container succeeds (the container's own writes are the event). */
    private static void awaitExec(String container, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(List.of(cmd));
        long deadline = System.nanoTime() + READY.toNanos();
        while (daemon.docker(args, null).code() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(String.join(" ", args) + " never succeeded; daemon log:\n" + daemon.logTail());
            }
            Thread.sleep(200); // the probe is the event: nothing announces a write inside the container
        }
    }

    @Test
    @Order(1)
    void intoAndOutOfACreatedContainerBeforeItsFirstStart() throws Exception {
        for (String mode : MODES) {
            String name = "cp-created-" + mode;
            Path host = hostTree(name);
            ok(run("create --name " + name, mode, "busybox", "cat", "/tmp/hello.txt", "/tmp/dir/a.txt",
                    "/tmp/dir/sub/b.txt"));
            ok("cp", host.resolve("hello.txt").toString(), name + ":/tmp/hello.txt");
            ok("cp", host.resolve("dir").toString(), name + ":/tmp/dir");
            Path out = Files.createDirectories(base.resolve("out-" + name));
            ok("cp", name + ":/tmp/dir", out.toString());
            assertEquals("b of " + name + "\n", Files.readString(out.resolve("dir/sub/b.txt")), mode);
            ok("cp", name + ":/etc/passwd", out.resolve("passwd").toString());
            assertTrue(Files.readString(out.resolve("passwd")).startsWith("root:"), "the image's files, " + mode);

            DaemonProcess.Result started = ok("start", "-a", name);
            assertEquals("hello " + name + "\na of " + name + "\nb of " + name + "\n", started.out(),
                    "the process sees what docker cp wrote before its start, " + mode);
        }
    }

    @Test
    @Order(2)
    void intoAndOutOfARunningContainer() throws Exception {
        for (String mode : MODES) {
            String name = "cp-running-" + mode;
            Path host = hostTree(name);
            ok(run("run -d --name " + name, mode, "busybox", "sh", "-c",
                    "mkdir -p /srv/tree/x && echo y > /srv/tree/x/y && echo made-inside > /srv/inside.txt && exec sleep 1000"));
            awaitExec(name, "test", "-f", "/srv/inside.txt");
            Path out = Files.createDirectories(base.resolve("out-" + name));
            ok("cp", name + ":/srv/inside.txt", out.toString());
            assertEquals("made-inside\n", Files.readString(out.resolve("inside.txt")), mode);
            ok("cp", name + ":/srv/tree", out.resolve("tree").toString());
            assertEquals("y\n", Files.readString(out.resolve("tree/x/y")), mode);
            ok("cp", name + ":/bin/sh", out.resolve("sh").toString());
            assertTrue(Files.isSymbolicLink(out.resolve("sh")), "a symlink is copied as a symlink, " + mode);

            ok("cp", host.resolve("dir").toString(), name + ":/srv/");
            assertEquals("b of " + name + "\n", ok("exec", name, "cat", "/srv/dir/sub/b.txt").out(), mode);
            assertEquals("0:0\n", ok("exec", name, "stat", "-c", "%u:%g", "/srv/dir/a.txt").out(),
                    "without -a files belong to the container's root, " + mode);
        }
    }

    @Test
    @Order(3)
    void intoAndOutOfAStoppedContainer() throws Exception {
        for (String mode : MODES) {
            String name = "cp-stopped-" + mode;
            Path host = hostTree(name);
            DaemonProcess.Result first = ok(run("run --name " + name, mode, "busybox", "sh", "-c",
                    "cat /tmp/hello.txt 2>/dev/null; echo bye > /tmp/out.txt"));
            assertEquals("", first.out());
            Path out = Files.createDirectories(base.resolve("out-" + name));
            ok("cp", name + ":/tmp/out.txt", out.toString());
            assertEquals("bye\n", Files.readString(out.resolve("out.txt")), "what the process wrote, " + mode);

            ok("cp", host.resolve("hello.txt").toString(), name + ":/tmp/");
            assertEquals("hello " + name + "\n", ok("start", "-a", name).out(),
                    "the next run sees what docker cp wrote while it was stopped, " + mode);
        }
    }

    @Test
    @Order(4)
    void tarOnStdinWithAndWithoutArchiveMode() throws Exception {
        Path src = Files.createDirectories(base.resolve("owned"));
        Files.writeString(src.resolve("f.txt"), "owned\n");
        Process tar = new ProcessBuilder("tar", "-c", "--owner=1234", "--group=2345", "-C", src.toString(), "f.txt")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] archive = tar.getInputStream().readAllBytes();
        assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar failed");
        for (String mode : MODES) {
            String name = "cp-owned-" + mode;
            ok(run("run -d --name " + name, mode, "busybox", "sleep", "1000"));
            ok("exec", name, "mkdir", "-p", "/keep", "/root0");
            DaemonProcess.Result kept = daemon.docker(List.of("cp", "-a", "-", name + ":/keep"), archive);
            assertEquals(0, kept.code(), kept.err());
            assertEquals("1234:2345\n", ok("exec", name, "stat", "-c", "%u:%g", "/keep/f.txt").out(), "-a keeps owners, " + mode);
            DaemonProcess.Result plain = daemon.docker(List.of("cp", "-", name + ":/root0"), archive);
            assertEquals(0, plain.code(), plain.err());
            assertEquals("0:0\n", ok("exec", name, "stat", "-c", "%u:%g", "/root0/f.txt").out(), mode);
            assertEquals("owned\n", ok("exec", name, "cat", "/root0/f.txt").out(), mode);
        }
    }

    @Test
    @Order(5)
    void dockersErrorsForAMissingPathAndAnUnknownContainer() throws Exception {
        for (String mode : MODES) {
            String name = "cp-errors-" + mode;
            ok(run("create --name " + name, mode, "busybox", "true"));
            DaemonProcess.Result missing = docker("cp", name + ":/no/such/file", base.resolve("x").toString());
            assertNotEquals(0, missing.code());
            assertTrue(missing.err().contains("Could not find the file /no/such/file in container " + name), missing.err());
            DaemonProcess.Result intoMissing = docker("cp", hostTree(name).resolve("hello.txt").toString(),
                    name + ":/no/such/dir/");
            assertNotEquals(0, intoMissing.code());
        }
        DaemonProcess.Result ghost = docker("cp", "ghost-container:/etc/passwd", base.resolve("y").toString());
        assertNotEquals(0, ghost.code());
        assertTrue(ghost.err().contains("No such container: ghost-container"), ghost.err());
        DaemonProcess.Result ghostIn = docker("cp", hostTree("ghost").resolve("hello.txt").toString(), "ghost-container:/tmp/x.txt");
        assertNotEquals(0, ghostIn.code());
        assertTrue(ghostIn.err().contains("No such container: ghost-container"), ghostIn.err());
    }

    @Test
    @Order(6)
    void fiftyMegabytesThereAndBack() throws Exception {
        byte[] big = new byte[50 << 20];
        new Random(17).nextBytes(big);
        Path file = base.resolve("big.bin");
        Files.write(file, big);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big));
        for (String mode : MODES) {
            String name = "cp-big-" + mode;
            ok(run("run -d --name " + name, mode, "busybox", "sleep", "1000"));
            ok("cp", file.toString(), name + ":/tmp/big.bin");
            assertEquals(sha, ok("exec", name, "sha256sum", "/tmp/big.bin").out().split(" ")[0], mode);
            Path back = base.resolve("back-" + mode + ".bin");
            ok("cp", name + ":/tmp/big.bin", back.toString());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(big),
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(back)), mode);
            ok("rm", "-f", name);
        }
    }
}
