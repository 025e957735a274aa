package dev.skiff.engine.api;

/** The Docker Engine API versions Skiff serves, defined once: the current one (Docker 27/28's) and the oldest. */
public final class ApiVersions {
    /** Sent as Api-Version on every reply and reported by /version; a newer prefix is refused. */
    public static final String CURRENT = "1.47";
    /** The oldest version prefix accepted, as dockerd's own minimum. */
    public static final String MINIMUM = "1.24";

    private ApiVersions() {}
}
