package dev.skiff.registry;

/**
 * An OCI content descriptor: what a manifest says of a blob.
 *
 * @param digest "sha256:&lt;hex&gt;" (other algorithms are refused when a manifest is parsed)
 * @param size   the blob's size in bytes, as the manifest claims it (verified while reading)
 */
public record Descriptor(String mediaType, String digest, long size) {}
