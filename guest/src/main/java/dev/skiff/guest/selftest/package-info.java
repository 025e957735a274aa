/**
 * The self-test protocol: a line protocol on the control port that lets the host check a fresh
 * image end to end (channels both ways, hot-plugged ports and disks, clean power-off). Both
 * sides live here, so the protocol exists once. The agent's ttrpc API replaces it for real work.
 */
package dev.skiff.guest.selftest;
