package dev.skiff.engine.container;

import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.engine.api.Backend.StreamType;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A process's stdout and stderr, read from the agent into its hub (container or exec) on virtual threads. */
public final class ProcessOutput {
    /** How long an exit waits for the last output to arrive before it tells attached clients the end. */
    public static final Duration DRAIN = Duration.ofSeconds(30);

    private ProcessOutput() {}

    /** Starts the readers of a new run: one stream with a TTY, two without. */
    public static List<Thread> read(AgentClient agent, String cid, String execId, OutputHub hub, boolean tty) {
        hub.begin();
        return readers(agent, cid, execId, hub, tty);
    }

    /**
     * Starts the readers of a container's run that an earlier daemon began, each from the bytes of
     * its stream that the log already has: the agent gives each later byte once, even one the
     * earlier daemon was sent but did not write down before it died.
     */
    public static List<Thread> resume(AgentClient agent, String cid, OutputHub hub, boolean tty) {
        hub.resume();
        return readers(agent, cid, "", hub, tty);
    }

    private static List<Thread> readers(AgentClient agent, String cid, String execId, OutputHub hub, boolean tty) {
        List<Thread> readers = new ArrayList<>();
        for (StreamKind kind : tty ? List.of(StreamKind.STDOUT) : List.of(StreamKind.STDOUT, StreamKind.STDERR)) {
            StreamType type = kind == StreamKind.STDERR ? StreamType.STDERR : StreamType.STDOUT;
            readers.add(Thread.ofVirtual().name("out-" + cid.substring(0, 12) + "-" + kind).start(() -> {
                try {
                    agent.readOutput(cid, execId, kind, hub.received(type), new OutputStream() {
                        @Override
                        public void write(int b) {
                            write(new byte[] {(byte) b}, 0, 1);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            Instant now = Instant.now();
                            hub.publish(new Frame(type, now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                                    java.util.Arrays.copyOfRange(b, off, off + len)));
                        }
                    });
                } catch (IOException e) {
                    // the VM went away: the exit waiter reports it
                }
            }));
        }
        return readers;
    }

    /**
     * After an exit: lets the readers finish (bounded). The caller records the exit code and only then
     * ends the hub: a client whose attached stream ends asks for the code next (docker exec, Testcontainers'
     * execInContainer inspect the exec right away), so it must be there when the stream ends, as in moby,
     * which sets an exec's exit code before it closes its streams.
     */
    public static void awaitReaders(List<Thread> readers) {
        for (Thread t : readers) {
            try {
                t.join(DRAIN);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
