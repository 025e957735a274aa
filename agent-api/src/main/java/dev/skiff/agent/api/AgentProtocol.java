package dev.skiff.agent.api;

/**
 * The agent's ttrpc service as both ends name it: the host's client and the guest's server.
 * Taken from agent.proto's descriptor, so the proto file is the one place the name is written.
 */
public final class AgentProtocol {
    private AgentProtocol() {}

    /** The ttrpc service name, "skiff.agent.v1.Agent". */
    public static final String SERVICE = AgentProto.getDescriptor().findServiceByName("Agent").getFullName();
}
