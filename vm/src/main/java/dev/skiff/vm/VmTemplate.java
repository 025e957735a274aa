package dev.skiff.vm;

import java.nio.file.Path;

/**
 * A booted VM's snapshot that later VMs of the same config start from instead of booting (as Kata's
 * VM factory): the guest's RAM as it was ({@code ram}, a sparse file) and the devices' state
 * ({@code state}). Each VM started from it gets a copy of the RAM of its own; the guest learns it
 * is a new VM from its VM generation ID, and takes the wall clock from the host.
 *
 * @param key what the template was made for ({@link VmDriver#templateKey}): equal keys, interchangeable VMs
 */
public record VmTemplate(String key, Path ram, Path state) {}
