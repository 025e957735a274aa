/**
 * Where a daemon's virtio-fs back-ends run: {@link dev.skiff.virtiofs.host.ShareHost}, a process
 * of their own that outlives the daemon (QEMU 7.2's vhost-user-fs device takes no new back-end),
 * driven over a control socket by {@link dev.skiff.virtiofs.host.ShareHostClient}; or
 * {@link dev.skiff.virtiofs.host.InProcessBackends}, in the caller's process.
 */
package dev.skiff.virtiofs.host;
