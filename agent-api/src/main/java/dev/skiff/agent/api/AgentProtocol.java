package dev.skiff.agent.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.util.Optional;

/**
 * What both ends of the agent name alike, the host's client and the guest's server: the ttrpc
 * service (taken from agent.proto's descriptor, so the proto file is the one place it is written)
 * the variable that picks the guest's OCI runtime, and how a server reads a stream's message.
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

    /**
     * The message a server received on a stream ({@code stream.recv()}), the first or a later one.
     * The stream's end where a message was due, or bytes that are not one, are the caller's
     * INVALID_ARGUMENT.
     */
    public static <T> T received(Optional<byte[]> bytes, Parser<T> parser) throws TtrpcException {
        if (bytes.isEmpty()) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "the stream ended before its first message");
        }
        try {
            return parser.parseFrom(bytes.get());
        } catch (InvalidProtocolBufferException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "malformed message: " + e.getMessage());
        }
    }
}
