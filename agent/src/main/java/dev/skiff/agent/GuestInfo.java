package dev.skiff.agent;

import dev.skiff.agent.api.GuestInfoResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the guest is: read from /proc, where the kernel keeps it. */
final class GuestInfo {
    private GuestInfo() {}

    static GuestInfoResponse collect(String agentVersion) {
        Runtime rt = Runtime.getRuntime();
        return GuestInfoResponse.newBuilder()
                .setBootId(read("/proc/sys/kernel/random/boot_id"))
                .setKernelRelease(read("/proc/sys/kernel/osrelease"))
                .setAgentVersion(agentVersion)
                .setMemoryTotalBytes(kib("/proc/meminfo", "MemTotal:"))
                .setCpus(rt.availableProcessors())
                .setAgentRssBytes(kib("/proc/self/status", "VmRSS:"))
                .setAgentHeapUsedBytes(rt.totalMemory() - rt.freeMemory())
                .build();
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** A "Key:   123 kB" line of a /proc file, in bytes. */
    static long kib(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    String[] words = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(words[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // reported as 0
        }
        return 0;
    }
}
