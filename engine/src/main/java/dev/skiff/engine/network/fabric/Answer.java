package dev.skiff.engine.network.fabric;

import java.net.InetAddress;
import java.util.List;

/** What a {@link Names} knows about one name. */
public sealed interface Answer {
    /** Not this source's name: ask the next one (the last one in a chain turns it into NXDOMAIN). */
    Unknown UNKNOWN = new Unknown();
    /** The name does not exist: NXDOMAIN. */
    NoSuchName NO_SUCH_NAME = new NoSuchName();

    /**
     * The name exists: NOERROR with those of its addresses that match the question's type (A:
     * IPv4, AAAA: IPv6, any other type: none). So a source can return all of a name's addresses
     * whatever the type, and a known name asked for a type it lacks gets an empty NOERROR.
     */
    record Found(List<InetAddress> addresses, int ttl) implements Answer {
        public Found {
            addresses = List.copyOf(addresses);
            if (ttl < 0) {
                throw new IllegalArgumentException("negative TTL " + ttl);
            }
        }
    }

    record NoSuchName() implements Answer {}

    record Unknown() implements Answer {}

    /** An error rcode, such as {@link DnsServer#SERVFAIL} after a deadline or {@link DnsServer#NOTIMP}. */
    record Failed(int rcode) implements Answer {}

    static Found found(int ttl, InetAddress... addresses) {
        return new Found(List.of(addresses), ttl);
    }
}
