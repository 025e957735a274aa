package dev.skiff.engine;

/**
 * The milliseconds each step of a container's start took, for the daemon's debug log
 * ({@code SKIFF_LOG_LEVEL=debug}): "vm 0 ms, clean 41 ms, layers 12 ms, ...". Used by one thread.
 */
final class StartSteps {
    private final StringBuilder steps = new StringBuilder();
    private final long began = System.nanoTime();
    private long last = began;

    /** Ends the step named, counted from the end of the one before it. */
    void done(String step) {
        long now = System.nanoTime();
        if (!steps.isEmpty()) {
            steps.append(", ");
        }
        steps.append(step).append(' ').append((now - last) / 1_000_000).append(" ms");
        last = now;
    }

    @Override
    public String toString() {
        return steps + "; " + (last - began) / 1_000_000 + " ms in all";
    }
}
