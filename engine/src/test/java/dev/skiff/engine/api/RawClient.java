package dev.skiff.engine.api;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bare HTTP/1.1 client over the unix socket for the tests: it writes requests byte for byte and
 * reads replies piece by piece, so tests can see exactly when headers, chunks and frames arrive.
 */
final class RawClient implements AutoCloseable {
    record Reply(int status, String reason, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    final SocketChannel channel;
    final InputStream in;
    final OutputStream out;

    RawClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        in = new BufferedInputStream(Channels.newInputStream(channel));
        out = Channels.newOutputStream(channel);
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** A request with a JSON or empty body and Content-Length. */
    Reply request(String method, String target, String body) throws IOException {
        return request(method, target, "application/json",
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    /** A request with a body of that type (a tar for docker cp) and Content-Length. */
    Reply request(String method, String target, String contentType, byte[] body) throws IOException {
        send(method + " " + target + " HTTP/1.1\r\nHost: docker\r\nContent-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n");
        send(body);
        return readReply(method.equals("HEAD"));
    }

    /** Status line and headers only. */
    Reply readHead() throws IOException {
        String status = HttpRequest.readLine(in, "status line");
        String[] parts = status.split(" ", 3);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String line;
        while (!(line = HttpRequest.readLine(in, "header")).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        return new Reply(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "", headers, new byte[0]);
    }

    Reply readReply(boolean head) throws IOException {
        Reply reply = readHead();
        byte[] body;
        if (head || reply.status == 204 || reply.status == 304) {
            body = new byte[0];
        } else if ("chunked".equals(reply.header("Transfer-Encoding"))) {
            body = new ChunkedInputStream(in).readAllBytes();
        } else if (reply.header("Content-Length") != null) {
            body = in.readNBytes(Integer.parseInt(reply.header("Content-Length")));
        } else {
            body = in.readAllBytes();
        }
        return new Reply(reply.status, reply.reason, reply.headers, body);
    }

    /** Reads one chunk of a chunked body (null at the last chunk). */
    byte[] readChunk() throws IOException {
        int size = Integer.parseInt(HttpRequest.readLine(in, "chunk size"), 16);
        if (size == 0) {
            HttpRequest.readLine(in, "end");
            return null;
        }
        byte[] data = in.readNBytes(size);
        HttpRequest.readLine(in, "chunk end");
        return data;
    }

    /** Reads one multiplexed frame from a raw stream: {type, payload}, or null at EOF. */
    static Object[] readFrame(InputStream in) throws IOException {
        byte[] header = in.readNBytes(8);
        if (header.length == 0) {
            return null;
        }
        int length = (header[4] & 0xff) << 24 | (header[5] & 0xff) << 16 | (header[6] & 0xff) << 8 | header[7] & 0xff;
        return new Object[] {(int) header[0], new String(in.readNBytes(length), StandardCharsets.UTF_8)};
    }

    static String frames(byte[] body) throws IOException {
        StringBuilder sb = new StringBuilder();
        InputStream in = new java.io.ByteArrayInputStream(body);
        Object[] frame;
        while ((frame = readFrame(in)) != null) {
            sb.append(frame[0]).append(':').append(frame[1]);
        }
        return sb.toString();
    }

    static byte[] chunked(byte[] body, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += chunk) {
            int n = Math.min(chunk, body.length - i);
            out.writeBytes((Integer.toHexString(n) + ";ext=1\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\nX-Trailer: yes\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
