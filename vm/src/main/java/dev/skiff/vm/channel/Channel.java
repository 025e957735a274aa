package dev.skiff.vm.channel;

import java.io.IOException;
import java.nio.channels.ByteChannel;

/** A named byte channel into the guest. */
public interface Channel {
    String name();

    /**
     * Opens the host's end. A virtio-serial port takes one host connection at a time; bytes
     * written before the guest opens its end wait in the socket until it does.
     */
    ByteChannel connect() throws IOException;
}
