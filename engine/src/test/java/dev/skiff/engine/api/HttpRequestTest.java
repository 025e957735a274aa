package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 codec over in-memory streams: requests, bodies, limits, replies. */
class HttpRequestTest {
    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesRequestLineHeadersQueryAndFixedBody() throws IOException {
        InputStream in = bytes("POST /v1.47/images/create?fromSrc=-&repo=a%2Fb&changes=ENV+A%3D1&changes=CMD+x HTTP/1.1\r\n"
                + "host: d\r\nContent-Length: 3\r\nX-A: 1\r\nx-a: 2\r\n\r\nabcGET /_ping HTTP/1.0\r\n\r\n");
        HttpRequest r = HttpRequest.read(in);
        assertEquals("POST", r.method());
        assertEquals("/v1.47/images/create", r.path());
        assertEquals(List.of("a/b"), r.query().get("repo"));
        assertEquals(List.of("ENV A=1", "CMD x"), r.query().get("changes"));
        assertEquals("1, 2", r.header("X-A"));
        assertEquals("d", r.header("HOST"));
        assertEquals("abc", new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(r.keepAlive());
        HttpRequest next = HttpRequest.read(in);
        assertEquals("/_ping", next.path());
        assertEquals(-1, next.body().read());
        assertTrue(!next.keepAlive());
        assertNull(HttpRequest.read(in));
    }

    @Test
    void decodesChunkedBodiesWithExtensionsAndTrailers() throws IOException {
        byte[] chunked = RawClient.chunked("hello, chunked world".getBytes(StandardCharsets.UTF_8), 3);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes("POST /images/load HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        raw.writeBytes(chunked);
        raw.writeBytes("GET /_ping HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        InputStream in = new ByteArrayInputStream(raw.toByteArray());
        assertEquals("hello, chunked world", new String(HttpRequest.read(in).body().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals("/_ping", HttpRequest.read(in).path()); // the trailer was consumed
    }

    @Test
    void pathKeepsPlusButQueryDecodesIt() throws IOException {
        HttpRequest r = HttpRequest.read(bytes("GET /images/a+b%3A1/json?x=a+b HTTP/1.1\r\n\r\n"));
        assertEquals("/images/a+b:1/json", r.path());
        assertEquals(List.of("a b"), r.query().get("x"));
    }

    @Test
    void limitsAndMalformedInputAreTypedErrors() {
        HttpException tooLong = assertThrows(HttpException.class,
                () -> HttpRequest.read(bytes("GET /" + "a".repeat(HttpRequest.MAX_LINE) + " HTTP/1.1\r\n\r\n")));
        assertEquals(431, tooLong.status());
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i <= HttpRequest.MAX_HEADERS; i++) {
            many.append("H").append(i).append(": v\r\n");
        }
        assertEquals(431, assertThrows(HttpException.class, () -> HttpRequest.read(bytes(many + "\r\n"))).status());
        assertEquals(400, assertThrows(HttpException.class, () -> HttpRequest.read(bytes("GET /\r\n\r\n"))).status());
        assertEquals(400, assertThrows(HttpException.class,
                () -> HttpRequest.read(bytes("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"))).status());
        assertEquals(501, assertThrows(HttpException.class,
                () -> HttpRequest.read(bytes("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"))).status());
        assertEquals(501, assertThrows(HttpException.class,
                () -> HttpRequest.read(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"))).status(),
                "a coding under the chunked one would be read as if it were not there");
        assertEquals(400, assertThrows(HttpException.class, () -> HttpRequest.read(bytes(
                "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"))).status(),
                "both framings: refused, as a proxy in between may have used the other");
        assertThrows(HttpException.class, () -> HttpRequest.read(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
                .body().readAllBytes());
        assertThrows(HttpException.class, () -> HttpRequest.read(bytes("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc"))
                .body().readAllBytes());
    }

    /** RFC 9110 section 8.6: 1*DIGIT, nothing Long.parseLong takes besides; the same for a chunk's size in hex. */
    @Test
    void contentLengthAndChunkSizeAreDigitsOnly() throws IOException {
        for (String value : List.of("+2", "-1", "-0", "0x10", "1,1", "1 1", "", "2x", "99999999999999999999")) {
            HttpException e = assertThrows(HttpException.class,
                    () -> HttpRequest.read(bytes("POST / HTTP/1.1\r\nContent-Length: " + value + "\r\n\r\nab")), value);
            assertEquals(400, e.status(), value);
        }
        assertEquals(400, assertThrows(HttpException.class, () -> HttpRequest.read(bytes(
                "POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 1\r\n\r\nab"))).status(), "two lengths");
        assertEquals(400, assertThrows(HttpException.class, () -> HttpRequest.read(bytes(
                "POST / HTTP/1.1\r\nContent-Length : 2\r\n\r\nab"))).status(), "space before the colon");
        HttpRequest same = HttpRequest.read(bytes("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"));
        assertEquals("ab", new String(same.body().readAllBytes(), StandardCharsets.UTF_8), "one value repeated: taken");
        assertEquals("ab", new String(HttpRequest.read(bytes("POST / HTTP/1.1\r\nContent-Length: \t002 \r\n\r\nab"))
                .body().readAllBytes(), StandardCharsets.UTF_8), "white space around the value is not part of it");
        for (String size : List.of("+2", "-2", "0x2", "")) {
            assertThrows(HttpException.class, () -> HttpRequest.read(bytes(
                    "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nab\r\n0\r\n\r\n"))
                    .body().readAllBytes(), size);
        }
    }

    @Test
    void repliesCarryDockersHeadersAndChunks() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HttpResponse response = new HttpResponse(out, false, true);
        try (var body = response.startChunked(200, "application/json")) {
            body.write("{}".getBytes(StandardCharsets.UTF_8));
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("HTTP/1.1 200 OK\r\n"), text);
        assertTrue(text.contains("Api-Version: 1.47\r\n") && text.contains("Server: Skiff/0.1.0\r\n"), text);
        assertTrue(text.endsWith("\r\n\r\n2\r\n{}\r\n0\r\n\r\n"), text);
        assertThrows(IllegalStateException.class, () -> response.sendEmpty(204));
    }

    @Test
    void streamsFrameHeaderIsDockers() {
        byte[] header = Streams.header(Backend.StreamType.STDERR, 0x01020304);
        assertEquals(List.of(2, 0, 0, 0, 1, 2, 3, 4), List.of(header[0] + 0, header[1] + 0, header[2] + 0, header[3] + 0,
                header[4] + 0, header[5] + 0, header[6] + 0, header[7] + 0));
    }
}
