package dev.skiff.p9.wire;

import java.io.IOException;

/**
 * A frame that breaks the 9P wire format: a length field that overruns the frame, trailing
 * bytes, a count above its bound. The connection that sent it cannot be trusted further.
 */
public class MalformedMessageException extends IOException {
    public MalformedMessageException(String message) {
        super(message);
    }
}
