/**
 * A container's mounts from the host made real in its VM: {@link dev.skiff.engine.mount.BindMounts}
 * turns each bind into a 9P share or, for a unix socket (Docker's socket among them), a forward
 * through the {@link dev.skiff.engine.mount.SocketRelay}, the host end of the guest's socket.
 */
package dev.skiff.engine.mount;
