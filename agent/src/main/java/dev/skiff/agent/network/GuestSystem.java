package dev.skiff.agent.network;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link Networks} needs from the VM besides running commands: modules, sysfs, mounts and
 * files. An interface so the steps can be tested without a VM ({@link VmSystem} is the real one).
 */
interface GuestSystem {
    /** Loads the network's kernel modules (idempotent). */
    void loadNetModules() throws IOException;

    /** The current name of the network card (a link backed by a device) with this MAC, if there is one. */
    Optional<String> linkWithMac(String mac) throws IOException;

    /**
     * Waits for a hot-plugged network card with this MAC to appear; returns its current name.
     *
     * @throws IOException on timeout, naming the MAC
     */
    String awaitNic(String mac, Duration timeout) throws IOException;

    boolean linkExists(String name);

    /** net.ipv4.ip_forward=1: the VM routes between its bridges and the uplink. */
    void enableForwarding() throws IOException;

    /** Makes {@code path} an empty file on which a namespace can be bind-mounted. */
    void prepareNetnsFile(String path) throws IOException;

    /** Unmounts and deletes a namespace file; one that is not there is no error. */
    void removeNetns(String path) throws IOException;

    void writeEtcFiles(String containerId, String hosts, String resolvConf, String hostname) throws IOException;

    /** Deletes the container's /etc files; absent ones are no error. */
    void removeEtcFiles(String containerId) throws IOException;

    /** A pid in the VM's own network namespace (the agent's): where a veth's host end is moved. */
    long vmNetnsPid();
}
