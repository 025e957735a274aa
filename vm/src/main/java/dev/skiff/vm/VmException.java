package dev.skiff.vm;

import java.io.IOException;

/** A VM operation failed; the message says what to do where the driver knows. */
public class VmException extends IOException {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
