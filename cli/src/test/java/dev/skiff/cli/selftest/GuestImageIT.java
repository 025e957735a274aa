package dev.skiff.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.image.GuestImageBuilder;
import dev.skiff.image.ImageCache;
import dev.skiff.image.AgentProgram;
import java.io.IOException;
import java.io.InputStream;
import dev.skiff.image.initrd.Lz4LegacyInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;

/** The guest image from real Debian packages: within budget, holding what it must, reproducible. */
class GuestImageIT {
    /**
     * The initrd is what every boot copies into guest RAM and unpacks, and what stays in that RAM
     * for the VM's life (its tmpfs root). The kernel is unpacked at build for a PVH boot (KernelImage:
     * about 4 s less per boot under TCG), 66 MB long with half of it holes on disk, so it has its own
     * limit. Everything but what mounts /opt (the Java runtime and the agent, runc, crun, nft, their
     * libraries, most modules: 110 MB) is in /opt's EROFS image, which the guest maps in place from a
     * virtio-pmem device (DAX): the budget holds the initrd to busybox, the init script and the
     * modules it loads (3 MB unpacked).
     */
    private static final long INITRD_BUDGET = 5_000_000, UNPACKED_BUDGET = 8_000_000;
    private static final long KERNEL_LIMIT = 80_000_000;

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    @Test
    void imageIsWithinBudgetAndHoldsTheBootPathPieces() throws Exception {
        GuestImageBuilder.Result r = Images.selftest(System.out);
        assertTrue(r.initrdBytes() <= INITRD_BUDGET, "initrd = " + r.initrdBytes() + " bytes, over 5 MB");
        assertTrue(r.kernelBytes() <= KERNEL_LIMIT, "kernel = " + r.kernelBytes() + " bytes, over 80 MB");
        List<String> names = new ArrayList<>();
        StringBuilder loadedByBoot = new StringBuilder();
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new Lz4LegacyInputStream(Files.newInputStream(r.image().initrd())))) {
            CpioArchiveEntry e;
            long unpacked = 0;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
                unpacked += e.getSize();
                if (e.getName().equals("etc/skiff/modules") || e.getName().equals("etc/skiff/modules.boot")) {
                    loadedByBoot.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            assertTrue(unpacked <= UNPACKED_BUDGET, "the initrd unpacks to " + unpacked + " bytes, over 8 MB");
        }
        for (String net : List.of("virtio_net.ko", "bridge.ko", "nf_tables.ko", "nf_conntrack.ko", "9p.ko", "9pnet_fd.ko")) {
            assertTrue(!loadedByBoot.toString().contains("/" + net), net + " must load on demand, not at or after boot");
        }
        // /opt's image, extracted by Debian's fsck.erofs (which checks every file's data on the way)
        Path extracted = tmp.resolve("opt");
        run("fsck.erofs", "--extract=" + extracted, r.image().optImage().toString());
        List<String> inOpt;
        try (var walk = Files.walk(extracted)) {
            inOpt = walk.filter(p -> !p.equals(extracted)).map(p -> "opt/" + extracted.relativize(p)).toList();
        }
        for (String must : List.of("init", "opt", "bin/busybox", "etc/skiff/java.args", "etc/skiff/modules.init",
                "etc/skiff/modules", "etc/skiff/modules.boot", "etc/skiff/modules.net", "etc/skiff/modules.9p", "usr", "lib64",
                "lib/x86_64-linux-gnu")) {
            assertTrue(names.contains(must), "initrd lacks " + must);
        }
        for (String must : List.of("opt/java/bin/java", "opt/java/lib/server/libjvm.so", "opt/java/lib/skiff.jsa",
                "opt/usr/sbin/runc", "opt/usr/bin/crun", "opt/usr/sbin/nft", "opt/lib64/ld-linux-x86-64.so.2",
                "opt/lib/x86_64-linux-gnu/libc.so.6", "opt/lib/x86_64-linux-gnu/libyajl.so.2",
                "opt/lib/x86_64-linux-gnu/libseccomp.so.2", "opt/lib/x86_64-linux-gnu/libnftables.so.1")) {
            assertTrue(inOpt.contains(must), "/opt's image lacks " + must.substring(3));
        }
        assertTrue(names.stream().noneMatch(n -> n.startsWith("opt/")), "/opt is the mapped image's, not the initrd's");
        for (String module : List.of("9pnet_fd.ko", "9p.ko", "overlay.ko", "ext4.ko", "virtio_blk.ko", "virtio_console.ko",
                "virtio_net.ko", "bridge.ko", "veth.ko", "nf_tables.ko", "nft_nat.ko",
                "nft_masq.ko", "nft_chain_nat.ko", "nf_conntrack.ko")) {
            assertTrue(inOpt.stream().anyMatch(n -> n.endsWith("/" + module)), "/opt's image lacks module " + module);
        }
        for (String module : List.of("virtio_pci.ko", "virtio_pmem.ko", "nd_pmem.ko", "libnvdimm.ko", "erofs.ko")) {
            assertTrue(names.stream().anyMatch(n -> n.endsWith("/" + module)),
                    "initrd lacks module " + module + ", which its init needs to mount /opt");
        }
        assertEquals(names.stream().sorted().toList(), names, "entries are sorted");
    }

    /**
     * /opt's image: whole 2 MiB long (how a pmem
     * namespace is mapped), holding the JVM and the agent, every file in whole blocks (layout 0,
     * FLAT_PLAIN: the only layout Linux's EROFS maps in place; a tail packed after the inode would
     * be read into the guest's page cache instead).
     */
    @Test
    void optIsAMappableErofsImageWithTheJavaRuntimeAndTheAgent() throws Exception {
        GuestImageBuilder.Result r = Images.selftest(System.out);
        Path opt = r.image().optImage();
        assertTrue(opt != null && Files.isRegularFile(opt), "the image has no /opt image: " + opt);
        assertEquals(0, Files.size(opt) % (2 << 20), "size " + Files.size(opt) + " is not whole 2 MiB");
        for (String file : List.of("/java/bin/java", "/java/lib/server/libjvm.so", "/java/lib/skiff.jsa", "/java/lib/modules",
                "/java/release", "/skiff/lib")) {
            String dump = run("dump.erofs", "--path=" + file, opt.toString());
            assertTrue(file.equals("/skiff/lib") || dump.contains("Layout: 0 "), file + " is not laid out in whole blocks:\n" + dump);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    @Test
    void rebuildingFromTheSameInputsGivesTheSameBytes() throws IOException {
        GuestImageBuilder builder = new GuestImageBuilder(ImageCache.root(), s -> { });
        GuestImageBuilder.Result first = builder.build(AgentProgram.get());
        assertEquals("vmlinux", first.image().kernel().getFileName().toString(),
                "Debian's kernel is unpacked for a PVH boot (no XZ decompression under TCG at every boot)");
        String kernel = sha256(first.image().kernel()), initrd = sha256(first.image().initrd()),
                opt = sha256(first.image().optImage());
        GuestImageBuilder.Result again = builder.build(AgentProgram.get(), true);
        assertEquals(first.image().initrd(), again.image().initrd(), "same inputs, same cache entry");
        assertEquals(kernel, sha256(again.image().kernel()));
        assertEquals(initrd, sha256(again.image().initrd()), "a forced rebuild changed the initrd's bytes");
        assertEquals(opt, sha256(again.image().optImage()), "a forced rebuild changed /opt's image");
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
