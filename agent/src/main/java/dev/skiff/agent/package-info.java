/**
 * The guest agent: the utility VM's PID 1 once boot is done. It serves the agent API
 * (agent-api's agent.proto) over ttrpc on a virtio-serial port, and does only what must happen
 * inside the VM: mounts ({@code storage}), the OCI runtime (crun) and the rootfs ({@code container}), process I/O
 * ({@code io}). Management stays on the host.
 */
package dev.skiff.agent;
