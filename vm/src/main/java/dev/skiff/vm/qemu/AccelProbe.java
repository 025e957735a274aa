package dev.skiff.vm.qemu;

import dev.skiff.vm.Accel;
import dev.skiff.vm.VmException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Decides the acceleration for {@link Accel#AUTO}. A /dev/kvm that opens is not enough: some hosts
 * expose one that hangs ordinary kernels. So the probe boots the very kernel to be used under KVM
 * with no initrd and a root that does not exist; a working KVM reaches the kernel's "VFS: Unable
 * to mount root" panic in well under a second. If that does not happen within
 * {@link #PROBE_TIMEOUT}, KVM is declared unusable and TCG is used, with a one-line notice. The
 * answer is remembered per kernel for the life of this process.
 */
public final class AccelProbe {
    private static final Logger LOG = System.getLogger(AccelProbe.class.getName());
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Map<Path, Accel> DECIDED = new ConcurrentHashMap<>();

    private AccelProbe() {}

    public static Accel resolve(Accel wanted, Path qemu, Path kernel) throws VmException {
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
                String why = remembered(k).orElseGet(() -> remember(k, kvmProblem(qemu, k)));
                if (why.isEmpty()) {
                    return Accel.KVM;
                }
                LOG.log(Level.WARNING, "skiff: KVM not usable (" + why
                        + "); using TCG software emulation, which is slower");
                return Accel.TCG;
            });
        };
    }

    /**
     * A boot probe costs up to {@link #PROBE_TIMEOUT}, so its answer is kept in the run folder
     * (cleared at host reboot, when KVM's state may change) under the kernel's path, size and
     * modification time. A missing /dev/kvm is cheap to see and never kept.
     */
    private static java.util.Optional<String> remembered(Path kernel) {
        if (!Files.exists(Path.of("/dev/kvm"))) {
            return java.util.Optional.of("/dev/kvm is missing");
        }
        try {
            Path memo = memo(kernel);
            return Files.exists(memo) ? java.util.Optional.of(Files.readString(memo).strip()) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static String remember(Path kernel, String problem) {
        String answer = problem == null ? "" : problem;
        try {
            Path memo = memo(kernel);
            Files.createDirectories(memo.getParent());
            Files.writeString(memo, answer + "\n");
        } catch (IOException ignored) {
            // not remembered: the next process probes again
        }
        return answer;
    }

    private static Path memo(Path kernel) throws IOException {
        String key = kernel.toAbsolutePath() + "|" + Files.size(kernel) + "|" + Files.getLastModifiedTime(kernel).toMillis();
        return dev.skiff.vm.RunDirs.base().resolve("kvm-probe")
                .resolve(java.util.HexFormat.of().toHexDigits(key.hashCode()) + ".txt");
    }

    /** Null if KVM boots this kernel; otherwise why not. */
    static String kvmProblem(Path qemu, Path kernel) {
        return kvmProblem(qemu, kernel, Path.of("/dev/kvm"), PROBE_TIMEOUT);
    }

    static String kvmProblem(Path qemu, Path kernel, Path dev, Duration timeout) {
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
            boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                // A QEMU stuck inside a KVM ioctl may not die at once; do not wait on it forever.
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
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
                    : "a kernel did not boot under KVM within " + timeout.toSeconds() + " s";
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
