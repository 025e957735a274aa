package dev.skiff.cli.selftest;

import dev.skiff.image.GuestImage;
import dev.skiff.image.GuestImageBuilder;
import dev.skiff.image.ImageCache;
import dev.skiff.image.debian.DebArchive;
import dev.skiff.image.debian.DebianPackage;
import dev.skiff.image.initrd.CpioWriter;
import dev.skiff.image.initrd.InitrdTree;
import dev.skiff.vm.Accel;
import dev.skiff.vm.qemu.AccelProbe;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * {@code skiff vm bench}: start-to-guest-ready of the Skiff image (QEMU start, kernel, JVM as
 * init, module loading, first answer on the control channel) against a bare QEMU boot of the same
 * kernel to a busybox init that prints a line. Same machine type, memory, vCPUs and acceleration;
 * the runs alternate so that drift on a noisy host hits both alike. Prints medians and the ratio.
 */
public final class BootBenchmark {
    private BootBenchmark() {}

    static final String MARKER = "SKIFF-BARE-READY";

    public static void run(int runs, PrintStream out) throws IOException, InterruptedException {
        GuestImageBuilder.Result built = Images.selftest(out);
        GuestImage image = built.image();
        Path qemu = dev.skiff.vm.qemu.QemuDriver.findBinary();
        Accel accel = AccelProbe.resolve(Accel.AUTO, qemu, image.kernel());
        Path bare = bareInitrd(built.packages());
        List<Double> bareTimes = new ArrayList<>(), skiffTimes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            bareTimes.add(bareBoot(qemu, accel, image.kernel(), bare));
            skiffTimes.add(skiffBoot(image, out));
            out.printf("run %d: bare %.2f s, skiff %.2f s%n", i + 1, bareTimes.getLast(), skiffTimes.getLast());
        }
        double b = median(bareTimes), s = median(skiffTimes);
        out.printf("%nboot to ready, median of %d (%s):%n", runs, accel);
        out.printf("  bare QEMU + kernel + busybox init   %6.2f s%n", b);
        out.printf("  skiff guest (JVM init, control ping) %6.2f s%n", s);
        out.printf("  ratio skiff / bare                   %6.2f%n", s / b);
        Files.deleteIfExists(bare);
    }

    private static double skiffBoot(GuestImage image, PrintStream out) throws IOException {
        long t0 = System.nanoTime();
        try (GuestSession s = GuestSession.start(GuestSession.config("bench", image, List.of()))) {
            s.call("PING");
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static double bareBoot(Path qemu, Accel accel, Path kernel, Path initrd) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-nodefaults", "-no-user-config", "-display", "none",
                "-no-reboot", "-machine", "pc", "-m", "512", "-smp", "2", "-kernel", kernel.toString(),
                "-initrd", initrd.toString(), "-append", "console=ttyS0 quiet panic=-1", "-serial", "stdio"));
        cmd.addAll(accel == Accel.KVM ? List.of("-accel", "kvm", "-cpu", "host") : List.of("-accel", "tcg,thread=" + dev.skiff.vm.qemu.QemuCommandLine.tcgThreads() + ",tb-size=" + dev.skiff.vm.qemu.QemuCommandLine.tcgTranslationMiB(), "-cpu", "max"));  // as Skiff's own VMs
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains(MARKER)) {
                    double t = (System.nanoTime() - t0) / 1e9;
                    p.waitFor(60, TimeUnit.SECONDS);
                    return t;
                }
            }
            throw new IOException("bare boot ended without printing " + MARKER);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** busybox and a three-line /init, from the same busybox-static package the image uses. */
    private static Path bareInitrd(List<DebianPackage> packages) throws IOException {
        DebianPackage busybox = packages.stream().filter(p -> p.name().equals("busybox-static")).findFirst().orElseThrow();
        Path tree = DebArchive.unpack(busybox, ImageCache.root().resolve("debs"));
        Path init = Files.createTempFile("skiff-bare-init", ".sh");
        Files.writeString(init, "#!/bin/busybox sh\n/bin/busybox echo " + MARKER + "\n/bin/busybox poweroff -f\n");
        InitrdTree t = new InitrdTree();
        t.file("/bin/busybox", tree.resolve("bin/busybox"), 0755, "busybox");
        t.file("/init", init, 0755, "init");
        Path out = Files.createTempFile("skiff-bare", ".img");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(out))) {
            new CpioWriter(gz, 0).write(t);
        }
        Files.delete(init);
        return out;
    }

    /** The median of some timings (the mean of the middle two for an even count). */
    public static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
