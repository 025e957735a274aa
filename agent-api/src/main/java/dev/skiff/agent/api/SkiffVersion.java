package dev.skiff.agent.api;

/**
 * Skiff's version, in one place: the daemon reports it (docker version, docker info, the Server
 * header), {@code skiff --version} prints it, and the agent reports it in GuestInfo, so a guest
 * image from another build is recognisable.
 */
public final class SkiffVersion {
    private SkiffVersion() {}

    public static final String VERSION = "0.1.0";
}
