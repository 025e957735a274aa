/**
 * ttrpc framing: the 10-byte message header, the three frame kinds and the 4 MiB frame cap.
 *
 * <p>Wire format (containerd/ttrpc PROTOCOL.md, "Message Frame"): every frame is a header of
 * data length (uint32), stream id (uint32), message type (uint8) and flags (uint8), all
 * big-endian, followed by exactly {@code length} bytes of data. Types are Request (0x1),
 * Response (0x2) and Data (0x3); flags are {@code remote closed} (0x1), {@code remote open}
 * (0x2) and {@code no data} (0x4).
 *
 * <p>This package only moves bytes: it never parses the protobuf envelopes (see
 * {@code dev.skiff.ttrpc.codec}) and never opens a connection.
 *
 * <p>Limits: {@link dev.skiff.ttrpc.frame.FrameHeader#MAX_DATA_LENGTH} (4 MiB). A frame the peer
 * announces as larger is never buffered: {@link dev.skiff.ttrpc.frame.FrameReader} skips its data
 * through a small fixed buffer and throws {@link dev.skiff.ttrpc.frame.OversizedFrameException}
 * naming the stream, so that the caller can reject that one message and keep the connection,
 * as containerd's {@code channel.recv} does. Sending a frame over the cap throws the same
 * exception before any byte is written.
 *
 * <p>Buffer ownership: a frame's payload array belongs to the frame; readers allocate a fresh
 * array per frame and writers never keep a reference after {@code write} returns.
 */
package dev.skiff.ttrpc.frame;
