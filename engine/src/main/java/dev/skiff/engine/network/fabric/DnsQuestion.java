package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The one question of a DNS query (RFC 1035 §4.1.2). The name keeps the case it came in (a
 * resolver may randomize it and check the echo); {@link #name()} is the lower-case form for
 * lookups.
 */
public record DnsQuestion(String wireName, int type, int qclass) {
    static final int HEADER = 12;
    private static final int MAX_NAME = 255, MAX_LABEL = 63, MAX_POINTERS = 16;

    /**
     * Reads the question that follows the 12-byte header. Compression pointers are followed only
     * backwards, at most 16 of them, so a hostile message cannot loop; labels must be printable
     * ASCII without dots, so that the text form is unambiguous.
     */
    static DnsQuestion parse(ByteBuffer message) throws MalformedFrameException {
        ByteBuffer b = message.slice();
        if (b.limit() < HEADER || (b.getShort(4) & 0xFFFF) != 1) {
            throw new MalformedFrameException("DNS query without exactly one question");
        }
        StringBuilder name = new StringBuilder();
        int at = HEADER, end = -1, pointers = 0, wireLength = 1;
        while (true) {
            int len = unsigned(b, at);
            if ((len & 0xC0) == 0xC0) {
                int target = (len & 0x3F) << 8 | unsigned(b, at + 1);
                if (end < 0) {
                    end = at + 2;
                }
                if (target >= at || ++pointers > MAX_POINTERS) {
                    throw new MalformedFrameException("DNS compression pointer forward or looping");
                }
                at = target;
                continue;
            }
            if (len > MAX_LABEL) {
                throw new MalformedFrameException("DNS label type " + len);
            }
            if (len == 0) {
                at++;
                break;
            }
            wireLength += len + 1;
            if (wireLength > MAX_NAME) {
                throw new MalformedFrameException("DNS name over 255 bytes");
            }
            for (int i = at + 1; i <= at + len; i++) {
                byte c = b.get(i);
                if (c <= 0x20 || c >= 0x7F || c == '.') {
                    throw new MalformedFrameException("DNS label byte " + (c & 0xFF));
                }
            }
            if (!name.isEmpty()) {
                name.append('.');
            }
            name.append(StandardCharsets.US_ASCII.decode(b.slice(at + 1, len)));
            at += len + 1;
        }
        if (end < 0) {
            end = at;
        }
        if (end + 4 > b.limit()) {
            throw new MalformedFrameException("DNS question cut short");
        }
        return new DnsQuestion(name.toString(), b.getShort(end) & 0xFFFF, b.getShort(end + 2) & 0xFFFF);
    }

    private static int unsigned(ByteBuffer b, int index) throws MalformedFrameException {
        if (index >= b.limit()) {
            throw new MalformedFrameException("DNS name runs past the message");
        }
        return b.get(index) & 0xFF;
    }

    public String name() {
        return wireName.toLowerCase(Locale.ROOT);
    }

    /** The question uncompressed, as a response repeats it. */
    void write(ByteBuffer out) {
        if (!wireName.isEmpty()) {
            for (String label : wireName.split("\\.")) {
                out.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.put((byte) 0).putShort((short) type).putShort((short) qclass);
    }

    /** Bytes {@link #write} takes. */
    int wireSize() {
        return (wireName.isEmpty() ? 1 : wireName.length() + 2) + 4;
    }
}
