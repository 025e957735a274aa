package dev.skiff.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Bearer tokens shared by every repository of one client, so that concurrent blob reads and later pulls of
 * the same repository ask the token service once per expiry (distribution's token.md: "expires_in ... defaults
 * to 60 seconds" and a client may cache until then).
 */
final class TokenCache {
    /** Tokens are dropped this long before they expire, so a request does not arrive with a stale one. */
    private static final long MARGIN_NANOS = Duration.ofSeconds(5).toNanos();

    /**
     * @param account who the token is for: tokens of different credentials must never be mixed
     */
    record Key(String realm, String service, SortedSet<String> scopes, String account) {
        static Key of(String realm, String service, List<String> scopes, String account) {
            return new Key(realm, service == null ? "" : service, new TreeSet<>(scopes), account);
        }
    }

    /** A token a fetch produced. */
    @FunctionalInterface
    interface Fetch {
        TokenService.Token get() throws RegistryException;
    }

    private record Entry(String token, long expiresAtNanos) {}

    private final Map<Key, Entry> tokens = new ConcurrentHashMap<>();
    private final Map<Key, Object> locks = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    TokenCache(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * The cached token for {@code key}, or a new one from {@code fetch}. With {@code refresh}, a cached token
     * equal to {@code rejected} (the one the registry just answered 401 to) is not used again. One fetch runs
     * per key at a time; the others wait for it and share its token.
     */
    String get(Key key, String rejected, Fetch fetch) throws RegistryException {
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            Entry e = tokens.get(key);
            long now = nanoClock.getAsLong();
            if (e != null && now - e.expiresAtNanos < 0 && !e.token.equals(rejected)) {
                return e.token;
            }
            TokenService.Token t = fetch.get();
            long ttl = Duration.ofSeconds(t.expiresInSeconds()).toNanos() - MARGIN_NANOS;
            tokens.put(key, new Entry(t.token(), now + Math.max(ttl, 0)));
            return t.token();
        }
    }
}
