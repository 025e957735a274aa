/**
 * A client of the OCI distribution API, the protocol of Docker registries (distribution-spec
 * {@code spec.md}; Docker's token auth in distribution's {@code docs/spec/auth/token.md}).
 *
 * <p>{@link dev.skiff.registry.RegistryClient} holds the daemon's registry configuration and the
 * token cache; {@link dev.skiff.registry.Repository} is one repository on one registry with one
 * set of credentials: manifests (negotiated, platform chosen from an index), blobs (streamed,
 * resumed with {@code Range}, verified), and push. Errors are {@link
 * dev.skiff.registry.RegistryException}s worded as dockerd words them.
 */
package dev.skiff.registry;
