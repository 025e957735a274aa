package dev.skiff.engine.network.fabric;

import static dev.skiff.engine.network.fabric.TestFrames.answerCount;
import static dev.skiff.engine.network.fabric.TestFrames.dnsQuery;
import static dev.skiff.engine.network.fabric.TestFrames.rcode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsServerTest {
    private final List<String> asked = new ArrayList<>();
    private final DnsServer server = new DnsServer((name, qtype) -> {
        asked.add(name);
        return switch (name) {
            case "api", "backend" -> Answer.found(DnsServer.NETWORK_TTL, addr("172.18.0.2"), addr("fd00::2"));
            case "many" -> {
                List<InetAddress> all = new ArrayList<>();
                for (int i = 1; i <= 100; i++) {
                    all.add(addr("10.0." + i + ".1"));
                }
                yield new Answer.Found(all, 600);
            }
            case "slow" -> new Answer.Failed(DnsServer.SERVFAIL);
            default -> Answer.UNKNOWN;
        };
    });

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: parsed, never looked up
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private ByteBuffer ask(byte[] query) {
        return ByteBuffer.wrap(server.answer(ByteBuffer.wrap(query)).orElseThrow());
    }

    @Test
    void answersANetworkNameWithItsAddressAndTtl() {
        ByteBuffer r = ask(dnsQuery(0x1234, "api", DnsServer.TYPE_A));
        assertEquals(0x1234, r.getShort(0) & 0xFFFF);
        assertEquals(0x8180, r.getShort(2) & 0xFFFF); // QR, RD echoed, RA, NOERROR
        assertEquals(1, answerCount(r));
        int answer = 12 + 5 + 4; // header, "\3api\0", type and class
        assertEquals(0xC00C, r.getShort(answer) & 0xFFFF);
        assertEquals(DnsServer.TYPE_A, r.getShort(answer + 2));
        assertEquals(600, r.getInt(answer + 6));
        assertEquals(4, r.getShort(answer + 10));
        assertEquals(Ip4Address.parse("172.18.0.2").bits(), r.getInt(answer + 12));
        assertEquals(answer + 16, r.limit());
    }

    @Test
    void lookupIsCaseInsensitiveAndTheQuestionComesBackAsAsked() {
        ByteBuffer r = ask(dnsQuery(1, "aPi", DnsServer.TYPE_A));
        assertEquals("api", asked.getLast());
        assertEquals('P', r.get(12 + 2));
        assertEquals(1, answerCount(r));
    }

    @Test
    void knownNameWithoutThatTypeIsAnEmptyNoError() {
        ByteBuffer aaaa = ask(dnsQuery(1, "backend", DnsServer.TYPE_AAAA));
        assertEquals(DnsServer.NOERROR, rcode(aaaa));
        assertEquals(1, answerCount(aaaa)); // it has an IPv6 address here
        ByteBuffer mx = ask(dnsQuery(1, "api", 15));
        assertEquals(DnsServer.NOERROR, rcode(mx));
        assertEquals(0, answerCount(mx));
    }

    @Test
    void unknownNamesAreNxdomainAndFailuresKeepTheirRcode() {
        assertEquals(DnsServer.NXDOMAIN, rcode(ask(dnsQuery(1, "nosuch", DnsServer.TYPE_A))));
        assertEquals(DnsServer.SERVFAIL, rcode(ask(dnsQuery(1, "slow", DnsServer.TYPE_A))));
    }

    @Test
    void aLongAnswerIsCutTo512BytesWithTcSet() {
        ByteBuffer r = ask(dnsQuery(1, "many", DnsServer.TYPE_A));
        assertTrue(r.limit() <= 512, "" + r.limit());
        assertTrue((r.getShort(2) & 0x0200) != 0, "TC");
        assertEquals((512 - 12 - 10) / 16, answerCount(r));
    }

    @Test
    void otherOpcodesAreNotImplemented() {
        byte[] q = dnsQuery(7, "api", DnsServer.TYPE_A);
        q[2] = 0x28; // opcode 5, UPDATE
        ByteBuffer r = ask(q);
        assertEquals(DnsServer.NOTIMP, rcode(r));
        assertEquals(5, (r.get(2) >> 3) & 0xF);
        assertTrue(asked.isEmpty());
    }

    @Test
    void malformedQueriesGetFormerrOrNothing() {
        assertTrue(server.answer(ByteBuffer.allocate(11)).isEmpty());
        byte[] response = dnsQuery(1, "api", DnsServer.TYPE_A);
        response[2] |= (byte) 0x80;
        assertTrue(server.answer(ByteBuffer.wrap(response)).isEmpty(), "a response is never answered");

        byte[] cut = dnsQuery(1, "api", DnsServer.TYPE_A);
        assertEquals(DnsServer.FORMERR, rcode(ask(java.util.Arrays.copyOf(cut, cut.length - 1))));
        byte[] two = dnsQuery(1, "api", DnsServer.TYPE_A);
        two[5] = 2;
        assertEquals(DnsServer.FORMERR, rcode(ask(two)));
        byte[] badLabel = dnsQuery(1, "a.b", DnsServer.TYPE_A);
        badLabel[13] = '.';
        assertEquals(DnsServer.FORMERR, rcode(ask(badLabel)));
        byte[] longLabel = dnsQuery(1, "api", DnsServer.TYPE_A);
        longLabel[12] = 0x40;
        assertEquals(DnsServer.FORMERR, rcode(ask(longLabel)));
        assertTrue(asked.isEmpty());
    }

    @Test
    void compressionPointersAreFollowedBackwardsOnly() {
        // a question that is only a pointer to offset 6, where ANCOUNT holds 01 'a' and NSCOUNT's high byte ends the name
        byte[] backwards = {0, 1, 1, 0, 0, 1, 1, 'a', 0, 0, 0, 0, (byte) 0xC0, 6, 0, 1, 0, 1};
        ByteBuffer r = ask(backwards);
        assertEquals("a", asked.getLast());
        assertEquals(DnsServer.NXDOMAIN, rcode(r));
        assertEquals(1, r.get(12)); // the question comes back uncompressed
        assertEquals('a', r.get(13));

        byte[] self = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertEquals(DnsServer.FORMERR, rcode(ask(self)));
        byte[] forward = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 14, 1, 'a', 0, 0, 1, 0, 1};
        assertEquals(DnsServer.FORMERR, rcode(ask(forward)));
        byte[] loop = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 'b', (byte) 0xC0, 10, 0, 1, 0, 1}; // 10 -> "b" then back to 12 -> 10...
        assertEquals(DnsServer.FORMERR, rcode(ask(loop)));
    }

    @Test
    void nonInternetClassIsNotImplemented() {
        byte[] chaos = dnsQuery(1, "api", DnsServer.TYPE_A);
        chaos[chaos.length - 1] = 3;
        assertEquals(DnsServer.NOTIMP, rcode(ask(chaos)));
    }
}
