#!/usr/bin/env bash
# Container networking through Skiff, side by side with QEMU's own path, in one run and one VM:
#   - download of a 100 MB file from busybox httpd in a container on the default bridge, through
#     its published port (-p: QEMU's user networking hostfwd, then DNAT in the VM, a bridge and a
#     veth), against the same download from httpd in the VM's own namespace (--network host, where
#     Skiff publishes a port as a plain hostfwd straight to the VM's port):
#     the ratio is what Skiff's in-VM path costs (goal >= 0.8);
#   - short HTTP requests per second through both paths (curl, one connection each);
#   - container to container in the VM (wget of the same file by address), and across two VMs on a
#     user network (a dedicated VM's container fetched by name from the shared VM: the switch).
# Usage: engine/bench/net.sh [RUNS]   (prints medians and ratios; asserts nothing)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
mb=${NET_BENCH_MB:-100}
requests=${NET_BENCH_REQUESTS:-200}
. "$root/engine/bench/lib.sh"
cleanup() {
  local status=$?
  skiff_cleanup
  skiff_finish "$status"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 1200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.25; done; echo "no answer from $1"; return 1; }

skiff_start

serve="mkdir -p /w && dd if=/dev/zero of=/w/f bs=1M count=$mb 2>/dev/null && echo ok > /w/small && exec httpd -f -p"
p_bridge=$(free_port)
d run -d --name nb-bridge -p "127.0.0.1:$p_bridge:80" busybox sh -c "$serve 80 -h /w" >/dev/null
# The peer path: in the VM's own namespace (--network host), a published port is a plain
# hostfwd straight to the VM's port, with no DNAT, bridge or veth.
p_direct=$(free_port)
d run -d --name nb-host --network host -p "127.0.0.1:$p_direct:18090" busybox sh -c "$serve 18090 -h /w" >/dev/null
wait_http "http://127.0.0.1:$p_bridge/small"
wait_http "http://127.0.0.1:$p_direct/small"

download() { curl -fs -o /dev/null -w '%{speed_download}\n' "$1" | awk '{printf "%.1f\n", $1 / 1048576}'; }
reqs() {
  local t0 t1
  t0=$(date +%s.%N)
  for _ in $(seq "$requests"); do curl -fs -o /dev/null "$1"; done
  t1=$(date +%s.%N)
  echo "$requests / ($t1 - $t0)" | bc -l | awk '{printf "%.1f\n", $1}'
}
bridge_mbs=(); direct_mbs=(); bridge_rps=(); direct_rps=()
for _ in $(seq "$runs"); do   # alternating, so a slow host period hits both
  bridge_mbs+=("$(download "http://127.0.0.1:$p_bridge/f")")
  direct_mbs+=("$(download "http://127.0.0.1:$p_direct/f")")
  bridge_rps+=("$(reqs "http://127.0.0.1:$p_bridge/small")")
  direct_rps+=("$(reqs "http://127.0.0.1:$p_direct/small")")
done
ip=$(d inspect --format '{{.NetworkSettings.IPAddress}}' nb-bridge)
# MB/s of a wget inside a container: the container's own clock, so docker run's start is not counted.
# busybox date has no %N: /proc/uptime in hundredths of a second.
wget_rate() { d run --rm "$@" busybox sh -c "cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }; t0=\$(cs); wget -q -O /dev/null \$URL; t1=\$(cs); echo \$(( $mb * 100 / (t1 - t0 + 1) ))"; }
c2c=$(wget_rate -e URL="http://$ip/f")
# Across VMs on a user network: a server in a dedicated VM, fetched by name from the shared VM,
# every frame through the daemon's switch.
d network create nb-net >/dev/null
d run -d --name nb-far --network nb-net --isolation=hyperv busybox sh -c "$serve 80 -h /w" >/dev/null
d run --rm --network nb-net busybox sh -c 'for i in $(seq 600); do timeout 10 wget -q -O /dev/null http://nb-far/small && exit 0; sleep 0.2; done; exit 1' >/dev/null
cross=$(wget_rate --network nb-net -e URL=http://nb-far/f)

bm=$(printf '%s\n' "${bridge_mbs[@]}" | median); dm=$(printf '%s\n' "${direct_mbs[@]}" | median)
br=$(printf '%s\n' "${bridge_rps[@]}" | median); dr=$(printf '%s\n' "${direct_rps[@]}" | median)
echo "network benchmark: $runs runs, medians (TCG: figures are the emulator's)"
printf '  %-58s %8s MB/s\n' "download ${mb} MB through -p (hostfwd + DNAT + bridge)" "$bm"
printf '  %-58s %8s MB/s\n' "download ${mb} MB through plain hostfwd to the VM" "$dm"
printf '  %-58s %8s x   (goal >= 0.8)\n' "ratio -p / plain hostfwd" "$(echo "$bm / $dm" | bc -l | awk '{printf "%.2f", $1}')"
printf '  %-58s %8s req/s\n' "short HTTP requests through -p ($requests per run)" "$br"
printf '  %-58s %8s req/s\n' "short HTTP requests through plain hostfwd" "$dr"
printf '  %-58s %8s x\n' "ratio -p / plain hostfwd" "$(echo "$br / $dr" | bc -l | awk '{printf "%.2f", $1}')"
printf '  %-58s %8s MB/s\n' "container to container in one VM (wget, ${mb} MB)" "$c2c"
printf '  %-58s %8s MB/s\n' "container to container across two VMs (daemon switch, ${mb} MB)" "$cross"
