#!/usr/bin/env bash
# Host memory of Skiff's VMs, in one run:
#   - an idle dedicated VM (one container sleeping in it),
#   - the shared VM idle with no container, then again after a heavy workload came and went
#     (a container that fills 200 MB of page cache and 150 MB of anonymous memory, then exits),
# Each figure is QEMU's RSS and PSS (/proc/PID/smaps_rollup) once it has settled: free page
# reporting hands freed guest pages back a few seconds after the guest frees them, so the script
# samples every second until three samples in a row no longer fall (60 s at most).
# Usage: engine/bench/memory.sh   (prints MiB; asserts nothing)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/engine/bench/lib.sh"
trap 'status=$?; skiff_cleanup; skiff_finish "$status"' EXIT

kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
# Waits until QEMU's RSS stops falling; prints "RSS PSS" in MiB.
settled() {
  local pid=$1 last steady=0 now
  last=$(kib "$pid" Rss)
  for _ in $(seq 60); do
    sleep 1
    now=$(kib "$pid" Rss)
    if [ "$now" -lt $((last - 1024)) ]; then steady=0; else steady=$((steady + 1)); fi
    last=$now
    [ "$steady" -ge 3 ] && break
  done
  echo "$(( $(kib "$pid" Rss) / 1024 )) $(( $(kib "$pid" Pss) / 1024 ))"
}
vm_pid() { "$root/skiff" info | awk -v m="$1" '$2 == m {print $4; exit}'; }

skiff_start
d run -d --name idle --isolation=hyperv busybox sleep 1000 >/dev/null
read -r ded_rss ded_pss < <(settled "$(vm_pid dedicated)")
d rm -f idle >/dev/null

d run --rm busybox true >/dev/null   # boots the shared VM
shared=$(vm_pid shared)
read -r sh_rss sh_pss < <(settled "$shared")
t0=$(date +%s.%N)
d run --rm busybox sh -c 'dd if=/dev/zero of=/cache bs=1M count=200 2>/dev/null; cat /cache > /dev/null; rm /cache;
  dd if=/dev/zero of=/dev/null bs=150M count=1 2>/dev/null' >/dev/null
heavy_s=$(echo "$(date +%s.%N) - $t0" | bc)
read -r heavy_rss heavy_pss < <(settled "$shared")

echo "host memory of a VM, settled (MiB; TCG unless KVM was found):"
printf '  %-52s RSS %5d  PSS %5d\n' "idle dedicated VM (one sleeping container)" "$ded_rss" "$ded_pss"
printf '  %-52s RSS %5d  PSS %5d\n' "shared VM, no container" "$sh_rss" "$sh_pss"
printf '  %-52s RSS %5d  PSS %5d\n' "shared VM, after 200 MB of page cache + 150 MB heap" "$heavy_rss" "$heavy_pss"
printf '  (the workload itself took %.1f s)\n' "$heavy_s"
printf '  goals (issue 20): idle dedicated <= 150, shared with no containers <= 250, also after a workload\n'
