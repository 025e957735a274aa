/**
 * Debian packages as build inputs: resolving exact versions and downloading with apt, and
 * unpacking a .deb (an ar archive holding data.tar.*) in Java, so no dpkg is needed.
 */
package dev.skiff.image.debian;
