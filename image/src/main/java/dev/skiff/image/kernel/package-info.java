/** Picking kernel modules out of Debian's linux-image package, with their dependencies. */
package dev.skiff.image.kernel;
