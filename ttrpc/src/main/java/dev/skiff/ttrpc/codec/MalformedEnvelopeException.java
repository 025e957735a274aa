package dev.skiff.ttrpc.codec;

import java.io.IOException;

/** Bytes that do not decode as the expected envelope. */
public final class MalformedEnvelopeException extends IOException {
    public MalformedEnvelopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
