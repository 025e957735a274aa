/**
 * Machine set-up done by PID 1 before anything else: the pseudo file systems and the kernel
 * modules listed by the image builder, in dependency order.
 */
package dev.skiff.guest.boot;
