package dev.skiff.ttrpc.codec;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the ttrpc envelopes ({@code request.proto}) with protobuf's coded streams.
 * Stateless; all methods are thread-safe.
 */
public final class Envelopes {
    private Envelopes() {}

    /** Encodes a {@code ttrpc.Request}. */
    public static byte[] encode(Request r) {
        return write(out -> {
            writeString(out, 1, r.service());
            writeString(out, 2, r.method());
            writeBytes(out, 3, r.payload());
            if (r.timeoutNano() != 0) {
                out.writeInt64(4, r.timeoutNano());
            }
            for (KeyValue kv : r.metadata()) {
                out.writeByteArray(5, encode(kv));
            }
        });
    }

    /** Encodes a {@code ttrpc.Response}. */
    public static byte[] encode(Response r) {
        return write(out -> {
            if (r.status() != null) {
                out.writeByteArray(1, encode(r.status()));
            }
            writeBytes(out, 2, r.payload());
        });
    }

    /** Encodes a {@code ttrpc.KeyValue}. */
    public static byte[] encode(KeyValue kv) {
        return write(out -> {
            writeString(out, 1, kv.key());
            writeString(out, 2, kv.value());
        });
    }

    /** Encodes a {@code google.rpc.Status}. */
    public static byte[] encode(RpcStatus s) {
        return write(out -> {
            if (s.code() != 0) {
                out.writeInt32(1, s.code());
            }
            writeString(out, 2, s.message());
            for (RpcStatus.Detail d : s.details()) {
                out.writeByteArray(3, write(any -> {
                    writeString(any, 1, d.typeUrl());
                    writeBytes(any, 2, d.value());
                }));
            }
        });
    }

    /** Decodes a {@code ttrpc.Request}. */
    public static Request decodeRequest(byte[] b) throws MalformedEnvelopeException {
        return read("ttrpc.Request", b, in -> {
            String service = "";
            String method = "";
            byte[] payload = new byte[0];
            long timeout = 0;
            List<KeyValue> metadata = new ArrayList<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 10 -> service = in.readStringRequireUtf8();
                    case 18 -> method = in.readStringRequireUtf8();
                    case 26 -> payload = in.readByteArray();
                    case 32 -> timeout = in.readInt64();
                    case 42 -> metadata.add(decodeKeyValue(in.readByteArray()));
                    default -> in.skipField(tag);
                }
            }
            return new Request(service, method, payload, timeout, metadata);
        });
    }

    /** Decodes a {@code ttrpc.Response}. */
    public static Response decodeResponse(byte[] b) throws MalformedEnvelopeException {
        return read("ttrpc.Response", b, in -> {
            RpcStatus status = null;
            byte[] payload = new byte[0];
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 10 -> status = decodeStatus(in.readByteArray());
                    case 18 -> payload = in.readByteArray();
                    default -> in.skipField(tag);
                }
            }
            return new Response(status, payload);
        });
    }

    /** Decodes a {@code ttrpc.KeyValue}. */
    public static KeyValue decodeKeyValue(byte[] b) throws MalformedEnvelopeException {
        return read("ttrpc.KeyValue", b, in -> {
            String key = "";
            String value = "";
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 10 -> key = in.readStringRequireUtf8();
                    case 18 -> value = in.readStringRequireUtf8();
                    default -> in.skipField(tag);
                }
            }
            return new KeyValue(key, value);
        });
    }

    /** Decodes a {@code google.rpc.Status}. */
    public static RpcStatus decodeStatus(byte[] b) throws MalformedEnvelopeException {
        return read("google.rpc.Status", b, in -> {
            int code = 0;
            String message = "";
            List<RpcStatus.Detail> details = new ArrayList<>();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 8 -> code = in.readInt32();
                    case 18 -> message = in.readStringRequireUtf8();
                    case 26 -> details.add(decodeAny(in.readByteArray()));
                    default -> in.skipField(tag);
                }
            }
            return new RpcStatus(code, message, details);
        });
    }

    private static RpcStatus.Detail decodeAny(byte[] b) throws MalformedEnvelopeException {
        return read("google.protobuf.Any", b, in -> {
            String typeUrl = "";
            byte[] value = new byte[0];
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 10 -> typeUrl = in.readStringRequireUtf8();
                    case 18 -> value = in.readByteArray();
                    default -> in.skipField(tag);
                }
            }
            return new RpcStatus.Detail(typeUrl, value);
        });
    }

    private static void writeString(CodedOutputStream out, int field, String s) throws IOException {
        if (!s.isEmpty()) {
            out.writeString(field, s);
        }
    }

    private static void writeBytes(CodedOutputStream out, int field, byte[] b) throws IOException {
        if (b.length > 0) {
            out.writeByteArray(field, b);
        }
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(CodedInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            w.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to encode envelope in memory", e);
        }
    }

    private static <T> T read(String what, byte[] b, Reader<T> r) throws MalformedEnvelopeException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(b);
            return r.read(in);
        } catch (MalformedEnvelopeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new MalformedEnvelopeException("failed to decode " + what + ": " + e.getMessage(), e);
        }
    }
}
