/** Just enough ELF reading to assemble a guest: shared-library needs and kernel-module info. */
package dev.skiff.image.elf;
