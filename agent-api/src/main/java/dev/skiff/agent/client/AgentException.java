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
    private final String detail;

    AgentException(String message, Code code, boolean vmGone, Throwable cause) {
        this(message, code, vmGone, cause, message);
    }

    AgentException(String message, Code code, boolean vmGone, Throwable cause, String detail) {
        super(message, cause);
        this.code = code;
        this.vmGone = vmGone;
        this.detail = detail;
    }

    /** The agent's own words, without the method and code in front (what a user may be shown). */
    public String detail() {
        return detail;
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
