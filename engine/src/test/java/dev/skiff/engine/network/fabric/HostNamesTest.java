package dev.skiff.engine.network.fabric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** No test here reaches a real resolver: names are reserved, refused before lookup, or answered by a stub. */
class HostNamesTest {
    private final List<String> resolved = new CopyOnWriteArrayList<>();

    private HostNames stub(HostNames.Resolver resolver, Duration deadline) {
        return new HostNames(name -> {
            resolved.add(name);
            return resolver.resolve(name);
        }, deadline);
    }

    @Test
    void reservedNamesAreNxdomainWithoutAnyLookup() {
        HostNames names = stub(name -> {
            throw new AssertionError("looked up " + name);
        }, Duration.ofSeconds(1));
        for (String name : List.of("nosuch.invalid", "invalid", "localhost", "a.b.localhost", "x.onion", "", "1.2.3.4", "[::1]", "a..b")) {
            assertEquals(Answer.NO_SUCH_NAME, names.lookup(name, DnsServer.TYPE_A), name);
        }
        assertTrue(resolved.isEmpty());
        // and the real one, which would look up anything else (the stub above shows no lookup is made)
        assertEquals(Answer.NO_SUCH_NAME, new HostNames().lookup("nosuch.invalid", DnsServer.TYPE_AAAA));
    }

    @Test
    void aLookupPastTheDeadlineIsServfail() {
        HostNames names = stub(name -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(name);
        }, Duration.ofMillis(100));
        // Had the lookup been awaited, its UnknownHostException would have made NXDOMAIN.
        assertEquals(new Answer.Failed(DnsServer.SERVFAIL), names.lookup("slow.example", DnsServer.TYPE_A));
    }

    @Test
    void foundAndNotFoundAndOtherTypes() throws Exception {
        InetAddress address = InetAddress.getByAddress("db.example", new byte[] {10, 0, 0, 5});
        HostNames names = stub(name -> {
            if (name.equals("db.example")) {
                return new InetAddress[] {address};
            }
            throw new UnknownHostException(name);
        }, Duration.ofSeconds(1));
        Answer.Found found = assertInstanceOf(Answer.Found.class, names.lookup("db.example", DnsServer.TYPE_A));
        assertEquals(List.of(address), found.addresses());
        assertEquals(HostNames.TTL, found.ttl());
        assertEquals(Answer.NO_SUCH_NAME, names.lookup("gone.example", DnsServer.TYPE_AAAA));
        assertEquals(new Answer.Failed(DnsServer.NOTIMP), names.lookup("db.example", 15));
        assertEquals(List.of("db.example", "gone.example"), resolved);
    }
}
