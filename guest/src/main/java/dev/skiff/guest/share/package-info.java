/**
 * 9P shares in the guest. Over virtio-serial the kernel's fd transport cannot use the port
 * itself ("kernel write not supported"), so a relay copies between the port and one end of a
 * socketpair whose other end is handed to mount(2) with {@code trans=fd}. Over vsock the socket
 * is mounted directly and the relay disappears.
 */
package dev.skiff.guest.share;
