/**
 * Child processes of the guest without {@link java.lang.ProcessBuilder}: one {@link
 * dev.skiff.guest.process.Reaper} per JVM spawns children and reaps every child and orphan (as
 * PID 1 or a child subreaper), and {@link dev.skiff.guest.process.FdInputStream} and {@link
 * dev.skiff.guest.process.FdOutputStream} read and write the raw descriptors handed to them.
 *
 * <p>ProcessBuilder cannot be used in the guest: it closes a child's pipes when the child exits
 * (a container keeps them after runc exits), and its per-child waitpid races the reaper's
 * waitpid(-1).
 */
package dev.skiff.guest.process;
