package dev.skiff.agent.api;

import java.util.regex.Pattern;

/**
 * Where the agent keeps things inside the guest: the contract the host relies on when it writes
 * an OCI spec (the agent never rewrites the spec). Ids are checked here, on both sides, so that
 * no id can name a path outside these folders.
 */
public final class GuestPaths {
    private GuestPaths() {}

    /** Ids of storages, containers and exec processes. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** The agent's ttrpc port (a virtio-serial port name). */
    public static final String AGENT_PORT = "skiff.agent";

    /** The root of everything the agent creates. */
    public static final String ROOT = "/run/skiff";

    /** A spec's root.path: relative to the bundle, where the agent assembles the rootfs. */
    public static final String ROOTFS = "rootfs";

    /** Where a storage is mounted; a bind mount of a share names this (or a path below) as source. */
    public static String storage(String id) {
        return ROOT + "/storage/" + checkId(id, "storage id");
    }

    /** A container's OCI bundle (config.json, rootfs/). */
    public static String bundle(String containerId) {
        return ROOT + "/containers/" + checkId(containerId, "container id");
    }

    /** A container's network namespace (a bind mount of nsfs), named by the spec's linux.namespaces. */
    public static String netns(String containerId) {
        return ROOT + "/netns/" + checkId(containerId, "container id");
    }

    /** The files the agent writes for a container's /etc: "hosts", "resolv.conf" or "hostname". */
    public static String etcFile(String containerId, String name) {
        if (!name.equals("hosts") && !name.equals("resolv.conf") && !name.equals("hostname")) {
            throw new IllegalArgumentException("no such container /etc file: " + name);
        }
        return ROOT + "/etc/" + checkId(containerId, "container id") + "/" + name;
    }

    /** The init program for --init in the VM (Debian's tini-static, as Docker's docker-init is). */
    public static final String DOCKER_INIT = "/usr/bin/docker-init";

    /** The cgroup (v2, under /sys/fs/cgroup) a spec should name as linux.cgroupsPath. */
    public static String cgroupsPath(String containerId) {
        return "/skiff/" + checkId(containerId, "container id");
    }

    /** Returns the id, or throws naming what is wrong with it. */
    public static String checkId(String id, String what) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " " + (id == null ? "null" : "\"" + id + "\"")
                    + " is not valid: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        return id;
    }
}
