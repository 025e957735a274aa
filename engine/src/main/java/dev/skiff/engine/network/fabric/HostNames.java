package dev.skiff.engine.network.fabric;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The last source of names: the host's own resolver, for A and AAAA of names no network knows,
 * as Docker's embedded DNS forwards to the host's resolvers.
 *
 * <p>{@link InetAddress#getAllByName} cannot be cancelled, so each lookup runs on its own
 * virtual thread and the query waits for it only until a deadline (then SERVFAIL, and the
 * client's resolver retries). A lookup that outlives its deadline keeps its slot until it
 * returns, so at most {@link #MAX_LOOKUPS} can pile up behind a dead resolver; past that,
 * SERVFAIL at once.
 */
public final class HostNames implements Names {
    public static final Duration DEADLINE = Duration.ofMillis(1500);
    public static final int MAX_LOOKUPS = 64;
    /** Short: the host's answers change under us, and InetAddress caches them 30 s anyway. */
    public static final int TTL = 30;

    /** Special-use names that never go to a resolver (RFC 6761 §6.3-6.4, RFC 7686 §2). */
    private static final Set<String> RESERVED = Set.of("invalid", "localhost", "onion");
    /** Host names only: no IP literals or bracketed forms, which getAllByName would parse instead of looking up. */
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.[a-z_-][a-z0-9_-]*|[a-z_-][a-z0-9_-]*");

    /** The resolver, injectable so that tests never reach a real DNS server. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String name) throws UnknownHostException;
    }

    private final Resolver resolver;
    private final Duration deadline;
    private final Semaphore slots = new Semaphore(MAX_LOOKUPS);

    public HostNames() {
        this(InetAddress::getAllByName, DEADLINE);
    }

    public HostNames(Resolver resolver, Duration deadline) {
        this.resolver = resolver;
        this.deadline = deadline;
    }

    static boolean reserved(String name) {
        int dot = name.lastIndexOf('.');
        return RESERVED.contains(dot < 0 ? name : name.substring(dot + 1));
    }

    @Override
    public Answer lookup(String name, int qtype) {
        if (name.isEmpty() || reserved(name) || !HOST_NAME.matcher(name).matches()) {
            return Answer.NO_SUCH_NAME;
        }
        if (qtype != DnsServer.TYPE_A && qtype != DnsServer.TYPE_AAAA) {
            return new Answer.Failed(DnsServer.NOTIMP); // InetAddress knows addresses only
        }
        if (!slots.tryAcquire()) {
            return new Answer.Failed(DnsServer.SERVFAIL);
        }
        CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
        Thread.ofVirtual().name("dns-host-lookup").start(() -> {
            try {
                result.complete(List.of(resolver.resolve(name)));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                slots.release();
            }
        });
        try {
            return new Answer.Found(result.get(deadline.toMillis(), TimeUnit.MILLISECONDS), TTL);
        } catch (ExecutionException e) {
            // UnknownHostException covers "no such name" and, offline, "no resolver": NXDOMAIN either way, at once
            return e.getCause() instanceof UnknownHostException ? Answer.NO_SUCH_NAME : new Answer.Failed(DnsServer.SERVFAIL);
        } catch (TimeoutException e) {
            return new Answer.Failed(DnsServer.SERVFAIL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer.Failed(DnsServer.SERVFAIL);
        }
    }
}
