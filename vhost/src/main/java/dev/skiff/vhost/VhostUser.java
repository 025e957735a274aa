package dev.skiff.vhost;

/**
 * Numbers of the vhost-user protocol, verbatim from docs/interop/vhost-user.rst ("Front-end
 * message types", "Protocol features") and the virtio spec ("Reserved Feature Bits").
 */
public final class VhostUser {
    private VhostUser() {}

    // Front-end message types.
    public static final int GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, RESET_OWNER = 4,
            SET_MEM_TABLE = 5, SET_VRING_NUM = 8, SET_VRING_ADDR = 9, SET_VRING_BASE = 10,
            GET_VRING_BASE = 11, SET_VRING_KICK = 12, SET_VRING_CALL = 13, SET_VRING_ERR = 14,
            GET_PROTOCOL_FEATURES = 15, SET_PROTOCOL_FEATURES = 16, GET_QUEUE_NUM = 17,
            SET_VRING_ENABLE = 18, GET_CONFIG = 24, GET_MAX_MEM_SLOTS = 36;

    // Header flags: bits 0-1 the version, bit 2 a reply, bit 3 need_reply.
    public static final int VERSION = 0x1, VERSION_MASK = 0x3, FLAG_REPLY = 0x4, FLAG_NEED_REPLY = 0x8;
    /** The flags of every reply: QEMU's vhost_user_read_header refuses anything else. */
    public static final int REPLY_FLAGS = VERSION | FLAG_REPLY;

    /** KICK/CALL/ERR payload: bits 0-7 the vring index, bit 8 "no file descriptor". */
    public static final long VRING_IDX_MASK = 0xff, VRING_NOFD_MASK = 0x100;

    // Virtio feature bits ("Reserved Feature Bits").
    public static final long F_INDIRECT_DESC = 1L << 28, F_EVENT_IDX = 1L << 29, F_VERSION_1 = 1L << 32;
    /** VHOST_USER_F_PROTOCOL_FEATURES: rings start disabled, protocol features are negotiated. */
    public static final long F_PROTOCOL_FEATURES = 1L << 30;

    // Protocol feature bits.
    public static final long PROTOCOL_F_MQ = 1L << 0, PROTOCOL_F_REPLY_ACK = 1L << 3, PROTOCOL_F_CONFIG = 1L << 9;

    /** The ring features this back-end implements (see {@link SplitQueue}). */
    public static final long RING_FEATURES = F_VERSION_1 | F_INDIRECT_DESC | F_EVENT_IDX | F_PROTOCOL_FEATURES;
    /** The protocol features offered: no CONFIGURE_MEM_SLOTS (so SET_MEM_TABLE only), no BACKEND_REQ. */
    public static final long PROTOCOL_FEATURES = PROTOCOL_F_MQ | PROTOCOL_F_REPLY_ACK | PROTOCOL_F_CONFIG;

    /** The name of a request number, for errors and logs. */
    public static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case GET_CONFIG -> "GET_CONFIG";
            case GET_MAX_MEM_SLOTS -> "GET_MAX_MEM_SLOTS";
            default -> "request " + Integer.toUnsignedString(request);
        };
    }
}
