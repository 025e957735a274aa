package dev.skiff.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** What every repository of one {@link RegistryClient} shares: settings, HTTP clients, tokens, one timer. */
final class ClientContext implements AutoCloseable {
    /** Docker waits 5, 10, 15 ... seconds between attempts of a blob (moby {@code xfer/download.go}). */
    static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(5);

    final RegistryConfig config;
    final Transport transport;
    final Endpoints endpoints;
    final TokenCache tokens = new TokenCache(System::nanoTime);
    final TokenService tokenService;
    /** Checks open blob bodies for idleness; its one thread only closes streams, never reads. */
    final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("skiff-registry-watchdog").factory());
    /** The unit of the backoff between attempts; tests shorten it. */
    volatile Duration retryBase = DEFAULT_RETRY_BASE;

    ClientContext(RegistryConfig config) throws IOException {
        this.config = config;
        this.transport = new Transport(config);
        this.endpoints = new Endpoints(config);
        this.tokenService = new TokenService(transport, endpoints);
    }

    /** Waits between attempts; an interrupt ends the wait and is kept. */
    static boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        transport.close();
    }
}
