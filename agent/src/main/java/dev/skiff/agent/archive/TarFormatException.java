package dev.skiff.agent.archive;

import java.io.IOException;

/** A tar stream that cannot be read (bad checksum, a field out of range, a name over the limit). */
final class TarFormatException extends IOException {
    TarFormatException(String message) {
        super(message);
    }
}
