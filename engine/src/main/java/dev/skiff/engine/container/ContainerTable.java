package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.UtilityVm;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The engine's containers and the VM each one is in: the one table that every part of the engine
 * reads, so that a container is found the same way by every request. A reference is looked up as
 * moby's {@code daemon.GetContainer} does: the full id, then an exact name, then a unique id prefix
 * (several containers under one prefix is the request's fault, a 400). Names are unique; a name is
 * taken and a container renamed under one lock, so two creates with one name cannot both win.
 *
 * <p>The table keeps no state on disk: whoever registers a container saves it (inside the lock, so
 * a container whose state could not be written is never seen).
 */
public final class ContainerTable {
    /**
     * A container name: moby's {@code restrictedNamePattern} ({@code [a-zA-Z0-9][a-zA-Z0-9_.-]}), which
     * docker create checks for one character or more and docker rename for two or more.
     */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final Map<String, Container> containers = new ConcurrentHashMap<>();
    private final Map<String, UtilityVm> vmOf = new ConcurrentHashMap<>(); // container id -> VM
    private final SecureRandom random = new SecureRandom();

    /** Makes the container to register under an id and a name no other container has. */
    @FunctionalInterface
    public interface Factory {
        Container make(String id, String name) throws EngineException;
    }

    /** A table of the containers an earlier daemon left on disk. */
    public ContainerTable(Collection<Container> loaded) {
        for (Container c : loaded) {
            containers.put(c.id, c);
        }
    }

    /** A new container or exec id: 64 hex digits, as Docker's. */
    public String newId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The container with exactly this id, or null. */
    public Container get(String id) {
        return containers.get(id);
    }

    public boolean contains(String id) {
        return containers.containsKey(id);
    }

    /** All containers: a live view, weakly consistent while containers come and go. */
    public Collection<Container> all() {
        return containers.values();
    }

    public int size() {
        return containers.size();
    }

    /** The container that {@code ref} names: its full id, its name (with or without a "/"), or a unique id prefix. */
    public Container find(String ref) throws EngineException {
        Container c = containers.get(ref);
        if (c != null) {
            return c;
        }
        String r = ref.startsWith("/") ? ref.substring(1) : ref;
        // every name before any prefix: whichever the map holds first, an exact name wins (moby's order)
        for (Container x : containers.values()) {
            if (x.name.equals(r)) {
                return x;
            }
        }
        Container match = null;
        for (Container x : containers.values()) {
            if (!r.isEmpty() && x.id.startsWith(r)) {
                if (match != null) {
                    throw EngineException.invalid("multiple IDs found with provided prefix: " + ref);
                }
                match = x;
            }
        }
        if (match == null) {
            throw EngineException.notFound("No such container: " + ref);
        }
        return match;
    }

    /** A container named in a request about another ({@code what}): not found is the request's fault, a 400. */
    public Container find(String ref, String what) throws EngineException {
        try {
            return find(ref);
        } catch (EngineException e) {
            if (e.kind() == EngineException.Kind.NOT_FOUND) {
                throw EngineException.invalid(what + ": " + e.getMessage());
            }
            throw e;
        }
    }

    /** The name docker create asked for, without its leading "/"; null or empty (none asked) as it is. */
    public static String checkedName(String name) throws EngineException {
        if (name != null && !name.isEmpty()) {
            if (name.startsWith("/")) {
                name = name.substring(1);
            }
            if (!NAME.matcher(name).matches()) {
                throw EngineException.invalid("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
            }
        }
        return name;
    }

    /**
     * Adds the container that {@code factory} makes under a new id and {@code name} (a checked name,
     * or null or empty for one made from the id), unless another container has that name.
     */
    public Container register(String name, Factory factory) throws EngineException {
        String id = newId();
        synchronized (containers) {
            String finalName = name == null || name.isEmpty() ? "skiff_" + id.substring(0, 8) : name;
            Container other = named(finalName);
            if (other != null) {
                throw nameInUse(finalName, other);
            }
            Container c = factory.make(id, finalName);
            containers.put(id, c);
            return c;
        }
    }

    /**
     * docker rename: gives {@code c} the name {@code newName} unless it is not a valid name, is its
     * own already, or is another container's. {@code renamed} runs with the old name under the
     * table's lock, so that the rename events of one container come in the order of its renames.
     */
    public void rename(Container c, String newName, Consumer<String> renamed) throws EngineException {
        String name = newName == null ? "" : newName.startsWith("/") ? newName.substring(1) : newName;
        if (!NAME.matcher(name).matches() || name.length() < 2) {
            throw EngineException.invalid("Invalid container name (" + newName
                    + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        synchronized (containers) {
            if (c.name.equals(name)) {
                throw EngineException.invalid("Renaming a container with the same name as its current name");
            }
            Container other = named(name);
            if (other != null) {
                throw nameInUse(name, other);
            }
            String old = c.name;
            c.name = name;
            renamed.accept(old);
        }
    }

    private Container named(String name) {
        for (Container c : containers.values()) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static EngineException nameInUse(String name, Container by) {
        return EngineException.conflict("Conflict. The container name \"/" + name + "\" is already in use by container \""
                + by.id + "\". You have to remove (or rename) that container to be able to reuse that name.");
    }

    /**
     * The DNS answer of a user network: the addresses of its running containers known there by
     * {@code name} (their name, an alias or their short id), case-insensitively.
     */
    public List<String> addressesOn(String networkId, String name) {
        List<String> out = new ArrayList<>();
        for (Container c : containers.values()) {
            for (Backend.EndpointInfo e : c.endpointsOn(networkId)) {
                if (e.dnsNames().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
                    out.add(e.ipAddress());
                }
            }
        }
        return out;
    }

    /** Takes a removed container out of the table; its VM, if it still has one, stays to be released. */
    public void remove(String id) {
        containers.remove(id);
    }

    /** The VM the container is in (running, or with its rootfs mounted for docker cp), or null. */
    public UtilityVm vm(String id) {
        return vmOf.get(id);
    }

    public void place(String id, UtilityVm vm) {
        vmOf.put(id, vm);
    }

    /** Forgets the container's VM and returns it (null if it had none); releasing it is the caller's. */
    public UtilityVm unplace(String id) {
        return vmOf.remove(id);
    }
}
