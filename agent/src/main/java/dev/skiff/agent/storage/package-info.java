/**
 * What the host adds to the guest for containers to use: layer disks, the scratch disk and 9P
 * shares, each mounted under {@code GuestPaths.storage}, and forwarded host sockets, a unix socket
 * there whose connections the agent carries to the host ({@link dev.skiff.agent.storage.SocketForward}).
 */
package dev.skiff.agent.storage;
