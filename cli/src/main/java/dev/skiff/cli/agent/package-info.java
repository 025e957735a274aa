/**
 * {@code skiff agent}: a VM with the guest agent driven directly through the host's AgentClient,
 * for trying the agent by hand and for its benchmark against runc run in the same VM.
 */
package dev.skiff.cli.agent;
