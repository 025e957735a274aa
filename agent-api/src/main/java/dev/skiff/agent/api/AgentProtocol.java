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
     * The file-system uid the agent performs ReplayChanges as, and by which the host's file server
     * tells a replay from everyone else's requests: the guest's 9P client attaches once per fsuid
     * (access=client) and the virtio-fs client names the fsuid in every request. So only the
     * replay's own lookups see a folder as it was before the host's change, and only its
     * operations are acknowledged without touching the host; a container looking at the same name
     * meanwhile sees the host as it is. No container runs as this uid: it is the top of the range
     * Linux allows (2^31 - 2; (uid_t) -1 is "no change", and negative Java ints are avoided).
     */
    public static final int REPLAY_UID = 0x7ffffffe;

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
