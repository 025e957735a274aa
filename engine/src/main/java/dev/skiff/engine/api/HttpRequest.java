package dev.skiff.engine.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One parsed HTTP/1.1 request (RFC 9112): request line, header fields and a body stream bounded
 * by Content-Length or decoded from the chunked coding. Without either the body is empty, as
 * RFC 9112 section 6.3 says for requests.
 *
 * @param path the decoded path, version prefix still on (the {@link Router} strips it)
 * @param query decoded query parameters; a name may repeat ({@code changes=} of docker import)
 * @param headers field names case-insensitive; repeated fields joined with ", "
 */
record HttpRequest(String method, String target, String path, Map<String, List<String>> query,
                   Map<String, String> headers, String version, InputStream body) {
    /** The longest request line, header line or chunk size line accepted. */
    static final int MAX_LINE = 8 * 1024;
    /** The most header fields accepted in one request. */
    static final int MAX_HEADERS = 128;

    /**
     * Reads the next request from a connection.
     *
     * @return null if the client closed the connection cleanly between requests
     */
    static HttpRequest read(InputStream in) throws IOException {
        int first = in.read();
        while (first == '\r' || first == '\n') { // RFC 9112 section 2.2: ignore empty lines before a request
            first = in.read();
        }
        if (first < 0) {
            return null;
        }
        String requestLine = (char) first + readLine(in, "request line");
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            throw HttpException.malformed("bad request line '" + requestLine + "'");
        }
        Map<String, String> headers = readHeaders(in);
        String target = parts[1];
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        Map<String, List<String>> query = q < 0 ? Map.of() : parseQuery(target.substring(q + 1));
        return new HttpRequest(parts[0], target, percentDecode(rawPath, false), query, headers, parts[2],
                body(in, headers));
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int count = 0; ; count++) {
            String line = readLine(in, "header line");
            if (line.isEmpty()) {
                return Collections.unmodifiableMap(headers);
            }
            if (count == MAX_HEADERS) {
                throw new HttpException(431, "more than " + MAX_HEADERS + " header fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw HttpException.malformed("bad header line '" + line + "'");
            }
            String name = line.substring(0, colon);
            if (name.indexOf(' ') >= 0 || name.indexOf('\t') >= 0) {
                // RFC 9112 section 5.1 says to refuse these: "Content-Length : 5" read as another field
                // (or a folded line read as a field of its own) would frame the body differently than a
                // proxy in front of us did
                throw HttpException.malformed("white space in the header field name '" + name + "'");
            }
            String value = withoutOws(line.substring(colon + 1));
            String earlier = headers.get(name);
            if (earlier != null && name.equalsIgnoreCase("Content-Length")) {
                // RFC 9112 section 6.3 lets repeated Content-Length fields with one same value stand for
                // it (Go's server takes them so); differing ones frame the body two ways and are refused
                if (!earlier.equals(value)) {
                    throw HttpException.malformed("Content-Length given twice, as '" + earlier + "' and '"
                            + value + "'");
                }
                continue;
            }
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
    }

    /** A field value without the optional white space around it (RFC 9110 section 5.5): spaces and tabs only. */
    static String withoutOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    private static InputStream body(InputStream in, Map<String, String> headers) throws HttpException {
        String coding = headers.get("Transfer-Encoding");
        String length = headers.get("Content-Length");
        if (coding != null) {
            // Strict framing (RFC 9112 section 6.1): only the chunked coding, alone, as Go's server
            // takes; with a Content-Length too the request is refused, since a proxy in between might
            // have framed it by the other one (request smuggling).
            if (!coding.trim().equalsIgnoreCase("chunked")) {
                throw new HttpException(501, "unsupported Transfer-Encoding '" + coding + "': only chunked is");
            }
            if (length != null) {
                throw HttpException.malformed("both Transfer-Encoding and Content-Length are given");
            }
            return new ChunkedInputStream(in);
        }
        if (length == null) {
            return InputStream.nullInputStream();
        }
        return new FixedLengthInputStream(in, contentLength(length));
    }

    /**
     * A Content-Length value: RFC 9110 section 8.6 allows only 1*DIGIT. Long.parseLong alone would
     * also take "+2", "-0" and digits of other scripts, values a proxy in front of us may read
     * otherwise or not at all, so the body would end elsewhere for it than for us.
     */
    static long contentLength(String value) throws HttpException {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw HttpException.malformed("bad Content-Length '" + value + "': it must be a decimal number of bytes");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw HttpException.malformed("bad Content-Length '" + value + "': too large");
        }
    }

    /** Reads one line ending in LF (a CR before it is dropped), at most {@link #MAX_LINE} bytes. */
    static String readLine(InputStream in, String what) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw HttpException.malformed("connection closed inside the " + what);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() == MAX_LINE) {
                throw HttpException.tooLong(what, MAX_LINE);
            }
            line.write(b);
        }
    }

    static Map<String, List<String>> parseQuery(String raw) throws HttpException {
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = percentDecode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1), true);
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return Collections.unmodifiableMap(query);
    }

    /** Percent-decoding as UTF-8; '+' means a space only in a query (form encoding). */
    static String percentDecode(String s, boolean plusIsSpace) throws HttpException {
        if (s.indexOf('%') < 0 && !(plusIsSpace && s.indexOf('+') >= 0)) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw HttpException.malformed("truncated percent escape in '" + s + "'");
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw HttpException.malformed("bad percent escape in '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    String header(String name) {
        return headers.get(name);
    }

    /** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless told to keep it. */
    boolean keepAlive() {
        String connection = headers.getOrDefault("Connection", "").toLowerCase();
        return version.equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
    }

    /** HEAD: the reply carries the headers a GET would, without the body. */
    boolean isHead() {
        return method.equals("HEAD");
    }
}
