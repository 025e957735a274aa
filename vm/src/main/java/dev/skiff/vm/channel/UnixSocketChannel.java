package dev.skiff.vm.channel;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** A guest channel the hypervisor serves on a unix socket (QEMU's socket chardev, server=on). */
public record UnixSocketChannel(String name, Path socket) implements Channel {
    @Override
    public ByteChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            ch.close();
            throw new IOException("failed to connect to channel " + name + " at " + socket + ": " + e.getMessage(), e);
        }
    }
}
