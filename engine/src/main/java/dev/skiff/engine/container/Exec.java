package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend.ExecSpec;
import java.util.concurrent.CompletableFuture;

/** A process started in a running container by docker exec. */
public final class Exec {
    public final String id;
    public final String containerId;
    public final ExecSpec spec;
    public final OutputHub output = new OutputHub(null);
    public final StdinRelay stdin = new StdinRelay();
    public final CompletableFuture<Integer> exit = new CompletableFuture<>();
    public volatile boolean started;
    public volatile int pid;

    public Exec(String id, String containerId, ExecSpec spec) {
        this.id = id;
        this.containerId = containerId;
        this.spec = spec;
    }
}
