/**
 * What docker stats and docker top read inside the utility VM: a container's cgroup v2 files
 * ({@code cpu.stat}, {@code memory.*}, {@code pids.*}, {@code io.stat}; see the kernel's
 * Documentation/admin-guide/cgroup-v2.rst) and the /proc files of its processes (proc(5)).
 *
 * <p>{@link dev.skiff.agent.procfs.ProcFiles} parses file contents and nothing else, so it is tested
 * on the host with sample text; {@link dev.skiff.agent.procfs.CgroupStats} and {@link
 * dev.skiff.agent.procfs.ProcessLister} read the files under a root folder ("/" in the guest, a
 * made-up tree in tests) and build the agent API's replies. A file that is missing or unreadable
 * (a controller not enabled, a process that exited meanwhile) counts as zero or is skipped.
 */
package dev.skiff.agent.procfs;
