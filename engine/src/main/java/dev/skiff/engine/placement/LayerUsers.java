package dev.skiff.engine.placement;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which containers of one VM use which of its layers, by diffID: a container uses its image's
 * layers from the moment its start (or a docker cp of it) asks the VM for them until it leaves the
 * VM (its exit takes it out of the guest, or its removal). The VM's truth, kept beside its layer
 * mounts and guarded by the same lock, so that the question "may this layer go?" and a container
 * taking the layer into use are never answered at once. Not thread-safe on its own.
 */
final class LayerUsers {
    private final Map<String, Set<String>> usersByLayer = new HashMap<>();
    private final Map<String, Set<String>> layersByUser = new HashMap<>();

    /** {@code user} uses these layers (in addition to any it used already). */
    void use(String user, Collection<String> diffIds) {
        for (String d : diffIds) {
            usersByLayer.computeIfAbsent(d, k -> new HashSet<>()).add(user);
        }
        layersByUser.computeIfAbsent(user, k -> new LinkedHashSet<>()).addAll(diffIds);
    }

    /** {@code user} no longer uses any layer; returns the layers that nobody uses now. */
    Set<String> release(String user) {
        Set<String> had = layersByUser.remove(user);
        Set<String> freed = new LinkedHashSet<>();
        if (had == null) {
            return freed;
        }
        for (String d : had) {
            Set<String> users = usersByLayer.get(d);
            if (users != null) {
                users.remove(user);
                if (users.isEmpty()) {
                    usersByLayer.remove(d);
                    freed.add(d);
                }
            }
        }
        return freed;
    }

    /** How many containers use the layer. */
    int count(String diffId) {
        Set<String> users = usersByLayer.get(diffId);
        return users == null ? 0 : users.size();
    }

    /** The containers that use the layer. */
    Set<String> users(String diffId) {
        return Set.copyOf(usersByLayer.getOrDefault(diffId, Set.of()));
    }

    /**
     * Of the layers {@code plugged}, those to unplug: nobody uses them and {@code gone} says their
     * layer is no longer in the image store. A layer whose image still exists stays plugged
     * although unused: a cache, so that the next container of that image starts without plugging
     * and mounting it again.
     */
    List<String> reclaimable(Collection<String> plugged, Predicate<String> gone) {
        return plugged.stream().filter(d -> count(d) == 0 && gone.test(d)).toList();
    }
}
