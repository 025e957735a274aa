#!/usr/bin/env bash
# Regenerates the guest's CDS class list, image/src/main/resources/dev/skiff/image/jre/guest.classlist,
# from the agent as it really runs: a daemon of its own boots VMs whose agent JVM writes every class,
# lambda proxy and lambda form it loads to the serial console (SKIFF_GUEST_JAVA_OPTIONS=
# -XX:DumpLoadedClassList=/dev/console), while a workload runs a container's whole life in both modes
# (bind mounts and a host change replayed for inotify, exec, logs, cp, a published port, a user
# network, stop, start, kill, a volume). The list becomes what it held (the host-side training,
# dev.skiff.agent.Main#train) and everything those VMs loaded, sorted, so a class is never dropped
# by a run that missed it. Run it after changing what the agent touches, then rebuild the image.
# Measured when it was introduced: a cold dedicated `docker run` with a bind mount 0.7-0.9 s faster.
# Usage: image/classlist.sh   (needs the daemon's prerequisites; takes about two minutes under TCG)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/engine/bench/lib.sh"
trap 'status=$?; skiff_cleanup; skiff_finish "$status"' EXIT
list=$root/image/src/main/resources/dev/skiff/image/jre/guest.classlist

export SKIFF_GUEST_JAVA_OPTIONS=-XX:DumpLoadedClassList=/dev/console
skiff_start
bind=$work/bind
mkdir -p "$bind" && echo hi > "$bind/f"
for iso in hyperv process; do
  d run --rm --isolation=$iso -v "$bind":/d busybox sh -c 'cat /d/f; echo x > /d/g; ls -l /d >/dev/null; mkdir -p /d/sub; rm /d/g' >/dev/null
  d run -d --name "c-$iso" --isolation=$iso -p 127.0.0.1::80 -v "$bind":/d busybox sh -c 'while true; do sleep 1; done' >/dev/null
  d exec "c-$iso" cat /d/f >/dev/null
  echo host > "$bind/h-$iso"
  d exec "c-$iso" cat "/d/h-$iso" >/dev/null
  d logs "c-$iso" >/dev/null; d top "c-$iso" >/dev/null; d stats --no-stream "c-$iso" >/dev/null
  d cp "$bind/f" "c-$iso:/tmp/f" && d cp "c-$iso:/tmp/f" "$bind/f2"
  d network create "n-$iso" >/dev/null; d network connect "n-$iso" "c-$iso"
  d stop -t 2 "c-$iso" >/dev/null; d start "c-$iso" >/dev/null; d kill "c-$iso" >/dev/null; d rm -f "c-$iso" >/dev/null
  d network rm "n-$iso" >/dev/null
done
d volume create v1 >/dev/null; d run --rm -v v1:/v busybox sh -c 'echo v > /v/x'; d volume rm v1 >/dev/null

# The console interleaves the list with kernel and agent lines: keep only whole lines of its two forms.
raw=$work/consoles.txt
cat "$SKIFF_RUN"/logs/*.console.log | tr -d '\r' > "$raw"
found=$(grep -acE '^[A-Za-z0-9_$]+(/[A-Za-z0-9_$]+)+ id: [0-9]+$' "$raw" || true)
[ "$found" -gt 1000 ] || { echo "the VMs' consoles hold only $found class lines: did the agent JVM get the option?" >&2; exit 1; }
{
  grep '^#' "$list"
  { grep -v '^[@#]' "$list"; grep -aE '^[A-Za-z0-9_$]+(/[A-Za-z0-9_$]+)+ id: [0-9]+$' "$raw" | cut -d' ' -f1; } | LC_ALL=C sort -u
  { grep '^@lambda' "$list"; grep -aE '^@lambda-(proxy|form-invoker) ' "$raw"; } | LC_ALL=C sort -u
} > "$work/guest.classlist"
before=$(grep -vc '^#' "$list")
mv "$work/guest.classlist" "$list"
echo "guest.classlist: $before -> $(grep -vc '^#' "$list") entries (from $found class lines in the VMs' consoles)"
