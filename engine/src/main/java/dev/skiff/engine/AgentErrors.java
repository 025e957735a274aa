package dev.skiff.engine;

import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.api.EngineException;

/**
 * The one place where an agent's refusal becomes Docker's status: its ttrpc code says whose fault it
 * is (the request's: 400; a missing thing: 404; a state that forbids it: 409; the VM gone or not
 * answering: 503), and anything else is the engine's (500).
 */
final class AgentErrors {
    private AgentErrors() {}

    static EngineException.Kind kind(AgentException e) {
        if (e.vmGone()) {
            return EngineException.Kind.UNAVAILABLE;
        }
        if (e.code() == null) {
            return EngineException.Kind.INTERNAL;
        }
        return switch (e.code()) {
            case INVALID_ARGUMENT -> EngineException.Kind.INVALID;
            case NOT_FOUND -> EngineException.Kind.NOT_FOUND;
            case ALREADY_EXISTS, FAILED_PRECONDITION -> EngineException.Kind.CONFLICT;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> EngineException.Kind.UNAVAILABLE;
            default -> EngineException.Kind.INTERNAL;
        };
    }

    /** The refusal as an EngineException, its message prefixed with what was being done. */
    static EngineException map(String doing, AgentException e) {
        return new EngineException(kind(e), doing + ": " + e.getMessage(), e);
    }
}
