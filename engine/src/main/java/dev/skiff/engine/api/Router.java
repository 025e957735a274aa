package dev.skiff.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The route table and the one place where errors become HTTP replies. Paths may carry Docker's
 * version prefix ({@code /v1.47/containers/json}); it is stripped before matching. A pattern's
 * {@code {name}} matches one path segment and {@code {name*}} one or more (image references such
 * as {@code library/busybox:latest} contain '/'). An unknown route is Docker's 404
 * {@code {"message":"page not found"}}.
 */
final class Router {
    private static final Logger LOG = System.getLogger(Router.class.getName());
    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v[0-9]+(\\.[0-9]+)?(?=/)");
    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)(\\*?)}");

    /** A route's handler: validate, call the backend, reply. */
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws EngineException, IOException;
    }

    private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, Handler handler) {
        StringBuilder regex = new StringBuilder("^");
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            regex.append(m.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last))).append('$');
        routes.add(new Route(method, Pattern.compile(regex.toString()), names, handler));
        return this;
    }

    static String stripVersion(String path) {
        return VERSION_PREFIX.matcher(path).replaceFirst("");
    }

    /**
     * Refuses a version prefix outside the API versions Skiff serves, with dockerd's words (its
     * version middleware), so an old client learns why instead of misreading newer replies.
     */
    static void checkVersion(String path) throws EngineException {
        Matcher m = VERSION_PREFIX.matcher(path);
        if (!m.find()) {
            return;
        }
        String v = m.group().substring(2);
        if (compare(v, ApiVersions.MINIMUM) < 0) {
            throw EngineException.invalid("client version " + v + " is too old. Minimum supported API version is "
                    + ApiVersions.MINIMUM + ", please upgrade your client to a newer version");
        }
        if (compare(v, ApiVersions.CURRENT) > 0) {
            throw EngineException.invalid("client version " + v + " is too new. Maximum supported API version is "
                    + ApiVersions.CURRENT);
        }
    }

    /** Compares dotted versions number by number ("1.9" before "1.24"). */
    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? parse(x[i]) : 0;
            long q = i < y.length ? parse(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static long parse(String digits) {
        return digits.length() > 9 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    /** Serves one request; on return a reply has been sent (or the connection is to close). */
    void dispatch(HttpRequest request, HttpResponse response, InputStream connectionInput,
                  java.util.function.BooleanSupplier hungUp) throws IOException {
        long start = System.nanoTime();
        try {
            route(request, response, connectionInput, hungUp);
        } finally {
            // as dockerd --debug, one line per call (a stream's when it ends); 0 is a reply never sent
            LOG.log(Level.DEBUG, () -> request.method() + " " + request.path() + " " + response.status() + " "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    private void route(HttpRequest request, HttpResponse response, InputStream connectionInput,
                       java.util.function.BooleanSupplier hungUp) throws IOException {
        String path = stripVersion(request.path());
        try {
            checkVersion(request.path());
            for (Route route : routes) {
                Matcher m = route.pattern.matcher(path);
                if (route.method.equals(request.method()) && m.matches()) {
                    Map<String, String> params = new LinkedHashMap<>();
                    for (int i = 0; i < route.names.size(); i++) {
                        params.put(route.names.get(i), m.group(i + 1));
                    }
                    route.handler.handle(new Exchange(request, response, params, connectionInput, hungUp));
                    if (!response.committed()) {
                        throw new IllegalStateException("no reply for " + request.method() + " " + path);
                    }
                    return;
                }
            }
            throw EngineException.notFound("page not found: " + request.method() + " " + path
                    + " is not part of the Docker Engine API");
        } catch (EngineException e) {
            fail(response, e.kind().httpStatus, e.getMessage());
        } catch (HttpException e) {
            fail(response, e.status(), e.getMessage());
            response.closeAfter();
        } catch (RuntimeException e) {
            // the details (a Java class, a stack) are for the daemon's log, not for the client
            LOG.log(Level.ERROR, "failed to serve " + request.method() + " " + path, e);
            fail(response, 500, "Skiff failed to serve " + request.method() + " " + path
                    + " because of an error of its own; the daemon's log has the details");
        } catch (IOException e) {
            // Once the reply has started there is no status left to send, and the failure may be the
            // client's own departure: the connection just closes (HttpConnection logs it at debug).
            if (response.committed()) {
                throw e;
            }
            // A file or VM the handler used failed. The client gets a 500 rather than a closed
            // connection, but not the exception's text: it names host paths and Java internals.
            LOG.log(Level.ERROR, "I/O error while serving " + request.method() + " " + path, e);
            fail(response, 500, "internal I/O error while handling " + request.method() + " " + path
                    + "; see the daemon log");
        }
    }

    /**
     * Docker's error reply: the status and {@code {"message": ...}}, or no body for 304. Once a
     * stream has started there is no status left to send, so the connection just closes.
     */
    static void fail(HttpResponse response, int status, String message) throws IOException {
        if (response.committed()) {
            response.closeAfter();
            return;
        }
        if (status == 304) {
            response.sendEmpty(304);
            return;
        }
        response.sendJson(status, Json.object().put("message", message));
    }
}
