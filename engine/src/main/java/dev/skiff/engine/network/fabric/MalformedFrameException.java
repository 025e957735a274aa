package dev.skiff.engine.network.fabric;

/**
 * A frame or message that breaks its format: too short, a length field pointing past the end, a
 * bad checksum. Checked, so that every codec caller has to decide, and the decision is always
 * "drop and count": frames come from guests, which are not trusted.
 */
public final class MalformedFrameException extends Exception {
    public MalformedFrameException(String message) {
        super(message, null, false, false); // thrown per bad frame: no stack trace to fill
    }
}
