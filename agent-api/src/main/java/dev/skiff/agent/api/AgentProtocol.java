package dev.skiff.agent.api;

/**
 * What both ends of the agent name alike, the host's client and the guest's server: the ttrpc
 * service (taken from agent.proto's descriptor, so the proto file is the one place it is written)
 * and the variable that picks the guest's OCI runtime.
 */
public final class AgentProtocol {
    private AgentProtocol() {}

    /** The ttrpc service name, "skiff.agent.v1.Agent". */
    public static final String SERVICE = AgentProto.getDescriptor().findServiceByName("Agent").getFullName();

    /**
     * The variable that picks the guest's OCI runtime: "runc" brings runc back, anything else (or
     * none) means crun. The host passes it on from its own environment through the kernel command
     * line, which hands an unknown {@code KEY=value} to init's environment.
     */
    public static final String RUNTIME_ENV = "SKIFF_OCI_RUNTIME";
}
