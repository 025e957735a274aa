/**
 * containerd's ttrpc in Java: {@link dev.skiff.ttrpc.Client}, {@link dev.skiff.ttrpc.Server} and
 * the {@link dev.skiff.ttrpc.ServiceRegistry} of handlers, over any byte channel
 * ({@link dev.skiff.ttrpc.Transport}).
 *
 * <h2>Protocol notes (containerd/ttrpc PROTOCOL.md, request.proto, v1.2 with streaming)</h2>
 * <ul>
 *   <li><b>Frames</b> ({@code dev.skiff.ttrpc.frame}): 10-byte big-endian header (length u32,
 *       stream id u32, type u8, flags u8), then data; data is capped at 4 MiB.</li>
 *   <li><b>Envelopes</b> ({@code dev.skiff.ttrpc.codec}): a Request frame carries
 *       {@code ttrpc.Request{service, method, payload, timeout_nano, metadata}}; a Response frame
 *       carries {@code ttrpc.Response{google.rpc.Status status, payload}}. Data frames carry a bare
 *       message.</li>
 *   <li><b>Streams</b>: the client opens every stream with a Request; ids are odd and strictly
 *       increasing on the wire (the server rejects anything else with INVALID_ARGUMENT on that
 *       id). Unary: Request (no flags) then Response. Streaming client: Request with
 *       {@code remote open}, Data frames, then Data with {@code remote closed | no data}.
 *       Non-streaming client: Request with {@code remote closed}. A streaming server answers with
 *       Data frames and ends with Data {@code remote closed} ({@code | no data} when there is no
 *       final message); a non-streaming server, or any error, ends with a Response.</li>
 *   <li><b>Deadlines</b>: {@code timeout_nano} is the caller's remaining time. The server answers
 *       DEADLINE_EXCEEDED when it passes and interrupts the handler; the client stops waiting at
 *       the same instant and reports DEADLINE_EXCEEDED itself.</li>
 *   <li><b>Metadata</b>: {@link dev.skiff.ttrpc.Metadata}, keys lower-cased, one KeyValue per
 *       value.</li>
 *   <li><b>Errors</b>: {@code google.rpc.Status} with gRPC codes ({@link dev.skiff.ttrpc.Code}).
 *       A handler's exception becomes a status only in {@link dev.skiff.ttrpc.StatusMapper}.</li>
 *   <li><b>Oversized frames</b>: as containerd's {@code channel.recv}, the receiver skips the
 *       data without buffering it and rejects that one message: the server answers
 *       RESOURCE_EXHAUSTED on the stream id, the client fails that stream. The connection goes
 *       on. A sender refuses to send an oversized frame (RESOURCE_EXHAUSTED to the caller or
 *       as the call's status).</li>
 *   <li><b>Limits</b>: frame data 4 MiB ({@code FrameHeader.MAX_DATA_LENGTH}); 64 buffered inbound
 *       messages per stream on each side (a stream whose reader falls behind for a second fails
 *       with RESOURCE_EXHAUSTED, as containerd's {@code streamRecvBufferSize}); 1024 calls at once
 *       per server connection ({@code ServerConnection.MAX_ACTIVE_CALLS}).</li>
 *   <li><b>Deviations</b>: a Data frame with {@code remote closed} and a payload is accepted
 *       (message delivered, then closed); containerd's server delivers it but also answers
 *       INVALID_ARGUMENT. A streaming call also sends {@code timeout_nano} (containerd's client
 *       leaves it out for streams).</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Per connection: a virtual reader thread and a virtual writer thread ({@code FrameSender}); on
 * the server one virtual thread per call. Callers and handlers never write to the transport
 * themselves, because interrupting a thread blocked in channel I/O would close the channel.
 */
package dev.skiff.ttrpc;
