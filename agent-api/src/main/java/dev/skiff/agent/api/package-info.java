/**
 * What the host and the agent agree on besides the protobuf messages: guest paths and ids, the
 * guest network's fixed addresses, archive path rules, Go's file mode bits, and the socket
 * relay's wire protocol. The generated messages of agent.proto live in this package too.
 */
package dev.skiff.agent.api;
