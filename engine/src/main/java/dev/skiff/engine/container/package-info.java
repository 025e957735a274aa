/**
 * One container on the host side: its record and how it is kept on disk, its output (log file,
 * subscribers, frames), its execs, restart policy and health checks, and the checks of what its
 * VM reports about it (processes for top, figures for stats), since the guest is not trusted.
 */
package dev.skiff.engine.container;
