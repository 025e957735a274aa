package dev.skiff.guest.selftest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The host's end of the self-test protocol, over any byte stream to the control port. */
public final class SelftestClient {
    private final InputStream in;
    private final OutputStream out;

    public SelftestClient(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /**
     * Sends one request and returns the result text after {@code OK} (possibly empty).
     *
     * @throws IOException with the guest's message on {@code ERR}, or if the stream ends
     */
    public synchronized String call(String... words) throws IOException {
        String request = String.join(" ", words);
        LineIo.writeLine(out, request);
        String reply = LineIo.readLine(in);
        if (reply == null) {
            throw new EOFException("guest closed the control channel during " + words[0]);
        }
        if (reply.equals("OK")) {
            return "";
        }
        if (reply.startsWith("OK ")) {
            return reply.substring(3);
        }
        if (reply.startsWith("ERR ")) {
            throw new IOException("guest failed " + words[0] + ": " + reply.substring(4));
        }
        throw new IOException("guest sent a malformed reply to " + words[0] + ": "
                + reply.substring(0, Math.min(reply.length(), 80)));
    }
}
