package dev.skiff.vm.qemu;

import dev.skiff.vm.Accel;
import dev.skiff.vm.VmException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decides the acceleration for {@link Accel#AUTO}. A /dev/kvm that opens is not enough: some hosts
 * expose one that hangs ordinary kernels. So the probe boots the very kernel to be used under KVM
 * with no initrd and a root that does not exist; a working KVM reaches the kernel's "VFS: Unable
 * to mount root" panic in well under a second. If that does not happen within
 * {@link #PROBE_TIMEOUT}, KVM is declared unusable and TCG is used, with a one-line notice. The
 * answer is remembered per kernel for the life of this process.
 */
public final class AccelProbe {
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Map<Path, Accel> DECIDED = new ConcurrentHashMap<>();

    private AccelProbe() {}

    public static Accel resolve(Accel wanted, Path qemu, Path kernel, Consumer<String> notices) throws VmException {
        return switch (wanted) {
            case TCG -> Accel.TCG;
            case KVM -> {
                String why = kvmProblem(qemu, kernel);
                if (why != null) {
                    throw new VmException("KVM was asked for but does not work here: " + why);
                }
                yield Accel.KVM;
            }
            case HVF, WHPX -> throw new VmException(wanted + " acceleration is not available on this host ("
                    + System.getProperty("os.name") + "); use --accel=auto or tcg");
            case AUTO -> DECIDED.computeIfAbsent(kernel, k -> {
                String why = kvmProblem(qemu, k);
                if (why == null) {
                    return Accel.KVM;
                }
                notices.accept("skiff: KVM not usable (" + why + "); using TCG software emulation, which is slower");
                return Accel.TCG;
            });
        };
    }

    /** Null if KVM boots this kernel; otherwise why not. */
    static String kvmProblem(Path qemu, Path kernel) {
        Path dev = Path.of("/dev/kvm");
        if (!Files.exists(dev)) {
            return "/dev/kvm is missing";
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            return "no permission on /dev/kvm";
        }
        List<String> cmd = List.of(qemu.toString(), "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-accel", "kvm", "-cpu", "host", "-m", "256", "-kernel", kernel.toString(),
                "-append", "console=ttyS0 panic=-1 root=/dev/skiff-probe-none", "-serial", "stdio");
        Process p = null;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Process proc = p;
            StringBuilder seen = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (InputStream in = proc.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (seen) {
                            seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            boolean exited = p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            reader.join(1000);
            String out;
            synchronized (seen) {
                out = seen.toString();
            }
            if (out.contains("Kernel panic") || out.contains("VFS:")) {
                return null;
            }
            return exited ? "QEMU with KVM exited before the kernel booted: " + lastLine(out)
                    : "a kernel did not boot under KVM within " + PROBE_TIMEOUT.toSeconds() + " s";
        } catch (IOException e) {
            return "cannot run " + qemu + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                p.destroyForcibly();
            }
            return "interrupted";
        }
    }

    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
