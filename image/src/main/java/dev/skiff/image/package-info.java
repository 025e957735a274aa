/**
 * Builds the utility-VM image: Debian's kernel plus an initrd holding the few modules the guest
 * needs, busybox, runc with its libraries, a jlink-ed Java runtime and the guest program.
 * {@link dev.skiff.image.GuestImageBuilder} is the entry point; images are cached under a hash
 * of every input ({@link dev.skiff.image.ImageCache}).
 */
package dev.skiff.image;
