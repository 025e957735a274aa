package dev.skiff.engine.placement;

/**
 * How a bind mount's folder reaches the guest (daemon.json {@code "file-sharing"}, named after
 * Docker Desktop's "file sharing implementation" setting).
 */
public enum ShareTransport {
    /** 9P2000.L over a virtio-serial port of its own, relayed in the guest: works with any guest RAM. */
    NINE_P("9p"),
    /**
     * virtio-fs: FUSE over a vhost-user device of its own, the guest's RAM mapped by the server.
     * Needs guest RAM on shared memory (Linux hosts); 9P is used where that is missing.
     */
    VIRTIO_FS("virtiofs");

    private final String label;

    ShareTransport(String label) {
        this.label = label;
    }

    /** The name users give and see: "9p" or "virtiofs". */
    public String label() {
        return label;
    }

    public static ShareTransport of(String label) {
        for (ShareTransport t : values()) {
            if (t.label.equals(label)) {
                return t;
            }
        }
        throw new IllegalArgumentException("file sharing \"" + label + "\" is not one of 9p, virtiofs");
    }
}
