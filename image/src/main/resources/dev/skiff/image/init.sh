#!/bin/sh
# PID 1 of a Skiff guest, for its first moments. /opt (the Java runtime and the agent) is not in the
# initrd but in an EROFS image on a virtio-pmem device, mounted with DAX: the guest runs those files
# in place from the host's page cache, which every VM shares, instead of unpacking a copy of them into
# its own RAM at boot. This script loads the few modules that takes, mounts /opt, then becomes the
# agent: java, with the arguments the kernel passed after "--". Everything else (/proc, /sys, the
# other modules) is the agent's.
set -u
bb=/bin/busybox
die() {
    echo "skiff-init: $*; the guest cannot start (rebuild the image: ./skiff guest build --force)" >&2
    exit 1
}
$bb mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev || die "cannot mount /dev"
while read -r ko; do
    case $ko in '' | '#'*) continue ;; esac
    $bb insmod "/$ko" || die "cannot load the kernel module /$ko"
done < /etc/skiff/modules.init
# libnvdimm probes the pmem namespace asynchronously: its block device appears a moment later.
tries=0
while [ ! -b /dev/pmem0 ]; do
    tries=$((tries + 1))
    [ $tries -le 1000 ] || die "no /dev/pmem0 after 10 s: the VM has no virtio-pmem device with the image's /opt"
    $bb usleep 10000
done
$bb mount -t erofs -o ro,nodev,dax=always /dev/pmem0 /opt || die "cannot mount /dev/pmem0 (EROFS) on /opt"
$bb umount /dev
exec /opt/java/bin/java "$@"
