/** The standalone virtio-fs server command, for QEMU's vhost-user-fs-pci. */
package dev.skiff.virtiofs.tool;
