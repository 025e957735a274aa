package dev.skiff.p9.wire;

/** Any 9P message: a request ({@link Tmessage}) or a reply ({@link Rmessage}). */
public sealed interface Message permits Tmessage, Rmessage {
    /** The message type byte (see {@link P9}). */
    int type();
}
