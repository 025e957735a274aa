/**
 * The host's client of the guest agent: typed calls over ttrpc with their timeouts, errors mapped
 * once ({@link dev.skiff.agent.client.AgentException}), the archive streams with credits, and the
 * OCI runtime spec the host writes for each container.
 */
package dev.skiff.agent.client;
