/**
 * The engine on the host: images ({@code image}), containers and their I/O ({@code container}),
 * utility VMs shared or dedicated ({@code placement}), and the Docker Engine API ({@code api}).
 * {@link dev.skiff.engine.Engine} ties them together and implements the API's Backend: it finds
 * the container a request names in the {@link dev.skiff.engine.container.ContainerTable} and hands
 * the request to the part that does it:
 * <ul>
 *   <li>{@code Lifecycle}: a container's runs (start, the wait for its exit, stop, kill, rm, and
 *       the restarts of its policy);
 *   <li>{@code LiveRestore}: at the daemon's start, the VMs and containers an earlier daemon left
 *       running;
 *   <li>{@code OutputApi}: docker attach and docker logs;
 *   <li>{@code ExecApi}, {@code ProcessApi} (top, stats, pause), {@code ImageApi},
 *       {@code NetworkApi}, {@code VolumeApi}: the rest of the API, one resource each.
 * </ul>
 * What docker create stores is resolved by {@link dev.skiff.engine.container.ContainerConfig}.
 */
package dev.skiff.engine;
