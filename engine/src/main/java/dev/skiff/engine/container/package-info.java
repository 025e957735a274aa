/**
 * One container on the host side: its record and how it is kept on disk, its output (log file,
 * subscribers, frames), its execs, restart policy and health checks, and the checks of what its
 * VM reports about it (processes for top, figures for stats), since the guest is not trusted.
 * Also the engine's {@link dev.skiff.engine.container.ContainerTable} of all containers and the VM
 * each is in, and {@link dev.skiff.engine.container.ContainerConfig}, what docker create makes of
 * a request and its image's config.
 */
package dev.skiff.engine.container;
