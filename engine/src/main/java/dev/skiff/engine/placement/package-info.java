/**
 * Where containers run: {@link dev.skiff.engine.placement.Placement} boots, shares and stops the
 * utility VMs (the shared one and one per dedicated container), and {@link
 * dev.skiff.engine.placement.UtilityVm} is one VM as the engine uses it: its agent, the layer disks,
 * 9P shares and forwarded sockets plugged into it, and its network cards.
 */
package dev.skiff.engine.placement;
