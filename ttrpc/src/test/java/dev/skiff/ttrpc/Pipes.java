package dev.skiff.ttrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Pipe;

/** Two in-memory {@code java.nio} pipes joined into a duplex connection. */
record Pipes(Transport client, Transport server) {
    static Pipes open() {
        try {
            Pipe up = Pipe.open(); // client -> server
            Pipe down = Pipe.open(); // server -> client
            Transport client = Transport.of(down.source(), up.sink(), () -> {
                up.sink().close();
                down.source().close();
            });
            Transport server = Transport.of(up.source(), down.sink(), () -> {
                up.source().close();
                down.sink().close();
            });
            return new Pipes(client, server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
