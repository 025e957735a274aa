/**
 * The 9P2000.L wire format: framing ({@link dev.skiff.p9.wire.FrameReader},
 * {@link dev.skiff.p9.wire.FrameWriter}) and the codec ({@link dev.skiff.p9.wire.Codec}) over
 * one record per message, grouped under the sealed interfaces
 * {@link dev.skiff.p9.wire.Tmessage} and {@link dev.skiff.p9.wire.Rmessage}.
 *
 * <p>Sources: Linux include/net/9p/9p.h and net/9p/protocol.c; diod's protocol.md. This package
 * never opens a socket and never interprets file-system meaning. Every length field is bounded
 * by the frame it sits in, and every frame by the negotiated msize (at most 1 MiB).
 */
package dev.skiff.p9.wire;
