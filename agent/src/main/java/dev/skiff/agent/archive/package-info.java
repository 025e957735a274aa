/**
 * docker cp inside the guest: the tar of a path in a container's root file system, and the
 * extraction of a tar into a directory of it (moby's daemon/archive*.go and go-archive, in Java).
 * Every path is resolved inside the container's root with openat2 RESOLVE_IN_ROOT, and every
 * entry is then made relative to a held directory descriptor by one name, so neither "..", a
 * symlink, nor a container process swapping a directory for a symlink mid-copy can reach outside.
 * The bytes stream through {@link dev.skiff.agent.archive.CreditedOutput} and
 * {@link dev.skiff.agent.archive.CreditedInput} with the flow control of agent.proto.
 */
package dev.skiff.agent.archive;
