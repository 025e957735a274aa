/**
 * {@code skiff daemon}: where it keeps its files, its configuration file (daemon.json, with
 * Docker's names), the process that serves the Engine API, and the small client the launcher
 * uses to reach it.
 */
package dev.skiff.cli.daemon;
