/**
 * The one place Skiff calls Linux through the Java foreign function API.
 *
 * <p>{@link dev.skiff.sys.Libc} owns the linker, the downcall handles and errno capture;
 * each family of system calls has one small wrapper class beside it ({@link dev.skiff.sys.Mounts},
 * {@link dev.skiff.sys.Modules}, ...). Every wrapper checks its arguments and throws an
 * {@link dev.skiff.sys.ErrnoException} that names the call and the path. No other package
 * touches {@code java.lang.foreign.Linker}.
 *
 * <p>{@link dev.skiff.sys.HostTools} is the one place the host's programs are looked up (PATH,
 * then the system folders a plain user's PATH may lack).
 */
package dev.skiff.sys;
