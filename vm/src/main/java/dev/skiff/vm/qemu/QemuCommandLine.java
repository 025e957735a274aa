package dev.skiff.vm.qemu;

import dev.skiff.vm.Accel;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.VmConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds QEMU's argv from a typed config. Nothing here runs anything, so tests can check the
 * exact command line. Choices:
 * <ul>
 *   <li>{@code -nodefaults -display none}: no VGA, no default NIC, serial or monitor; the only
 *       network card is the config's {@link dev.skiff.vm.Uplink}, on QEMU's user networking (no
 *       option ROM: the guest boots from -kernel);</li>
 *   <li>the i440FX {@code pc} machine: its root bus takes ACPI PCI hot-plug, which disk hot-plug
 *       needs, with no extra root ports;</li>
 *   <li>{@code -no-reboot}: a guest reboot ends QEMU, so every guest-side end is one exit.</li>
 * </ul>
 */
public final class QemuCommandLine {
    private QemuCommandLine() {}

    /** The virtio-serial controller every VM has; hot-plugged ports join its bus. */
    static final String SERIAL_BUS = "vser0";
    /**
     * The SCSI controller that hot-plugged disks (image layers) go on. A virtio-blk disk takes a
     * slot of the PCI bus, which has 32 with several taken, so a VM could hold about 25 layers in
     * all; the controller's bus has 256 targets on one slot, and a SCSI hot-plug is a message on its
     * event queue rather than an ACPI PCI hot-plug.
     */
    static final String SCSI_BUS = "scsi0";

    /** The uplink's netdev id, which host forwards name. */
    static final String UPLINK_NETDEV = "uplink";

    /** The PCI bridge virtio-fs devices are hot-plugged on: 31 slots of their own, none of the root bus's. */
    static final String FS_BRIDGE = "fsbr0";

    /**
     * Everything the driver decided before building the line.
     *
     * @param sharedMemory back the guest's RAM with a shared memfd (and give virtio-fs devices a
     *        bridge), so that a vhost-user back-end in another process can map it
     */
    record Plan(Path binary, Accel accel, VmConfig config, Path qmpSocket, Path consoleLog, Path runDir,
                boolean sharedMemory, Templating templating) {
        Plan(Path binary, Accel accel, VmConfig config, Path qmpSocket, Path consoleLog, Path runDir,
             boolean sharedMemory) {
            this(binary, accel, config, qmpSocket, consoleLog, runDir, sharedMemory, null);
        }
    }

    /**
     * A VM that becomes a template, or starts from one (see {@link dev.skiff.vm.VmTemplate}). Both
     * have the same devices and the same memory layout, which the snapshot needs: the guest's RAM
     * in a file, shared (the template's file; a new VM's copy of it), so that the snapshot leaves
     * it out (x-ignore-shared); the mapped image shared as well (read-only, so nothing changes but
     * that the snapshot leaves it out too); and a VM generation ID device, whose new ID tells the
     * guest's kernel it is a new VM (it reseeds its random generator).
     *
     * @param ram the RAM file
     * @param incoming whether the VM waits for the template's device state (-incoming defer)
     */
    record Templating(Path ram, boolean incoming) {}

    /** The VM generation ID device's id: a new ID (guid=auto) for every QEMU process. */
    static final String VMGENID = "vmgenid0";

    /** The memory backend (and, with -dev, the virtio-pmem device) of the config's mapped image. */
    static final String MAPPED_IMAGE = "mapped0";

    /**
     * The mapped image's size, which its memory backend must state: the image builder pads it to
     * whole 2 MiB, the granularity a pmem namespace is mapped in.
     */
    static long mappedImageBytes(Path image) {
        try {
            return Files.size(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of the mapped image " + image, e);
        }
    }

    /** A hot-plugged virtio-fs device's vhost-user socket, where its back-end listens. */
    static Path filesystemSocket(Path runDir, String tag) {
        return runDir.resolve("fs-" + tag + ".sock");
    }

    static Path channelSocket(Path runDir, String channel) {
        return runDir.resolve("ch-" + channel + ".sock");
    }

    /** A hot-plugged NIC's stream socket: short, since unix socket paths are limited to 107 bytes. */
    static Path nicSocket(Path runDir, String nic) {
        return runDir.resolve("net-" + nic + ".sock");
    }

    static List<String> build(Plan plan) {
        VmConfig c = plan.config();
        List<String> a = new ArrayList<>();
        a.add(plan.binary().toString());
        a.addAll(List.of("-name", "skiff-" + c.name(), "-nodefaults", "-no-user-config", "-display", "none",
                "-no-reboot", "-machine", "pc"));
        switch (plan.accel()) {
            case KVM -> a.addAll(List.of("-accel", "kvm", "-cpu", "host"));
            case HVF -> a.addAll(List.of("-accel", "hvf", "-cpu", "host"));
            case WHPX -> a.addAll(List.of("-accel", "whpx"));
            case TCG -> a.addAll(List.of("-accel", "tcg,thread=" + tcgThreads() + ",tb-size=" + tcgTranslationMiB(),
                    "-cpu", tcgCpu()));
            case AUTO -> throw new IllegalArgumentException("acceleration must be resolved before building the command line");
        }
        if (c.mappedImage() == null) {
            a.addAll(List.of("-m", Integer.toString(c.memoryMiB()), "-smp", Integer.toString(c.cpus())));
        } else {
            // A pmem device lives in the machine's device-memory range, which maxmem sizes: room for
            // the image beside the RAM (a slot, not RAM the guest gets).
            long imageMiB = (mappedImageBytes(c.mappedImage()) + (1 << 20) - 1) >> 20;
            a.addAll(List.of("-m", c.memoryMiB() + "M,slots=1,maxmem=" + (c.memoryMiB() + imageMiB) + "M",
                    "-smp", Integer.toString(c.cpus())));
        }
        Templating t = plan.templating();
        if (t != null) {
            // the template's RAM file, or a new VM's copy of it: shared, so vhost-user back-ends map
            // it as they map a memfd, and free page reporting punches holes in it
            a.addAll(List.of("-object", "memory-backend-file,id=ram0,mem-path=" + opt(t.ram()) + ",share=on,size="
                    + c.memoryMiB() + "M", "-machine", "memory-backend=ram0"));
        } else if (plan.sharedMemory()) {
            // vhost-user (virtio-fs) back-ends read and write guest buffers in place: they map the
            // guest's RAM from the memfd QEMU passes them, which needs share=on. Free page reporting
            // still returns freed pages (QEMU punches holes in the memfd).
            a.addAll(List.of("-object", "memory-backend-memfd,id=ram0,share=on,size=" + c.memoryMiB() + "M",
                    "-machine", "memory-backend=ram0"));
        }
        a.addAll(List.of("-kernel", c.kernel().toString(), "-initrd", c.initrd().toString(), "-append", append(c)));
        a.addAll(List.of("-chardev", "file,id=console,path=" + opt(plan.consoleLog()), "-serial", "chardev:console"));
        a.addAll(List.of("-chardev", "socket,id=qmp,path=" + opt(plan.qmpSocket()) + ",server=on,wait=off",
                "-mon", "chardev=qmp,mode=control"));
        // 128 ports (default 31; at most 511, but the guest sets up two virtqueues per possible port at
        // boot): each bind mount is a port of its own while its container runs (unplugged after).
        a.addAll(List.of("-device", "virtio-serial-pci,id=" + SERIAL_BUS + ",max_ports=128"));
        // Free page reporting: the guest's balloon driver hands back pages it has freed (2 MiB
        // blocks, a few seconds after they are freed), and QEMU drops them from its memory, so the
        // VM's host memory follows what the guest uses now, not the most it ever used. No balloon
        // target is ever set: the guest keeps all its RAM to allocate from.
        a.addAll(List.of("-device", "virtio-balloon-pci,id=balloon0,free-page-reporting=on"));
        a.addAll(List.of("-device", "virtio-scsi-pci,id=" + SCSI_BUS));
        if (c.mappedImage() != null) {
            // Read-only and private: the guest cannot change the file, and every VM mapping it
            // shares the host's page cache of it (virtio-pmem; the guest mounts it with DAX).
            a.addAll(List.of("-object", "memory-backend-file,id=" + MAPPED_IMAGE + ",mem-path=" + opt(c.mappedImage())
                            + ",size=" + mappedImageBytes(c.mappedImage()) + ",share=" + (t != null ? "on" : "off")
                            + ",readonly=on",
                    "-device", "virtio-pmem-pci,memdev=" + MAPPED_IMAGE + ",id=" + MAPPED_IMAGE + "-dev"));
        }
        if (plan.sharedMemory()) {
            a.addAll(List.of("-device", "pci-bridge,id=" + FS_BRIDGE + ",chassis_nr=1"));
        }
        if (t != null) {
            a.addAll(List.of("-device", "vmgenid,id=" + VMGENID + ",guid=auto"));
        }
        for (String ch : c.channels()) {
            a.addAll(List.of("-chardev", "socket,id=ch-" + ch + ",path=" + opt(channelSocket(plan.runDir(), ch))
                    + ",server=on,wait=off",
                    "-device", "virtserialport,bus=" + SERIAL_BUS + ".0,chardev=ch-" + ch + ",name=" + ch));
        }
        if (c.uplink() != null) {
            var u = c.uplink();
            a.addAll(List.of("-netdev", "user,id=" + UPLINK_NETDEV + ",ipv6=off,net=" + u.network() + ",host=" + u.host()
                    + ",dns=" + u.dns() + ",dhcpstart=" + u.guest(),
                    "-device", "virtio-net-pci,netdev=" + UPLINK_NETDEV + ",mac=" + u.mac() + ",romfile="));
        }
        int i = 0;
        for (DiskSpec d : c.disks()) {
            String node = "boot-disk" + i++;
            a.addAll(List.of("-blockdev", "driver=raw,node-name=" + node + ",read-only=" + (d.readOnly() ? "on" : "off")
                    + ",file.driver=file,file.filename=" + opt(d.image()),
                    "-device", "virtio-blk-pci,drive=" + node + ",serial=" + d.serial()));
        }
        if (t != null && t.incoming()) {
            a.addAll(List.of("-incoming", "defer")); // the state comes by QMP: migrate-incoming
        }
        return a;
    }

    /**
     * The CPU a TCG guest sees: every feature TCG has, less ERMS and FSRM ("fast rep movsb"). With
     * them the guest's kernel and libc copy and clear memory with {@code rep movsb}, which TCG runs
     * one byte per iteration of a translated loop; without them they use their unrolled 8-byte
     * loops. Measured here (fsbench in a container on a virtio-fs bind mount in the shared VM, 32 MB,
     * medians of four runs after a warm-up, one daemon per CPU): sequential write 40.6 MB/s with them,
     * 53.8 without; read 68.2 against 136.5 (the FUSE path copies every write into the guest's page
     * cache and every read out of it); metadata alike. KVM runs the host's CPU, where rep movsb is
     * fast.
     */
    static final String TCG_CPU = "max,erms=off,fsrm=off";

    /** The TCG guest's CPU: {@link #TCG_CPU} unless SKIFF_TCG_CPU names another QEMU -cpu value. */
    public static String tcgCpu() {
        String v = System.getenv("SKIFF_TCG_CPU");
        return v != null && v.matches("[A-Za-z0-9_.,=+-]{1,200}") ? v : TCG_CPU;
    }

    /** TCG's translation cache when SKIFF_TCG_TB_MIB does not say otherwise. */
    static final int TCG_TRANSLATION_MIB = 128;

    /**
     * The size of TCG's translation cache, in MiB. QEMU 7.2's default is 1 GiB, which a long-lived
     * VM fills as it translates new code (every container's programs, the guest JVM's compiled
     * code) and never gives back: a shared VM reached 1.6 GiB of host memory with 512 MiB of guest
     * RAM. A full cache is flushed and refilled, which costs retranslation, not correctness; but
     * the cost is large, because every new process's code is translated anew (ASLR puts it at new
     * addresses) and a flush throws away the kernel's and the agent's too. Measured here, warm
     * {@code docker run --rm busybox true} in the shared VM (medians of 9): 1.31 s with 64 MiB
     * (a flush every few runs), 0.95 s with 128, 0.77 s with 256; a cold dedicated run 25.5 s
     * against 19.4 s; an idle VM's RSS 427 against 498 MiB. 128 is the middle: 64 for the leaner
     * and slower VM. Only TCG has this cache: under KVM the guest's code runs as it is.
     */
    public static int tcgTranslationMiB() {
        String v = System.getenv("SKIFF_TCG_TB_MIB");
        if (v != null && v.matches("[0-9]{1,5}") && Integer.parseInt(v) > 0) {
            return Integer.parseInt(v);
        }
        return TCG_TRANSLATION_MIB;
    }

    /**
     * TCG's threading, "single" unless SKIFF_TCG_THREAD says "multi". With QEMU 7.2's multi-threaded
     * TCG (one host thread per vCPU), a guest wedged twice in CI during a container's first
     * {@code runc create}: both vCPUs in the kernel for good ("soft lockup" on CPU#0 in runc and CPU#1
     * in runc init, the RCU thread starved), never seen with one thread. Single-threaded TCG runs the
     * vCPUs in turn on one host thread, so no emulated atomic or cross-vCPU interrupt can race. It
     * costs little on hosts like CI's (2 cores, the daemon and often two VMs busy at once):
     * interleaved A/B runs of {@code skiff agent bench} gave medians of 2.7 and 4.1 s single against
     * 4.5 and 3.6 s multi. KVM, HVF and WHPX are unaffected.
     */
    public static String tcgThreads() {
        return "multi".equals(System.getenv("SKIFF_TCG_THREAD")) ? "multi" : "single";
    }

    /** The kernel command line: console first, the image's arguments, then init's after "--". */
    static String append(VmConfig c) {
        // swiotlb=noforce: no bounce buffer. The kernel sets aside 64 MiB of RAM for devices that
        // cannot reach all of memory, zeroing it at boot, so it stays in the host's memory for the
        // VM's life; every device here is virtio without an IOMMU, which reaches all of it.
        List<String> words = new ArrayList<>(List.of("console=ttyS0", "quiet", "swiotlb=noforce"));
        words.addAll(c.kernelArgs());
        if (!c.initArgs().isEmpty()) {
            words.add("--");
            words.addAll(c.initArgs());
        }
        return String.join(" ", words);
    }

    /** QEMU's option syntax doubles a comma to escape it inside a value. */
    static String opt(Path p) {
        return p.toString().replace(",", ",,");
    }
}
