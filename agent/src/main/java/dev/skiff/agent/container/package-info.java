/**
 * Containers in the guest: the bundle and its overlay root, the OCI runtime, crun (create, start, exec, kill,
 * pause, delete), the container and exec processes with their stdio, and the table the agent
 * answers process questions from.
 */
package dev.skiff.agent.container;
