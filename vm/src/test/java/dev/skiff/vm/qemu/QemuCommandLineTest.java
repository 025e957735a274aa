package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.vm.Accel;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.VmConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
    private static final Path RUN = Path.of("/run/skiff/vm/t-1");

    private static VmConfig config() {
        return VmConfig.of("t", Path.of("/k/vmlinuz"), Path.of("/k/initrd.img"), List.of("panic=-1", "rdinit=/x"),
                List.of("@/etc/args"), List.of("skiff.control", "data"));
    }

    private static List<String> build(VmConfig c, Accel accel) {
        return QemuCommandLine.build(new QemuCommandLine.Plan(Path.of("/usr/bin/qemu-system-x86_64"), accel, c,
                RUN.resolve("qmp.sock"), Path.of("/logs/t.log"), RUN, false));
    }

    @Test
    void sharedMemoryBacksTheRamWithAMemfdAndAddsTheFilesystemBridge() {
        VmConfig c = config();
        List<String> argv = QemuCommandLine.build(new QemuCommandLine.Plan(Path.of("/q"), Accel.TCG, c,
                RUN.resolve("qmp.sock"), Path.of("/l"), RUN, true));
        assertTrue(argv.contains("memory-backend-memfd,id=ram0,share=on,size=" + c.memoryMiB() + "M"), argv.toString());
        assertTrue(argv.contains("memory-backend=ram0"), argv.toString());
        assertTrue(argv.contains("pci-bridge,id=" + QemuCommandLine.FS_BRIDGE + ",chassis_nr=1"), argv.toString());
        assertFalse(build(c, Accel.TCG).stream().anyMatch(a -> a.contains("memfd") || a.contains("pci-bridge")));
    }

    @Test
    void aMappedImageIsAReadOnlyPrivatePmemDeviceWithRoomBesideTheRam(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path image = java.nio.file.Files.write(tmp.resolve("opt, erofs"), new byte[3 << 20]);
        List<String> argv = build(config().withMappedImage(image), Accel.TCG);
        assertEquals("512M,slots=1,maxmem=515M", after(argv, "-m"));
        assertTrue(argv.contains("memory-backend-file,id=mapped0,mem-path=" + tmp + "/opt,, erofs,size=" + (3 << 20)
                + ",share=off,readonly=on"), argv.toString());
        assertTrue(argv.contains("virtio-pmem-pci,memdev=mapped0,id=mapped0-dev"), argv.toString());
        List<String> plain = build(config(), Accel.TCG);
        assertEquals("512", after(plain, "-m"));
        assertFalse(plain.stream().anyMatch(a -> a.contains("pmem")), plain.toString());
    }

    @Test
    void aTemplateAndAVmFromItShareTheirDevicesAndKeepRamAndImageOutOfTheSnapshot(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path image = java.nio.file.Files.write(tmp.resolve("opt.erofs"), new byte[2 << 20]);
        VmConfig c = config().withMappedImage(image);
        List<String> template = QemuCommandLine.build(new QemuCommandLine.Plan(Path.of("/q"), Accel.TCG, c,
                RUN.resolve("qmp.sock"), Path.of("/l"), RUN, true,
                new QemuCommandLine.Templating(Path.of("/cache/t/ram"), false)));
        List<String> clone = QemuCommandLine.build(new QemuCommandLine.Plan(Path.of("/q"), Accel.TCG, c,
                RUN.resolve("qmp.sock"), Path.of("/l"), RUN, true,
                new QemuCommandLine.Templating(RUN.resolve("ram"), true)));
        // the RAM a shared file (left out of the snapshot by x-ignore-shared), not a memfd
        assertTrue(template.contains("memory-backend-file,id=ram0,mem-path=/cache/t/ram,share=on,size=512M"), template.toString());
        assertFalse(template.stream().anyMatch(a -> a.contains("memfd")), template.toString());
        // the image shared as well, read-only still; a generation ID device, new in every QEMU
        assertTrue(template.contains("memory-backend-file,id=mapped0,mem-path=" + image + ",size=" + (2 << 20)
                + ",share=on,readonly=on"), template.toString());
        assertTrue(template.contains("vmgenid,id=vmgenid0,guid=auto"), template.toString());
        assertFalse(template.contains("-incoming"), "the template boots");
        assertEquals("defer", after(clone, "-incoming"), "the new VM waits for the state by QMP");
        // otherwise the very same devices, in the same order: the state must fit them
        List<String> cloneDevices = clone.stream().filter(a -> !a.contains("mem-path=" + RUN)).toList();
        List<String> templateDevices = template.stream().filter(a -> !a.contains("mem-path=/cache")).toList();
        assertEquals(templateDevices, cloneDevices.subList(0, cloneDevices.size() - 2));
        assertFalse(build(c, Accel.TCG).contains("vmgenid,id=vmgenid0,guid=auto"), "a plain boot has none");
    }

    private static String after(List<String> argv, String flag) {
        return argv.get(argv.indexOf(flag) + 1);
    }

    @Test
    void noNetworkNoDefaultDevicesAndNoReboot() {
        List<String> argv = build(config(), Accel.TCG);
        assertTrue(argv.contains("-nodefaults"));
        assertTrue(argv.contains("-no-reboot"));
        assertFalse(argv.stream().anyMatch(a -> a.startsWith("-net") || a.contains("netdev") || a.contains("-nic")),
                "a guest gets no network device: " + argv);
    }

    @Test
    void anUplinkIsOneUserNetworkCardWithTheGivenAddressesAndNoOptionRom() {
        var up = new dev.skiff.vm.Uplink("52:54:00:5f:00:01", "10.0.2.0/24", "10.0.2.15", "10.0.2.2", "10.0.2.3");
        List<String> argv = build(config().withUplink(up), Accel.TCG);
        assertEquals("user,id=uplink,ipv6=off,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3,dhcpstart=10.0.2.15",
                after(argv, "-netdev"));
        int netdev = argv.indexOf("-netdev");
        assertEquals(List.of("-device", "virtio-net-pci,netdev=uplink,mac=52:54:00:5f:00:01,romfile="),
                argv.subList(netdev + 2, netdev + 4));
        assertEquals(1, argv.stream().filter("-netdev"::equals).count());
    }

    @Test
    void kernelCommandLinePutsInitArgumentsAfterDoubleDash() {
        assertEquals("console=ttyS0 quiet swiotlb=noforce panic=-1 rdinit=/x -- @/etc/args", after(build(config(), Accel.TCG), "-append"));
    }

    @Test
    void accelerationMapsToQemuFlags() {
        assertEquals("tcg,thread=" + QemuCommandLine.tcgThreads() + ",tb-size=" + QemuCommandLine.tcgTranslationMiB(),
                after(build(config(), Accel.TCG), "-accel"));
        assertEquals("kvm", after(build(config(), Accel.KVM), "-accel"));
        assertEquals("hvf", after(build(config(), Accel.HVF), "-accel"));
        assertEquals("whpx", after(build(config(), Accel.WHPX), "-accel"));
        assertThrows(IllegalArgumentException.class, () -> build(config(), Accel.AUTO));
    }

    @Test
    void freedGuestPagesGoBackToTheHostAndTheTranslationCacheIsBounded() {
        List<String> argv = build(config(), Accel.TCG);
        assertTrue(argv.contains("virtio-balloon-pci,id=balloon0,free-page-reporting=on"), argv.toString());
        assertEquals(128, QemuCommandLine.TCG_TRANSLATION_MIB, "QEMU 7.2's default of 1 GiB grows a VM's memory for ever");
        assertTrue(after(argv, "-accel").contains(",tb-size="), argv.toString());
    }

    @Test
    void memoryAndCpusAreSet() {
        List<String> argv = build(config().withMemory(768, 3), Accel.TCG);
        assertEquals("768", after(argv, "-m"));
        assertEquals("3", after(argv, "-smp"));
    }

    @Test
    void everyBootChannelIsAVirtioSerialPortOnAUnixSocket() {
        String joined = String.join(" ", build(config(), Accel.TCG));
        for (String ch : List.of("skiff.control", "data")) {
            assertTrue(joined.contains("socket,id=ch-" + ch + ",path=" + RUN.resolve("ch-" + ch + ".sock")
                    + ",server=on,wait=off"), joined);
            assertTrue(joined.contains("virtserialport,bus=vser0.0,chardev=ch-" + ch + ",name=" + ch), joined);
        }
        assertTrue(joined.contains("-mon chardev=qmp,mode=control"), joined);
        assertTrue(joined.contains("-serial chardev:console"), joined);
    }

    @Test
    void bootDisksAreReadOnlyWhenAskedAndCarryTheirSerial() {
        List<String> argv = build(config().withDisks(List.of(new DiskSpec(Path.of("/d/a,b.img"), "layer0", true))),
                Accel.TCG);
        String blockdev = after(argv, "-blockdev");
        assertTrue(blockdev.contains("read-only=on"), blockdev);
        assertTrue(blockdev.contains("file.filename=/d/a,,b.img"), "commas in paths are escaped: " + blockdev);
        assertTrue(argv.contains("virtio-blk-pci,drive=boot-disk0,serial=layer0"), argv.toString());
    }

    @Test
    void configRejectsNamesThatWouldBreakTheCommandLine() {
        assertThrows(IllegalArgumentException.class, () -> VmConfig.of("t", Path.of("/k"), Path.of("/i"), List.of(),
                List.of(), List.of("bad,name")));
        assertThrows(IllegalArgumentException.class, () -> new DiskSpec(Path.of("/d"), "serial,with=comma", true));
        assertThrows(IllegalArgumentException.class, () -> VmConfig.of("Upper Case", Path.of("/k"), Path.of("/i"),
                List.of(), List.of(), List.of()));
    }
}
