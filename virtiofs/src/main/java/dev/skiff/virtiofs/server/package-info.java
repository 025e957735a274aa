/**
 * The FUSE server of virtio-fs: one {@link dev.skiff.virtiofs.server.FuseSession} per mount owns
 * the INIT negotiation, node ids, file handles and the -errno conversion, and serves every request
 * from a {@link dev.skiff.p9.fs.FileSystem}, the backends the 9P server uses, so both protocols
 * share one implementation of file-system semantics and containment. Handlers are split by
 * resource: names and attributes, open files, xattrs, locks.
 */
package dev.skiff.virtiofs.server;
