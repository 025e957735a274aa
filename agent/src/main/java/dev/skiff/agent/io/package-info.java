/**
 * Process I/O between the agent and the host: pumps that move a process's output and input over
 * the ttrpc streams, and the virtio-serial port transport the agent serves on.
 */
package dev.skiff.agent.io;
