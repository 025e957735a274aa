/**
 * The 9P2000.L server: {@link dev.skiff.p9.server.Server} (transports), one
 * {@link dev.skiff.p9.server.Session} per connection (read loop, pending requests, Tflush, the
 * fid table), the {@code Dispatcher} (an exhaustive switch over the sealed T-messages) and thin
 * handlers grouped by resource: {@code FidOps}, {@code IoOps}, {@code LockOps}, {@code NodeOps},
 * {@code XattrOps}, {@code Auth}.
 *
 * <p>This layer owns fids, tags, qids ({@code QidMap}), limits, read-only enforcement and the
 * errno-to-Rlerror conversion (in {@code Rlerrors} only). Everything about files is delegated
 * to a {@link dev.skiff.p9.fs.FileSystem}. Behaviour follows the Plan 9 manual section 5
 * (flush(5), walk(5), ...), diod's protocol.md and QEMU hw/9pfs/9p.c.
 */
package dev.skiff.p9.server;
