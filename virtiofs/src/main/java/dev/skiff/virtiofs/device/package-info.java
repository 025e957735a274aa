/**
 * The virtio-fs device on the vhost-user back-end: {@link dev.skiff.virtiofs.device.VirtioFsDevice}
 * (config space, queues, a virtual thread per request under a semaphore) and
 * {@link dev.skiff.virtiofs.device.VirtioFsServer} (one front-end connection on a unix socket,
 * whose end releases everything the FUSE session holds).
 */
package dev.skiff.virtiofs.device;
