package dev.skiff.engine.network.fabric;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A network's DNS endpoint: one query's bytes in, the response's bytes out (RFC 1035), answered
 * from a {@link Names}. This is the one place where lookups become rcodes. No EDNS: the response
 * carries no OPT record, which RFC 6891 §7 lets a server do, and so it must fit 512 bytes; what
 * does not fit is cut with TC set, and the client retries over TCP (not served yet).
 */
public final class DnsServer {
    public static final int TYPE_A = 1, TYPE_AAAA = 28, CLASS_IN = 1;
    public static final int NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5;
    /** The TTL of a network's own names, as Docker's embedded DNS gives them. */
    public static final int NETWORK_TTL = 600;
    /** A plain UDP DNS message's limit (RFC 1035 §2.3.4). */
    public static final int MAX_UDP = 512;

    private static final int QR = 0x8000, TC = 0x0200, RD = 0x0100, RA = 0x0080;
    private static final int POINTER_TO_QUESTION = 0xC000 | DnsQuestion.HEADER;

    private final Names names;

    public DnsServer(Names names) {
        this.names = names;
    }

    /** The response to a query, or empty when it deserves none (not a query, or too short to hold an id). May block in {@link Names}. */
    public Optional<byte[]> answer(ByteBuffer query) {
        ByteBuffer b = query.slice();
        if (b.limit() < DnsQuestion.HEADER || (b.getShort(2) & QR) != 0) {
            return Optional.empty(); // never answer a response: two servers could bounce forever
        }
        int id = b.getShort(0) & 0xFFFF;
        int flags = b.getShort(2) & 0xFFFF;
        if ((flags >>> 11 & 0xF) != 0) {
            return Optional.of(headerOnly(id, flags, NOTIMP)); // only QUERY: no IQUERY, STATUS, NOTIFY, UPDATE
        }
        DnsQuestion question;
        try {
            question = DnsQuestion.parse(b);
        } catch (MalformedFrameException e) {
            return Optional.of(headerOnly(id, flags, FORMERR));
        }
        if (question.qclass() != CLASS_IN) {
            return Optional.of(response(id, flags, question, NOTIMP, null));
        }
        Answer answer = names.lookup(question.name(), question.type());
        return Optional.of(switch (answer) {
            case Answer.Found found -> response(id, flags, question, NOERROR, found);
            case Answer.NoSuchName _, Answer.Unknown _ -> response(id, flags, question, NXDOMAIN, null);
            case Answer.Failed failed -> response(id, flags, question, failed.rcode() & 0xF, null);
        });
    }

    private static byte[] headerOnly(int id, int queryFlags, int rcode) {
        ByteBuffer out = ByteBuffer.allocate(DnsQuestion.HEADER);
        out.putShort(0, (short) id).putShort(2, (short) responseFlags(queryFlags, rcode));
        return out.array();
    }

    private static int responseFlags(int queryFlags, int rcode) {
        return QR | (queryFlags & 0x7800) | (queryFlags & RD) | RA | rcode; // opcode and RD echoed
    }

    /** The header, the question, and as many of the found addresses of the asked type as fit. */
    private static byte[] response(int id, int queryFlags, DnsQuestion question, int rcode, Answer.Found found) {
        ByteBuffer out = ByteBuffer.allocate(MAX_UDP);
        int flags = responseFlags(queryFlags, rcode);
        out.position(DnsQuestion.HEADER);
        question.write(out);
        int count = 0;
        if (found != null) {
            for (InetAddress address : found.addresses()) {
                int type = address instanceof Inet4Address ? TYPE_A : address instanceof Inet6Address ? TYPE_AAAA : -1;
                if (type != question.type()) {
                    continue;
                }
                byte[] data = address.getAddress();
                if (out.remaining() < 12 + data.length) {
                    flags |= TC;
                    break;
                }
                out.putShort((short) POINTER_TO_QUESTION).putShort((short) type).putShort((short) CLASS_IN);
                out.putInt(found.ttl()).putShort((short) data.length).put(data);
                count++;
            }
        }
        out.putShort(0, (short) id).putShort(2, (short) flags).putShort(4, (short) 1).putShort(6, (short) count);
        byte[] bytes = new byte[out.position()];
        out.get(0, bytes);
        return bytes;
    }
}
