/**
 * The FUSE protocol as virtio-fs carries it (Linux include/uapi/linux/fuse.h, 7.31+): constants
 * ({@link dev.skiff.virtiofs.wire.Fuse}), the request header and bodies as records of a sealed
 * interface, decoded from a heap copy of guest memory ({@link dev.skiff.virtiofs.wire.RequestCopy},
 * {@link dev.skiff.virtiofs.wire.FuseDecoder}), and the replies, encoded into the writable
 * segments without ever writing past them ({@link dev.skiff.virtiofs.wire.ReplyWriter}). No file
 * system semantics here: that is the server's.
 */
package dev.skiff.virtiofs.wire;
