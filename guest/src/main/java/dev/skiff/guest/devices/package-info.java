/**
 * Finding hot-plugged devices without udev: virtio-serial ports by the name the host gave them,
 * virtio block disks by their serial, network cards by their MAC. All read sysfs, as hcsshim's
 * GCS does for SCSI disks.
 */
package dev.skiff.guest.devices;
