/**
 * Replays of host-side changes, so that inotify in a guest hears what happened to a bind mount's
 * folder outside it: {@link dev.skiff.p9.fs.replay.ReplayingFileSystem} decorates a backend, expects
 * the guest agent's operations for each {@link dev.skiff.p9.fs.replay.HostChange} and acknowledges
 * them without touching the host, and journals its own clients' changes
 * ({@link dev.skiff.p9.fs.replay.OwnChanges}) so that the host watcher does not echo them back.
 */
package dev.skiff.p9.fs.replay;
