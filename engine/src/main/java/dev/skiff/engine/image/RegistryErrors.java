package dev.skiff.engine.image;

import dev.skiff.engine.api.EngineException;
import dev.skiff.registry.RegistryException;

/** The one place a registry failure becomes an API error; the registry client already words it as dockerd does. */
final class RegistryErrors {
    private RegistryErrors() {}

    static EngineException toEngine(RegistryException e) {
        EngineException.Kind kind = switch (e.kind()) {
            // dockerd answers 404 to "pull access denied" (401 and DENIED alike): the name may simply not exist
            case NOT_FOUND, DENIED, UNAUTHORIZED -> EngineException.Kind.NOT_FOUND;
            case INVALID, UNSUPPORTED -> EngineException.Kind.INVALID;
            case UNREACHABLE -> EngineException.Kind.INTERNAL;
        };
        return new EngineException(kind, e.getMessage(), e);
    }
}
