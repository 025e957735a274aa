package dev.skiff.image.kernel;

import dev.skiff.image.elf.ElfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Resolves module names to .ko files and orders them so that every module comes after the ones
 * it depends on. Debian's package ships no modules.dep (depmod makes it at install time), so the
 * dependencies are read from each module's {@code .modinfo} {@code depends=} entry, as depmod does.
 * Modules built into the kernel (modules.builtin) need no file and are skipped.
 */
public final class KernelModules {
    private final Path moduleRoot; // lib/modules/VERSION
    private final Map<String, Path> byName = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();

    public KernelModules(Path moduleRoot) throws IOException {
        this.moduleRoot = moduleRoot;
        try (Stream<Path> walk = Files.walk(moduleRoot.resolve("kernel"))) {
            walk.filter(p -> p.toString().endsWith(".ko")).forEach(p -> byName.put(canonical(p), p));
        }
        Path builtinList = moduleRoot.resolve("modules.builtin");
        if (Files.exists(builtinList)) {
            for (String line : Files.readAllLines(builtinList)) {
                if (!line.isBlank()) {
                    builtin.add(canonical(Path.of(line.strip())));
                }
            }
        }
    }

    /** Module names treat '-' and '_' alike; the canonical form uses '_'. */
    static String canonical(Path ko) {
        String f = ko.getFileName().toString();
        return f.substring(0, f.length() - ".ko".length()).replace('-', '_');
    }

    /** The .ko files for {@code wanted} and everything they depend on, dependencies first. */
    public List<Path> resolve(List<String> wanted) throws IOException {
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : wanted) {
            visit(name.replace('-', '_'), ordered, new HashSet<>());
        }
        List<Path> result = new ArrayList<>();
        for (String name : ordered) {
            result.add(byName.get(name));
        }
        return result;
    }

    private void visit(String name, Set<String> ordered, Set<String> inProgress) throws IOException {
        if (ordered.contains(name) || builtin.contains(name)) {
            return;
        }
        Path ko = byName.get(name);
        if (ko == null) {
            throw new IOException("kernel module " + name + " is neither in " + moduleRoot + " nor built in");
        }
        if (!inProgress.add(name)) {
            throw new IOException("kernel modules depend on each other in a cycle through " + name);
        }
        for (String info : ElfFile.read(ko).modinfo()) {
            if (info.startsWith("depends=")) {
                for (String dep : info.substring("depends=".length()).split(",")) {
                    if (!dep.isBlank()) {
                        visit(dep.strip().replace('-', '_'), ordered, inProgress);
                    }
                }
            }
        }
        inProgress.remove(name);
        ordered.add(name);
    }

    /** The path of a module file relative to the module root's parent's parent ("lib/modules/V/..."). */
    public String relativeToRoot(Path ko) {
        return "lib/modules/" + moduleRoot.getFileName() + "/" + moduleRoot.relativize(ko);
    }
}
