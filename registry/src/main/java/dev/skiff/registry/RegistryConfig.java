package dev.skiff.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The daemon's registry settings, with dockerd's names ({@code daemon.json}).
 *
 * @param mirrors              {@code registry-mirrors}: URLs tried in order before Docker Hub, for Docker Hub
 *                             names only, and never for push
 * @param insecureRegistries   {@code insecure-registries}: "host[:port]" or CIDR blocks; loopback is always
 *                             insecure. An insecure registry is tried over HTTPS without certificate checks,
 *                             then over plain HTTP
 * @param certsDir             per-registry CA certificates: {@code <certsDir>/<host[:port]>/*.crt}; null for none
 * @param maxDownloadAttempts  {@code max-download-attempts}: tries of one blob before giving up (Docker: 5)
 * @param connectTimeout       for each connection
 * @param idleTimeout          a response body that delivers nothing for this long counts as a failed attempt
 */
public record RegistryConfig(List<String> mirrors, List<String> insecureRegistries, Path certsDir,
                             int maxDownloadAttempts, Duration connectTimeout, Duration idleTimeout) {
    public static RegistryConfig defaults() {
        return new RegistryConfig(List.of(), List.of(), null, 5, Duration.ofSeconds(30), Duration.ofSeconds(60));
    }
}
