/**
 * What the host and the agent agree on besides the protobuf messages: the ttrpc service name
 * ({@link dev.skiff.agent.api.AgentProtocol}), Skiff's version, guest paths and ids, the
 * guest network's fixed addresses, archive path rules, Go's file mode bits, and the socket
 * relay's wire protocol. The generated messages of agent.proto live in this package too.
 */
package dev.skiff.agent.api;
