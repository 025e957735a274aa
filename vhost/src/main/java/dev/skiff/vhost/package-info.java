/**
 * A vhost-user back-end (QEMU's docs/interop/vhost-user.rst) and the split virtqueues it serves
 * (virtio 1.x, "Split Virtqueues"): the first layer under a virtio-fs device.
 *
 * <p>Layers, one concern per file:
 * <ul>
 * <li>wire: {@link dev.skiff.vhost.Header}, {@link dev.skiff.vhost.FrontendRequest} (one record per
 *     request), {@link dev.skiff.vhost.MessageDecoder}, {@link dev.skiff.vhost.Replies}, framing over
 *     the socket in {@link dev.skiff.vhost.MessageChannel}; every limit in {@link dev.skiff.vhost.Limits};</li>
 * <li>memory: {@link dev.skiff.vhost.GuestMemory} maps the front-end's regions and turns addresses
 *     into bounded segments;</li>
 * <li>rings: {@link dev.skiff.vhost.SplitQueue} reads the avail ring, walks descriptor chains
 *     ({@link dev.skiff.vhost.ChainWalker}) and writes the used ring;</li>
 * <li>service: {@link dev.skiff.vhost.BackendSession} serves one connection, {@link dev.skiff.vhost.Backend}
 *     keeps its state, {@link dev.skiff.vhost.Vring} and {@link dev.skiff.vhost.QueueWorker} run a queue,
 *     and a {@link dev.skiff.vhost.Device} with its {@link dev.skiff.vhost.QueueHandler}s does the work.</li>
 * </ul>
 * All system calls go through {@code dev.skiff.sys}.
 */
package dev.skiff.vhost;
