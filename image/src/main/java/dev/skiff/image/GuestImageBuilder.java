package dev.skiff.image;

import dev.skiff.image.debian.Apt;
import dev.skiff.image.debian.DebArchive;
import dev.skiff.image.debian.DebianPackage;
import dev.skiff.image.elf.ElfFile;
import dev.skiff.image.initrd.CpioWriter;
import dev.skiff.image.initrd.InitrdTree;
import dev.skiff.image.initrd.Lz4LegacyOutputStream;
import dev.skiff.image.initrd.MappedImageWriter;
import dev.skiff.image.jre.JavaRuntime;
import dev.skiff.image.kernel.KernelModules;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Builds (or finds in the cache) the guest image for a {@link GuestProgram}.
 *
 * <p>Inputs: Debian's kernel, busybox-static, runc, libseccomp2, libc6, nftables with its
 * libraries ({@link #NFT_PACKAGES}), crun with its ({@link #CRUN_PACKAGES}) and tini (for
 * {@code docker run --init}), at the versions apt resolves now; the JDK running this builder; the program's jars and options. Their
 * hash names the cache folder, so the image is rebuilt only when one of them changes, and the
 * same inputs always give the same bytes (sorted cpio entries, fixed times and owners, gzip with
 * no timestamp).
 */
public final class GuestImageBuilder {
    /** Bump when the layout of the image changes, so that cached images are rebuilt. */
    static final String FORMAT = "skiff-guest-image/15";

    /**
     * Every kernel module loaded at or after boot (a superset of {@link #BOOT_MODULES}); their
     * dependencies are added from .modinfo.
     */
    public static final List<String> MODULES = List.of(
            "crc32c_generic",                                   // first: libcrc32c asks the crypto API for it at load time
            "virtio_pci", "virtio_console", "virtio_blk",      // devices: PCI transport, serial ports, disks
            "overlay", "erofs", "ext4",                         // container root: layers, scratch disk
            "button", "evdev",                                  // ACPI power button: clean stop from the host
            "virtio_balloon");                                  // free page reporting: freed RAM back to the host

    /**
     * The modules the init script ({@value #INIT}) loads to mount /opt, an EROFS image on a
     * virtio-pmem device, before the JVM there can start; left out of the lists the agent loads.
     * crc32c_generic first, for libcrc32c (erofs needs it), as in {@link #MODULES}.
     */
    public static final List<String> INIT_MODULES = List.of("crc32c_generic", "virtio_pci", "virtio_pmem", "nd_pmem",
            "erofs");

    /** The initrd's init: a busybox script that mounts /opt and becomes the JVM (resource {@code init.sh}). */
    static final String INIT = "/init";

    /** The image of /opt (the Java runtime and the guest program) beside the kernel and the initrd. */
    static final String OPT_IMAGE = "opt.erofs";

    /**
     * The modules PID 1 loads before it serves the host: the control port and the power button.
     * The rest load in the background (module loading costs seconds under emulation), and
     * requests that need them wait for that.
     */
    public static final List<String> BOOT_MODULES = List.of("virtio_pci", "virtio_console", "button", "evdev");

    /**
     * The modules container networking needs, in their own list that nothing loads at boot: the
     * agent loads it on the first SetupNetwork, so VMs that never network never pay for it (each
     * module costs tens of milliseconds under emulation). The uplink NIC; bridges and veth pairs;
     * nftables with NAT chains, DNAT through a map and masquerade (conntrack, nf_nat and the
     * defragmenters come in as dependencies). nf_tables holds its set types, lookups, meta and
     * payload expressions itself.
     */
    public static final List<String> NET_MODULES = List.of(
            "virtio_net",
            "bridge", "veth",
            "nf_tables", "nf_conntrack", "nf_nat", "nft_chain_nat", "nft_nat", "nft_masq",
            "nf_flow_table_inet", "nft_flow_offload");

    /**
     * The SCSI disk drivers, in their own list that nothing loads at boot: the agent loads it with
     * the first layer disk the host puts on the SCSI controller (after the first sixteen, which get
     * PCI slots). sd_mod brings scsi_mod and the T10 protection-information CRCs, nine modules that
     * would cost every fresh VM a second and a half before its first container.
     */
    public static final List<String> SCSI_MODULES = List.of("virtio_scsi", "sd_mod");

    /**
     * The 9P client and its file-descriptor transport (netfs and fscache come with it), loaded with
     * the first 9P share: five modules a VM whose containers bind nothing never loads.
     */
    public static final List<String> NINE_P_MODULES = List.of("9pnet_fd", "9p");

    /** The virtio-fs client (and FUSE under it), loaded by the agent with the first virtio-fs share. */
    public static final List<String> VIRTIOFS_MODULES = List.of("virtiofs");

    /**
     * Debian's nft and the libraries its ELF walk needs ({@code apt-cache depends nftables} and
     * down): nftables loads a whole rule set or a map change in one process and one netlink
     * transaction, which busybox has no applet for.
     */
    static final List<String> NFT_PACKAGES = List.of("nftables", "libnftables1", "libnftnl11", "libmnl0",
            "libjansson4", "libgmp10", "libxtables12", "libedit2", "libbsd0", "libmd0", "libtinfo6");

    /**
     * Debian's crun and the libraries its ELF walk needs ({@code apt-cache depends crun} and down):
     * the OCI runtime the agent runs. crun is C; runc is Go, whose runtime start-up (and runc init's
     * re-exec of the same binary) costs most of a container's start under TCG emulation. runc stays
     * in the image as the benchmarks' peer and as the fallback ({@code skiff.runtime=runc}).
     */
    static final List<String> CRUN_PACKAGES = List.of("crun", "libyajl2", "libcap2", "libsystemd0", "libgcrypt20",
            "libgpg-error0", "liblz4-1", "liblzma5", "libzstd1");

    /** Where the guest mounts the mapped image. */
    static final String OPT = "/opt";
    /** Debian's multiarch library folder, where the dynamic linker looks (in /opt, through a link). */
    static final String LIB_DIR = "/lib/x86_64-linux-gnu";
    static final String JAVA_HOME = OPT + "/java";
    static final String PROGRAM_DIR = "/opt/skiff/lib";
    static final String JAVA_ARGS = "/etc/skiff/java.args";
    /** Every initrd entry carries this mtime (2026-01-01T00:00:00Z). */
    static final long MTIME = 1767225600L;

    private static final String C_KMOD = "kernel modules", C_JAVA = "java runtime", C_LIBC = "shared libraries",
            C_RUNC = "runc", C_CRUN = "crun", C_NFT = "nft", C_INIT = "docker-init", C_BUSYBOX = "busybox", C_PROGRAM = "guest program", C_BASE = "layout";

    private final Path cache;
    private final List<Path> shared;
    private final Consumer<String> progress;

    public GuestImageBuilder(Path cache, Consumer<String> progress) {
        this(cache, List.of(), progress);
    }

    /**
     * @param shared caches to reuse packages and images from, never written ({@link ImageCache#shared()}):
     *               searched after {@code cache}
     */
    public GuestImageBuilder(Path cache, List<Path> shared, Consumer<String> progress) {
        this.cache = cache;
        this.shared = List.copyOf(shared);
        this.progress = progress;
    }

    /** What {@link #build} made or found, with the figures it prints. */
    public record Result(GuestImage image, boolean cached, long kernelBytes, long initrdBytes, long optBytes,
                         Map<String, Long> uncompressedByComponent, List<DebianPackage> packages) {
        public long totalBytes() {
            return kernelBytes + initrdBytes + optBytes;
        }
    }

    /** Returns the cached image for these inputs, building it first if needed. */
    public Result build(GuestProgram program) throws IOException {
        return build(program, false);
    }

    /**
     * As {@link #build(GuestProgram)}; {@code force} rebuilds even when the cache has the image.
     * One build at a time per cache, across processes too (a file lock in the cache): two test JVMs
     * or daemons starting on an empty cache would otherwise unpack the same packages into the
     * same folders. The second waits, says so, then finds the image built.
     */
    public Result build(GuestProgram program, boolean force) throws IOException {
        Files.createDirectories(cache);
        Path lockPath = cache.resolve("build.lock");
        synchronized (GuestImageBuilder.class) { // a JVM may hold a file's lock only once
            try (FileChannel lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                if (lockFile.tryLock() == null) {
                    progress.accept("waiting for another process that is building into " + cache + " (lock " + lockPath + ")");
                    lockFile.lock(); // released when the channel closes, or when a process holding it dies
                }
                return buildLocked(program, force);
            }
        }
    }

    private Result buildLocked(GuestProgram program, boolean force) throws IOException {
        Apt apt = new Apt(cache.resolve("debs"), shared.stream().map(c -> c.resolve("debs")).toList());
        progress.accept("resolving Debian packages");
        String kernelPkg = apt.dependencyOf("linux-image-amd64", "linux-image-");
        List<DebianPackage> packages = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(kernelPkg, "busybox-static", "runc", "libseccomp2", "libc6"));
        names.addAll(NFT_PACKAGES);
        names.addAll(CRUN_PACKAGES);
        names.add("tini"); // last: its tree is the last one
        for (var e : apt.candidateVersions(names).entrySet()) {
            progress.accept("  " + e.getKey() + " " + e.getValue());
            packages.add(apt.fetch(e.getKey(), e.getValue()));
        }
        List<Path> jars = programJars(program);
        String hash = inputHash(packages, program, jars);
        Path dir = cache.resolve("guest").resolve(hash);
        if (!force && Files.exists(dir.resolve("manifest.properties"))) {
            progress.accept("image for these inputs is cached (" + hash + ")");
            return describe(dir, true, packages);
        }
        for (Path other : shared) {
            Path there = other.resolve("guest").resolve(hash);
            if (!force && Files.exists(there.resolve("manifest.properties"))) {
                progress.accept("image for these inputs is cached (" + hash + ", in " + other + ")");
                return describe(there, true, packages);
            }
        }
        progress.accept("building image " + hash);
        // A new folder per build, also within one process: nothing of its name may reach the image,
        // and GuestImageIT's forced rebuild proves that only if the two builds' folders differ.
        Path work = Files.createTempDirectory(Files.createDirectories(cache.resolve("work")), hash + ".");
        try {
            assemble(packages, program, jars, work);
            Path staged = cache.resolve("guest").resolve(hash + ".partial." + ProcessHandle.current().pid());
            Files.createDirectories(staged);
            for (String f : List.of("vmlinux", "vmlinuz", "initrd.img", OPT_IMAGE, "manifest.properties")) {
                if (Files.exists(work.resolve(f))) {
                    Files.move(work.resolve(f), staged.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            DebArchive.deleteTree(dir);
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            DebArchive.deleteTree(work);
        }
        return describe(dir, false, packages);
    }

    private void assemble(List<DebianPackage> packages, GuestProgram program, List<Path> jars, Path work)
            throws IOException {
        Path debRoot = cache.resolve("debs");
        List<Path> trees = new ArrayList<>();
        for (DebianPackage p : packages) {
            progress.accept("unpacking " + p);
            trees.add(DebArchive.unpack(p, debRoot));
        }
        Path kernelTree = trees.get(0);
        Path modulesDir;
        try (Stream<Path> s = Files.list(kernelTree.resolve("lib/modules"))) {
            modulesDir = s.findFirst().orElseThrow(() -> new IOException(packages.get(0) + " holds no modules"));
        }
        String kver = modulesDir.getFileName().toString();

        // Two trees. The initrd holds only what mounts /opt: busybox, the init script, the modules it
        // loads and the small files under /etc/skiff. Everything else (the Java runtime, the agent,
        // runc, crun, nft, their libraries, the other modules) is in /opt's image, which the guest
        // maps in place (MappedImageWriter) instead of keeping a copy in its RAM as it does the
        // initrd's files; the initrd's /usr, /lib64 and /lib/x86_64-linux-gnu point into /opt.
        InitrdTree tree = new InitrdTree();
        InitrdTree opt = new InitrdTree();
        for (String d : List.of("/proc", "/sys", "/dev", "/tmp", "/run", "/mnt", "/opt", "/etc/skiff")) {
            tree.dir(d, C_BASE);
        }
        tree.symlink("/usr", OPT + "/usr", C_BASE);
        tree.symlink("/lib64", OPT + "/lib64", C_BASE);
        tree.symlink(LIB_DIR, OPT + LIB_DIR, C_BASE);

        progress.accept("choosing kernel modules");
        KernelModules kmods = new KernelModules(modulesDir);
        List<Path> boot = kmods.resolve(BOOT_MODULES);
        List<Path> init = kmods.resolve(INIT_MODULES);
        StringBuilder initOrder = new StringBuilder("# loaded by " + INIT + " to mount /opt; dependencies first\n");
        for (Path ko : init) {
            String rel = kmods.relativeToRoot(ko);
            tree.file("/" + rel, ko, 0644, C_KMOD);
            initOrder.append(rel).append('\n');
        }
        tree.file("/etc/skiff/modules.init", write(work, "modules.init", initOrder.toString()), 0644, C_KMOD);
        StringBuilder bootOrder = new StringBuilder("# loaded before serving the host; dependencies first\n");
        StringBuilder laterOrder = new StringBuilder("# loaded in the background after boot; dependencies first\n");
        List<Path> general = kmods.resolve(MODULES);
        for (Path ko : general) {
            if (init.contains(ko)) {
                continue; // in before the JVM starts
            }
            String rel = OPT.substring(1) + "/" + kmods.relativeToRoot(ko);
            opt.file("/" + rel, ko, 0644, C_KMOD);
            (boot.contains(ko) ? bootOrder : laterOrder).append(rel).append('\n');
        }
        tree.file("/etc/skiff/modules.boot", write(work, "modules.boot", bootOrder.toString()), 0644, C_KMOD);
        tree.file("/etc/skiff/modules", write(work, "modules", laterOrder.toString()), 0644, C_KMOD);
        List<Path> loaded = new ArrayList<>(init);
        loaded.addAll(general);
        packOnDemand(tree, opt, kmods, loaded, work, NET_MODULES, "modules.net", "the first SetupNetwork");
        packOnDemand(tree, opt, kmods, loaded, work, SCSI_MODULES, "modules.scsi", "the first SCSI layer disk");
        packOnDemand(tree, opt, kmods, loaded, work, VIRTIOFS_MODULES, "modules.virtiofs", "the first virtio-fs share");
        packOnDemand(tree, opt, kmods, loaded, work, NINE_P_MODULES, "modules.9p", "the first 9P share");

        progress.accept("adding busybox, runc, crun, nft and tini");
        tree.file("/bin/busybox", trees.get(1).resolve("bin/busybox"), 0755, C_BUSYBOX);
        tree.symlink("/bin/sh", "busybox", C_BUSYBOX);
        Path runc = trees.get(2).resolve("usr/sbin/runc");
        opt.file(OPT + "/usr/sbin/runc", runc, 0755, C_RUNC);
        opt.symlink(OPT + "/usr/bin/runc", "../sbin/runc", C_RUNC);
        Path nft = trees.get(5).resolve("usr/sbin/nft");
        opt.file(OPT + "/usr/sbin/nft", nft, 0755, C_NFT);
        Path crun = trees.get(5 + NFT_PACKAGES.size()).resolve("usr/bin/crun");
        opt.file(OPT + "/usr/bin/crun", crun, 0755, C_CRUN);
        // --init's process 1, bound into the container: the static build, as Docker's docker-init is,
        // since the container's own libraries are whatever its image has
        opt.file(OPT + dev.skiff.agent.api.GuestPaths.DOCKER_INIT, trees.getLast().resolve("usr/bin/tini-static"), 0755, C_INIT);

        progress.accept("linking the Java runtime (" + String.join(",", program.jdkModules()) + ")");
        Path jre = work.resolve("jre");
        JavaRuntime.link(program.jdkModules(), jre);
        // The archive holds the program's classes only for jars that look, to the JVM, like the ones
        // it was dumped with: the same names in the same layout, sizes and times. So the jars are
        // staged here as the image will hold them (every file in the initrd has the time MTIME).
        progress.accept("dumping the Java runtime's class archive");
        Path stagedRoot = work.resolve("program");
        Path staged = Files.createDirectories(stagedRoot.resolve(PROGRAM_DIR.substring(1)));
        List<Path> stagedJars = new ArrayList<>();
        for (Path jar : jars) {
            Path copy = Files.copy(jar, staged.resolve(jar.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(copy, FileTime.from(MTIME, TimeUnit.SECONDS));
            stagedJars.add(stagedRoot.relativize(copy));
        }
        JavaRuntime.dumpArchive(jre, stagedRoot, stagedJars, program.jvmOptions());
        addTree(opt, jre, JAVA_HOME, C_JAVA);

        progress.accept("adding shared libraries");
        List<Path> libDirs = new ArrayList<>();
        for (Path t : trees.subList(3, trees.size())) {
            for (String d : List.of("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu")) {
                if (Files.isDirectory(t.resolve(d))) {
                    libDirs.add(t.resolve(d));
                }
            }
        }
        List<Path> elves = new ArrayList<>(List.of(runc, nft, crun));
        try (Stream<Path> s = Files.walk(jre)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                if (ElfFile.isElf(p)) {
                    elves.add(p);
                }
            }
        }
        addLibraries(opt, elves, libDirs, jre);

        progress.accept("adding the guest program " + program.mainClass());
        List<String> classPath = new ArrayList<>();
        for (Path jar : jars) {
            String at = PROGRAM_DIR + "/" + jar.getFileName();
            opt.file(at, jar, 0644, C_PROGRAM);
            classPath.add(at);
        }
        List<String> javaArgs = new ArrayList<>(program.jvmOptions());
        javaArgs.add("-XX:SharedArchiveFile=" + JAVA_HOME + "/" + JavaRuntime.ARCHIVE);
        javaArgs.addAll(List.of("-cp", String.join(":", classPath), program.mainClass()));
        tree.file(JAVA_ARGS, write(work, "java.args", String.join("\n", javaArgs) + "\n"), 0644, C_PROGRAM);

        try (var script = GuestImageBuilder.class.getResourceAsStream("init.sh")) {
            if (script == null) {
                throw new IOException("the image builder lacks its resource init.sh");
            }
            tree.file(INIT, Files.write(work.resolve("init.sh"), script.readAllBytes()), 0755, C_BASE);
        }
        progress.accept("writing /opt as an EROFS image for a DAX mount");
        MappedImageWriter.write(opt, OPT, work.resolve(OPT_IMAGE), MTIME);

        progress.accept("writing the initrd (cpio, LZ4)");
        Path initrd = work.resolve("initrd.img");
        try (OutputStream cpio = new BufferedOutputStream(new Lz4LegacyOutputStream(
                new BufferedOutputStream(Files.newOutputStream(initrd), 1 << 16)), 1 << 16)) {
            new CpioWriter(cpio, MTIME).write(tree);
        }
        Path bzImage = kernelTree.resolve("boot/vmlinuz-" + kver);
        progress.accept("unpacking the kernel for a PVH boot");
        String kernelFile = KernelImage.extractPvh(bzImage, work.resolve("vmlinux")) ? "vmlinux" : "vmlinuz";
        if (kernelFile.equals("vmlinuz")) {
            progress.accept("the kernel has no XZ payload with a PVH entry: booting its bzImage as it is");
            Files.copy(bzImage, work.resolve("vmlinuz"));
        }

        Map<String, String> manifest = new LinkedHashMap<>();
        manifest.put("format", FORMAT);
        manifest.put("kernel.version", kver);
        manifest.put("kernel.file", kernelFile);
        manifest.put("kernel.args", "panic=-1 rdinit=" + INIT + " LD_LIBRARY_PATH=" + JAVA_HOME + "/lib");
        manifest.put("opt.image", OPT_IMAGE);
        manifest.put("init.args", "@" + JAVA_ARGS);
        tree.sizeByComponent().forEach((k, v) -> manifest.put("uncompressed." + k.replace(' ', '_'), Long.toString(v)));
        opt.sizeByComponent().forEach((k, v) -> manifest.put("opt." + k.replace(' ', '_'), Long.toString(v)));
        StringBuilder text = new StringBuilder();
        manifest.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(work.resolve("manifest.properties"), text.toString());
    }

    /**
     * The {@code java} launcher finds its own libraries through $ORIGIN, which glibc resolves with
     * /proc, and /proc is not mounted yet when the kernel starts it as PID 1: hence
     * LD_LIBRARY_PATH in the kernel arguments (the kernel hands unknown key=value to init's
     * environment). Everything else is found in the standard multiarch folders: the libraries go
     * into {@code tree} (/opt's) at /opt/lib/x86_64-linux-gnu, which the initrd links from there.
     */
    private void addLibraries(InitrdTree tree, List<Path> elves, List<Path> libDirs, Path jre) throws IOException {
        Deque<Path> todo = new ArrayDeque<>(elves);
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> jreLibs = new java.util.HashSet<>();
        try (Stream<Path> s = Files.walk(jre)) {
            s.filter(p -> p.getFileName().toString().endsWith(".so")).forEach(p -> jreLibs.add(p.getFileName().toString()));
        }
        boolean interpreter = false;
        while (!todo.isEmpty()) {
            ElfFile elf = ElfFile.read(todo.pop());
            if (elf.interpreter().isPresent()) {
                interpreter = true;
            }
            for (String soname : elf.needed()) {
                if (jreLibs.contains(soname) || !seen.add(soname)) {
                    continue;
                }
                Path lib = libDirs.stream().map(d -> d.resolve(soname)).filter(Files::exists).findFirst()
                        .orElseThrow(() -> new IOException("no Debian package in the image provides " + soname));
                Path real = lib.toRealPath();
                tree.file(OPT + LIB_DIR + "/" + soname, real, 0755, C_LIBC);
                todo.push(real);
            }
        }
        if (interpreter) {
            String ld = "ld-linux-x86-64.so.2";
            Path real = libDirs.stream().map(d -> d.resolve(ld)).filter(Files::exists).findFirst()
                    .orElseThrow(() -> new IOException("libc6 has no " + ld)).toRealPath();
            tree.file(OPT + LIB_DIR + "/" + ld, real, 0755, C_LIBC);
            tree.symlink(OPT + "/lib64/" + ld, LIB_DIR + "/" + ld, C_LIBC);
        }
    }

    private static void addTree(InitrdTree tree, Path src, String at, String component) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.sorted().toList()) {
                String dest = at + (p.equals(src) ? "" : "/" + src.relativize(p).toString().replace('\\', '/'));
                if (Files.isSymbolicLink(p)) {
                    tree.symlink(dest, Files.readSymbolicLink(p).toString(), component);
                } else if (Files.isDirectory(p)) {
                    tree.dir(dest, component);
                } else {
                    tree.file(dest, p, Files.isExecutable(p) ? 0755 : 0644, component);
                }
            }
        }
    }

    private List<Path> programJars(GuestProgram program) throws IOException {
        List<Path> jars = new ArrayList<>();
        Path packed = Files.createDirectories(cache.resolve("work/program-jars"));
        for (Path p : program.jars()) {
            if (Files.isDirectory(p)) {
                Path jar = packed.resolve(p.getParent().getParent().getFileName() + ".jar");
                DeterministicJar.pack(p, jar);
                jars.add(jar);
            } else {
                jars.add(p);
            }
        }
        return jars;
    }

    private static String inputHash(List<DebianPackage> packages, GuestProgram program, List<Path> jars)
            throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder s = new StringBuilder(FORMAT).append('\n');
        packages.forEach(p -> s.append(p.name()).append(' ').append(p.version()).append(' ').append(p.sha256()).append('\n'));
        s.append(String.join(",", MODULES)).append('\n').append(String.join(",", INIT_MODULES)).append('\n').append(String.join(",", NET_MODULES)).append('\n')
                .append(String.join(",", SCSI_MODULES)).append('\n').append(String.join(",", VIRTIOFS_MODULES)).append('\n')
                .append(String.join(",", NINE_P_MODULES)).append('\n')
                .append(JavaRuntime.jdkIdentity()).append('\n')
                .append(program.mainClass()).append('\n').append(program.jdkModules()).append(program.jvmOptions()).append('\n');
        md.update(s.toString().getBytes(StandardCharsets.UTF_8));
        try (var classlist = JavaRuntime.class.getResourceAsStream(JavaRuntime.CLASSLIST)) {
            if (classlist != null) {
                md.update(classlist.readAllBytes());
            }
        }
        for (Path jar : jars) {
            md.update(jar.getFileName().toString().getBytes(StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(jar));
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }

    private static Result describe(Path dir, boolean cached, List<DebianPackage> packages) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("manifest.properties"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith("uncompressed.")) {
                sizes.put(k.substring("uncompressed.".length()).replace('_', ' '), Long.parseLong(v));
            }
        });
        m.forEach((k, v) -> {
            if (k.startsWith("opt.") && !k.equals("opt.image")) {
                sizes.put(k.substring("opt.".length()).replace('_', ' ') + " (in /opt)", Long.parseLong(v));
            }
        });
        GuestImage image = new GuestImage(dir.resolve(m.getOrDefault("kernel.file", "vmlinuz")), dir.resolve("initrd.img"),
                m.containsKey("opt.image") ? dir.resolve(m.get("opt.image")) : null, m.get("kernel.version"),
                List.of(m.get("kernel.args").split(" ")), List.of(m.get("init.args").split(" ")));
        return new Result(image, cached, Files.size(image.kernel()), Files.size(image.initrd()),
                image.optImage() == null ? 0 : Files.size(image.optImage()), sizes, packages);
    }

    private static Path write(Path dir, String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /**
     * Packs a module list the agent loads on demand (after the general lists) into /opt and writes
     * its load order to the initrd's /etc/skiff/{@code listName}; a dependency already in the init
     * or general lists ({@code loaded}) is loaded (and packed) once, with them.
     */
    private static void packOnDemand(InitrdTree tree, InitrdTree opt, KernelModules kmods, List<Path> loaded, Path work,
            List<String> modules, String listName, String when) throws IOException {
        StringBuilder order = new StringBuilder("# loaded by the agent on " + when + ", after the lists above;"
                + " dependencies first\n");
        for (Path ko : kmods.resolve(modules)) {
            if (!loaded.contains(ko)) {
                String rel = OPT.substring(1) + "/" + kmods.relativeToRoot(ko);
                opt.file("/" + rel, ko, 0644, C_KMOD);
                order.append(rel).append('\n');
            }
        }
        tree.file("/etc/skiff/" + listName, write(work, listName, order.toString()), 0644, C_KMOD);
    }
}
