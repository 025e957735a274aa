/**
 * The program the utility VM boots into. The initrd's {@code /init} (a busybox script) mounts /opt,
 * where the Java runtime is, and execs the JVM as PID 1 ({@code /opt/java/bin/java
 * @/etc/skiff/java.args}); {@link dev.skiff.guest.Main}
 * first sets the machine up ({@link dev.skiff.guest.boot}), then serves the host on the control
 * port. Until the agent lands it serves the small self-test protocol in
 * {@link dev.skiff.guest.selftest}; the image builder takes any main class, so the agent drops in.
 */
package dev.skiff.guest;
