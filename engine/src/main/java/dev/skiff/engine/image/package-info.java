/**
 * The host's image store: content-addressed blobs, tags, and one EROFS disk per layer.
 *
 * <p>{@link dev.skiff.engine.image.ImageStore} is the only public type. On disk, under its root:
 * <ul>
 *   <li>{@code blobs/sha256/<hex>}: configs and layer blobs as they came (plain, gzip or zstd), each
 *       written to {@code tmp/} first and renamed into place once its digest is known and checked;</li>
 *   <li>{@code images.json}: image id &rarr; its layers (diffID, blob digest, size);</li>
 *   <li>{@code repositories.json}: Docker's own layout, {@code {"Repositories": {repo: {"repo:tag": id}}}};</li>
 *   <li>{@code disks/<diffid-hex>.erofs}: a layer's read-only disk, built on first use.</li>
 * </ul>
 * The two JSON files are replaced atomically (temp, fsync, rename); images.json is written before
 * repositories.json, so a tag never names an image the store does not fully hold.
 *
 * <p>Formats: docker save (<a href="https://github.com/moby/moby/blob/master/image/spec/v1.2.md">image
 * spec v1.2</a>, both the legacy {@code <id>/layer.tar} layout and the Docker 25+ {@code blobs/sha256}
 * one) and the <a href="https://github.com/opencontainers/image-spec/blob/main/image-layout.md">OCI
 * image layout</a>.
 */
package dev.skiff.engine.image;
