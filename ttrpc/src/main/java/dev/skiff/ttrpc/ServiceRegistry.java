package dev.skiff.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handlers registered per service and method (containerd's {@code serviceSet}). Register before
 * serving; registration is thread-safe but a name can be registered once only.
 */
public final class ServiceRegistry {
    /** A registered method: unary or streaming. */
    public sealed interface Method permits Unary, Streaming {}

    /** A unary method. */
    public record Unary(UnaryHandler handler) implements Method {}

    /** A streaming method and which sides stream. */
    public record Streaming(StreamDesc desc, StreamHandler handler) implements Method {}

    /** A unary handler over protobuf messages. */
    @FunctionalInterface
    public interface TypedUnaryHandler<Q extends MessageLite> {
        MessageLite handle(ServerCall call, Q request) throws Exception;
    }

    private final Map<String, Map<String, Method>> services = new ConcurrentHashMap<>();

    /** Registers a unary method over raw bytes. */
    public ServiceRegistry unary(String service, String method, UnaryHandler handler) {
        return register(service, method, new Unary(Objects.requireNonNull(handler, "handler")));
    }

    /** Registers a unary method over protobuf messages; a request that does not parse is INVALID_ARGUMENT. */
    public <Q extends MessageLite> ServiceRegistry unary(
            String service, String method, Parser<Q> parser, TypedUnaryHandler<Q> handler) {
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(handler, "handler");
        return unary(service, method, (call, bytes) -> {
            Q request;
            try {
                request = parser.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                throw new TtrpcException(Status.of(Code.INVALID_ARGUMENT,
                        "failed to decode request of " + call + ": " + e.getMessage()), e);
            }
            MessageLite response = handler.handle(call, request);
            return response == null ? new byte[0] : response.toByteArray();
        });
    }

    /** Registers a streaming method. */
    public ServiceRegistry stream(String service, String method, StreamDesc desc, StreamHandler handler) {
        return register(service, method,
                new Streaming(Objects.requireNonNull(desc, "desc"), Objects.requireNonNull(handler, "handler")));
    }

    private ServiceRegistry register(String service, String method, Method m) {
        Map<String, Method> methods = services.computeIfAbsent(service, _ -> new ConcurrentHashMap<>());
        if (methods.putIfAbsent(method, m) != null) {
            throw new IllegalStateException("duplicate method /" + service + "/" + method + " registered");
        }
        return this;
    }

    /**
     * Finds a method.
     *
     * @throws TtrpcException UNIMPLEMENTED naming the missing service or method, as containerd does
     */
    public Method lookup(String service, String method) throws TtrpcException {
        Map<String, Method> methods = services.get(service);
        if (methods == null) {
            throw new TtrpcException(Code.UNIMPLEMENTED, "service " + service);
        }
        Method m = methods.get(method);
        if (m == null) {
            throw new TtrpcException(Code.UNIMPLEMENTED, "method " + method);
        }
        return m;
    }
}
