/**
 * The engine on the host: images ({@code image}), containers and their I/O ({@code container}),
 * utility VMs shared or dedicated ({@code placement}), and the Docker Engine API ({@code api}).
 * {@link dev.skiff.engine.Engine} ties them together and implements the API's Backend.
 */
package dev.skiff.engine;
