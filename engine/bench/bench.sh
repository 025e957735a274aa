#!/usr/bin/env bash
# docker run through Skiff, side by side with its peers, in one run:
#   - `docker run --rm busybox true` in shared mode with a warm VM,
#   - the same with --isolation=hyperv, a dedicated VM for each run started from the host's VM
#     template (made by the daemon in the background if there is none: the run waits for it),
#   - the same booted with templates off (SKIFF_VM_TEMPLATES=0): a VM's kernel boot and agent start,
#   - the same from the dedicated-VM pool (daemon.json "dedicated-vm-pool": 1; each run waits until
#     the pool holds a ready VM, as spaced runs find it); goal (issue 20): at most 1.5x shared;
#   - a bare VM boot (the same kernel to a busybox init, from ./skiff vm bench),
#   - the reference dockerd (no VM at all: the speed floor), when dockerd is installed,
#   - host memory (RSS) of an idle dedicated VM: its QEMU, and the daemon beside it.
# Usage: engine/bench/bench.sh [RUNS]   (prints medians; asserts nothing)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
. "$root/engine/bench/lib.sh"
now() { date +%s.%N; }
cleanup() {
  local status=$?
  skiff_cleanup
  if [ -n "${ref_pid:-}" ]; then
    kill "$ref_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$ref_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  skiff_finish "$status" # also unmounts what dockerd left below its data and exec roots
}
trap cleanup EXIT

skiff_start

time_run() { local t0 t1; t0=$(now); d run --rm "$@" busybox true >/dev/null; t1=$(now); echo "$t1 - $t0" | bc; }

d run --rm busybox true >/dev/null   # boots the shared VM: not timed
shared=(); for _ in $(seq "$runs"); do shared+=("$(time_run)"); done
await_template
dedicated=(); for _ in $(seq "$runs"); do dedicated+=("$(time_run --isolation=hyperv)"); done

# Cold boots: the daemon again with templates off (its live restore takes up the shared VM).
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
SKIFF_VM_TEMPLATES=0 skiff_start
booted=(); for _ in $(seq "$runs"); do booted+=("$(time_run --isolation=hyperv)"); done

# The pool: the daemon again, now with one pooled VM (its live restore takes up the shared VM).
kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
echo '{"dedicated-vm-pool": 1}' > "$work/daemon.json"
export SKIFF_CONFIG=$work/daemon.json
skiff_start
await_pooled() {
  for _ in $(seq 1 1200); do "$root/skiff" info 2>/dev/null | awk '$2 == "pooled"' | grep -q . && return; sleep 0.5; done
  echo "no VM in the pool after 10 min" >&2; tail -20 "$work/daemon.log" >&2; exit 1
}
pooled=(); for _ in $(seq "$runs"); do await_pooled; pooled+=("$(time_run --isolation=hyperv)"); done

# Idle dedicated VM: its QEMU's RSS once the container sleeps. SKIFF_BENCH_MEMORY=0 skips it (CI runs
# memory.sh next, which measures the same VM settled, with PSS).
qemu_rss=""
if [ "${SKIFF_BENCH_MEMORY:-1}" != 0 ]; then
  d run -d --name idle --isolation=hyperv busybox sleep 1000 >/dev/null
  qemu_pid=$("$root/skiff" info | awk '$2 == "dedicated" {print $4; exit}')
  qemu_rss=$(awk '/VmRSS/ {print $2}' "/proc/$qemu_pid/status")
  d rm -f idle >/dev/null
fi
daemon_rss=$(awk '/VmRSS/ {print $2}' "/proc/$daemon_pid/status")

# The bare boot: SKIFF_BENCH_BARE (seconds: the median a `./skiff vm bench` printed in the same run,
# as .ci/run passes it), or a vm bench of our own.
bare=${SKIFF_BENCH_BARE:-$("$root/skiff" vm bench --runs "$(( runs < 3 ? runs : 3 ))" | awk '/bare QEMU/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}')}

ref=""
if command -v dockerd >/dev/null; then
  refsock=$work/ref.sock
  dockerd --bridge=none --iptables=false --storage-driver=vfs -H "unix://$refsock" --data-root "$work/ref" \
    --exec-root "$work/refexec" --pidfile "$work/ref.pid" > "$work/ref.log" 2>&1 &
  ref_pid=$!
  for _ in $(seq 1 240); do docker -H "unix://$refsock" version >/dev/null 2>&1 && break; sleep 0.25; done
  # The same busybox rootfs for the reference: Debian's busybox-static with its applet links.
  bb=$(ls -d "${SKIFF_CACHE:-/var/cache/skiff}"/debs/busybox-static_*/bin/busybox 2>/dev/null | head -1)
  mkdir -p "$work/bbroot/bin" "$work/bbroot/usr/bin" "$work/bbroot/sbin" "$work/bbroot/usr/sbin"
  if [ -n "$bb" ]; then
    cp "$bb" "$work/bbroot/bin/busybox"
    "$bb" --list-full | while read -r applet; do
      [ "$applet" = bin/busybox ] || [ -e "$work/bbroot/$applet" ] || ln -s /bin/busybox "$work/bbroot/$applet" 2>/dev/null || true
    done
  fi
  if [ -n "$bb" ] && tar -C "$work/bbroot" -c . | docker -H "unix://$refsock" import - busybox >/dev/null 2>&1; then
    docker -H "unix://$refsock" run --rm --network none busybox true >/dev/null 2>&1 || true
    refs=(); for _ in $(seq "$runs"); do t0=$(now); docker -H "unix://$refsock" run --rm --network none busybox true >/dev/null; t1=$(now); refs+=("$(echo "$t1 - $t0" | bc)"); done
    ref=$(printf '%s\n' "${refs[@]}" | median)
  fi
fi

ms=$(printf '%s\n' "${shared[@]}" | median)
md=$(printf '%s\n' "${dedicated[@]}" | median)
mb=$(printf '%s\n' "${booted[@]}" | median)
mp=$(printf '%s\n' "${pooled[@]}" | median)
echo "docker run --rm busybox true ($runs runs each, medians, seconds; TCG unless KVM was found):"
printf '  skiff, shared VM (warm)          %6.2f   [%s]\n' "$ms" "${shared[*]}"
printf '  skiff, --isolation=hyperv (template) %6.2f   [%s]\n' "$md" "${dedicated[*]}"
printf '  skiff, --isolation=hyperv (booted)   %6.2f   [%s]\n' "$mb" "${booted[*]}"
printf '  skiff, --isolation=hyperv (pool) %6.2f   [%s]\n' "$mp" "${pooled[*]}"
[ -n "$bare" ] && printf '  bare VM boot (vm bench)          %6.2f\n' "$bare"
[ -n "$ref" ] && printf '  reference dockerd (no VM)        %6.2f\n' "$ref"
[ -n "$bare" ] && printf '  dedicated from the template - bare boot %6.2f s   (goal <= 3)\n' "$(echo "$md - $bare" | bc -l)"
[ -n "$bare" ] && printf '  dedicated booted - bare boot            %6.2f s\n' "$(echo "$mb - $bare" | bc -l)"
printf '  ratio pooled / shared            %6.2f   (goal <= 1.5)\n' "$(echo "$mp / $ms" | bc -l)"
[ -n "$ref" ] && printf '  ratio shared / dockerd           %6.2f\n' "$(echo "$ms / $ref" | bc -l)"
if [ -n "$qemu_rss" ]; then
  printf '  idle dedicated VM: QEMU RSS %.1f MiB; daemon RSS %.1f MiB (shared by all VMs)\n' \
    "$(echo "$qemu_rss / 1024" | bc -l)" "$(echo "$daemon_rss / 1024" | bc -l)"
else
  printf '  daemon RSS %.1f MiB (the idle VM: memory.sh)\n' "$(echo "$daemon_rss / 1024" | bc -l)"
fi
