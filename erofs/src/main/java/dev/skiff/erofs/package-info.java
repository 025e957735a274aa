/**
 * Skiff's layer-disk writer: streams an OCI layer tar (plain, gzip or zstd) into an EROFS image, in pure Java.
 *
 * <p>Entry point: {@link dev.skiff.erofs.LayerConverter#convert(java.io.InputStream, java.nio.file.Path)}. The data
 * flows {@code tar} (entries, validation, whiteouts) &rarr; {@code tree} (the in-memory metadata tree) &rarr;
 * {@code write} (layout and the streaming image writer) &rarr; {@code format} (on-disk records).
 */
package dev.skiff.erofs;
