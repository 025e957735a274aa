package dev.skiff.guest.selftest;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Bounded line reading and writing shared by both ends of the self-test protocol. */
final class LineIo {
    private LineIo() {}

    /** Reads one line without its newline; null at end of stream before any byte. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("stream ended inside a line");
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= SelftestProtocol.MAX_LINE) {
                throw new IOException("line longer than " + SelftestProtocol.MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    static void writeLine(OutputStream out, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SelftestProtocol.MAX_LINE) {
            throw new IOException("line longer than " + SelftestProtocol.MAX_LINE + " bytes");
        }
        out.write(bytes);
        out.flush();
    }
}
