package dev.skiff.engine.testing;

import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmDriver;
import dev.skiff.vm.VmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link VmDriver} whose VMs are {@link FakeVm}s with an {@link InMemoryAgent} inside. The
 * programs their processes run are chosen by the process's first argument, from those a test
 * registered with {@link #program}; an unknown one exits 127 with sh's complaint on stderr.
 */
public final class FakeVmDriver implements VmDriver {
    private final Path dir;
    private final Map<String, Program> programs = new ConcurrentHashMap<>();
    private final List<FakeVm> started = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();

    /** @param dir where the VMs keep their sockets: keep it short (a unix socket path has 108 bytes) */
    public FakeVmDriver(Path dir) {
        this.dir = dir;
    }

    /** Processes whose first argument is {@code name} run {@code program}. */
    public FakeVmDriver program(String name, Program program) {
        programs.put(name, program);
        return this;
    }

    private Program programFor(List<String> args) {
        String name = args.isEmpty() ? "" : args.getFirst();
        Program p = programs.get(name);
        if (p != null) {
            return p;
        }
        return proc -> {
            proc.stderr("sh: " + name + ": not found\n");
            return 127;
        };
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public FakeVm start(VmConfig config) throws IOException {
        int n = count.incrementAndGet();
        FakeVm vm = new FakeVm(config, config.name() + "-" + n, 100_000 + n, dir.resolve(Integer.toString(n)),
                this::programFor);
        started.add(vm);
        return vm;
    }

    // ---- templates: off unless a test turns them on ----

    private volatile boolean templates;
    /** Templates a start from one throws on, as QEMU refusing its state would. */
    private final java.util.Set<String> badTemplates = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<FakeVm> fromTemplates = new CopyOnWriteArrayList<>();

    /** Makes templates: the key is the config's size, the RAM a small file, the state a line of text. */
    public FakeVmDriver withTemplates() {
        templates = true;
        return this;
    }

    /** Starts from {@code key}'s template fail from now on. */
    public void breakTemplate(String key) {
        badTemplates.add(key);
    }

    @Override
    public String templateKey(VmConfig config) {
        return templates ? "fake" + config.memoryMiB() + "x" + config.cpus() : null;
    }

    @Override
    public FakeVm startTemplate(VmConfig config, Path ram) throws IOException {
        Files.writeString(ram, "ram of " + config.name());
        FakeVm vm = start(config);
        vm.startedForTemplate(ram);
        return vm;
    }

    @Override
    public FakeVm startFrom(VmConfig config, dev.skiff.vm.VmTemplate template) throws IOException {
        if (badTemplates.contains(template.key())) {
            throw new VmException("QEMU refused template " + template.key() + "'s state (fake)");
        }
        FakeVm vm = start(config);
        vm.startedFromTemplate();
        fromTemplates.add(vm);
        return vm;
    }

    /** The VMs started from a template so far. */
    public List<FakeVm> fromTemplates() {
        return List.copyOf(fromTemplates);
    }

    @Override
    public FakeVm attach(String id) throws IOException {
        throw new VmException("the fake driver attaches to nothing: " + id);
    }

    @Override
    public List<String> running() {
        return started.stream().filter(v -> !v.exit().isDone()).map(FakeVm::id).toList();
    }

    /** Every VM started so far, in order. */
    public List<FakeVm> vms() {
        return List.copyOf(started);
    }

    /** The VMs started with this name (a dedicated VM's is "skiff-" and its container's short id). */
    public List<FakeVm> vms(String name) {
        return started.stream().filter(v -> v.name().equals(name)).toList();
    }

    /** The VMs still running. */
    public List<FakeVm> alive() {
        return started.stream().filter(v -> !v.exit().isDone()).toList();
    }

    /** Waits for a condition: the engine works on its own threads (exits, restarts, VM releases). */
    public static void await(String what, java.util.function.BooleanSupplier condition) {
        Eventually.await(what, condition);
    }
}
