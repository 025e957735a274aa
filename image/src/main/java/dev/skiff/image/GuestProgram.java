package dev.skiff.image;

import java.nio.file.Path;
import java.util.List;

/**
 * The Java program the guest boots into: its main class, the jars on its class path, the JDK
 * modules its runtime needs and its JVM options. The agent is the default
 * ({@link AgentProgram}); a test can boot another program.
 */
public record GuestProgram(String mainClass, List<Path> jars, List<String> jdkModules, List<String> jvmOptions) {
    public GuestProgram {
        jars = List.copyOf(jars);
        jdkModules = List.copyOf(jdkModules);
        jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * JVM options that suit a small guest: one serial collector, C1 only (C2 compiles cost more
     * than they save in a short-lived guest under emulation), no perf-data file, and the CDS
     * archive mapped where it was dumped. Since JDK 20 the JVM maps it at a random address and
     * rewrites every pointer in it, which turns the pages it rewrites (mapped in place from /opt's
     * image) into private copies in the guest's RAM: 5.5 MiB of each VM, measured. The archive's
     * address is then the same in every guest; nothing else runs in the agent's address space.
     */
    public static final List<String> SMALL_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xss512k", "-Xmx96m", "--enable-native-access=ALL-UNNAMED",
            "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");
}
