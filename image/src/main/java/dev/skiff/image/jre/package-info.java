/** The guest's Java runtime: a jlink image holding only the modules the guest program needs. */
package dev.skiff.image.jre;
