#!/usr/bin/env bash
# Host memory of Skiff's VMs, in one run:
#   - an idle dedicated VM (one container sleeping in it), then each of three side by side (PSS
#     shares the pages of the files they all map among them),
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
# Where a VM's PSS goes, in MiB: the guest's RAM (the memfd, or a VM template's RAM copied), TCG's translation cache (the one
# anonymous mapping of its configured size), the boot files QEMU maps (kernel, initrd, /opt's image)
# and the rest (QEMU itself).
breakdown() {
  awk -v tb=$(( ${SKIFF_TCG_TB_MIB:-128} * 1024 )) '
    /^[0-9a-f]+-[0-9a-f]+ / { name = $6; size = -1; next }
    /^Size:/ { size = $2; next }
    /^Pss:/ {
      if (name ~ /memfd|\/ram$/) ram += $2   # a memfd, or a copy of a VM template RAM file
      else if (name == "" && size >= tb - 64 && size <= tb) tcg += $2   # less its guard page
      else if (name ~ /(vmlinux|vmlinuz|initrd\.img|opt\.erofs)$/) boot += $2
      else rest += $2
    }
    END { printf "guest RAM %d, TCG cache %d, kernel+initrd+/opt files %d, QEMU %d", ram/1024, tcg/1024, boot/1024, rest/1024 }
  ' "/proc/$1/smaps"
}
vm_pid() { "$root/skiff" info | awk -v m="$1" '$2 == m {print $4; exit}'; }

skiff_start
await_template   # VMs start from it, as a user's do once the host has one
d run -d --name idle --isolation=hyperv busybox sleep 1000 >/dev/null
read -r ded_rss ded_pss < <(settled "$(vm_pid dedicated)")
ded_parts=$(breakdown "$(vm_pid dedicated)")
# Two more: the kernel's and /opt's pages (a file each VM maps, /opt through virtio-pmem) are the
# host's page cache, one copy for all VMs, which PSS divides among them.
d run -d --name idle2 --isolation=hyperv busybox sleep 1000 >/dev/null
d run -d --name idle3 --isolation=hyperv busybox sleep 1000 >/dev/null
three_rss=0 three_pss=0
for pid in $("$root/skiff" info | awk '$2 == "dedicated" {print $4}'); do
  read -r r p < <(settled "$pid")
  three_rss=$((three_rss + r)) three_pss=$((three_pss + p))
  three_parts=$(breakdown "$pid")
done
d rm -f idle idle2 idle3 >/dev/null

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
printf '  %-52s %s\n' "" "PSS: $ded_parts"
printf '  %-52s RSS %5d  PSS %5d\n' "three idle dedicated VMs, each (mean)" $((three_rss / 3)) $((three_pss / 3))
printf '  %-52s %s\n' "" "PSS of the last: $three_parts"
printf '  %-52s RSS %5d  PSS %5d\n' "shared VM, no container" "$sh_rss" "$sh_pss"
printf '  %-52s RSS %5d  PSS %5d\n' "shared VM, after 200 MB of page cache + 150 MB heap" "$heavy_rss" "$heavy_pss"
printf '  (the workload itself took %.1f s)\n' "$heavy_s"
printf '  (TCG cache: SKIFF_TCG_TB_MIB, %d MiB here; KVM has none)\n' "${SKIFF_TCG_TB_MIB:-128}"
printf '  goals (issue 20): idle dedicated <= 150, shared with no containers <= 250, also after a workload\n'
