package dev.skiff.agent.client;

import dev.skiff.ttrpc.Code;
import java.io.IOException;

/**
 * A call to the guest agent failed: the agent's answer (its status code and message), a timeout,
 * or the connection closing under the call, as it does when the VM dies ({@link #vmGone()}).
 */
public final class AgentException extends IOException {
    private final Code code;
    private final boolean vmGone;

    AgentException(String message, Code code, boolean vmGone, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.vmGone = vmGone;
    }

    /** The ttrpc status code: NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, DEADLINE_EXCEEDED... */
    public Code code() {
        return code;
    }

    /** True when the connection to the agent is gone: the VM stopped or died, or the agent quit. */
    public boolean vmGone() {
        return vmGone;
    }
}
