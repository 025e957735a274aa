package dev.skiff.engine.network.fabric;

/**
 * A source of names for a network's DNS endpoint: the daemon's per-network container names,
 * aliases and short ids, then the host's resolver ({@link HostNames}). Called on a virtual
 * thread, one per query; may block, and must be thread-safe.
 */
@FunctionalInterface
public interface Names {
    /**
     * @param name the queried name in lower case, without the trailing dot ("api", "db.example.com")
     * @param qtype the question's type: {@link DnsServer#TYPE_A}, {@link DnsServer#TYPE_AAAA}, or another
     */
    Answer lookup(String name, int qtype);

    /** This source, then {@code next} for the names this one answers {@link Answer#UNKNOWN}. */
    default Names orElse(Names next) {
        return (name, qtype) -> {
            Answer answer = lookup(name, qtype);
            return answer instanceof Answer.Unknown ? next.lookup(name, qtype) : answer;
        };
    }
}
