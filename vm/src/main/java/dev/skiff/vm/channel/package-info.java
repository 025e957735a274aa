/**
 * Host-guest byte channels. A {@link dev.skiff.vm.channel.Channel} is a named, connectable byte
 * stream into the guest. Today each is a virtio-serial port that QEMU exposes on the host as a
 * unix socket; vsock joins as another implementation where the host has it.
 */
package dev.skiff.vm.channel;
