#!/usr/bin/env bash
# docker pull through Skiff, side by side with the reference dockerd, in one run: from one local
# docker-registry (Debian's, on 127.0.0.1), an image of five layers built from a debootstrap
# minbase tree (ROOTFS) and two packages' files (over 200 MB in all), timed from `docker pull` to
# the first `docker run --network none IMAGE true` having exited (the reference runs without a
# bridge, so both run without a network), each daemon starting with neither the image nor its layers. Also Skiff's peak daemon memory (RSS, sampled every 0.2 s) during its pulls.
# Usage: engine/bench/pull.sh ROOTFS [RUNS]   (prints medians and the ratio; asserts nothing)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rootfs=${1:?usage: pull.sh ROOTFS [RUNS] (a debootstrap tree, e.g. /var/cache/skiff/bench-rootfs)}
runs=${2:-3}
. "$root/engine/bench/lib.sh"
now() { date +%s.%N; }
command -v dockerd >/dev/null || { echo "pull.sh needs the reference dockerd (apt-get install docker.io)"; exit 1; }
command -v docker-registry >/dev/null || { echo "pull.sh needs docker-registry (apt-get install docker-registry)"; exit 1; }

cleanup() {
  local status=$?
  skiff_cleanup
  [ -n "${reg_pid:-}" ] && kill "$reg_pid" 2>/dev/null || true
  if [ -n "${ref_pid:-}" ]; then
    kill "$ref_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$ref_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  skiff_finish "$status"
}
trap cleanup EXIT
mkdir -p "$work"

# The registry, on a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/reg"
cat > "$work/reg/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/reg/data
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/reg/config.yml" > "$work/reg/log" 2>&1 &
reg_pid=$!
for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
image=127.0.0.1:$port/bench/minbase:1

# The reference dockerd, in its own folders, touching no host network (no bridge, no iptables).
# overlay2 where the file system allows it (what a real install uses), else vfs.
refsock=$work/ref.sock
ref() { docker -H "unix://$refsock" "$@"; }
start_ref() {
  dockerd --bridge=none --iptables=false --storage-driver="$1" -H "unix://$refsock" --data-root "$work/ref" \
    --exec-root "$work/refexec" --pidfile "$work/ref.pid" > "$work/ref.log" 2>&1 &
  ref_pid=$!
  for _ in $(seq 1 240); do ref version >/dev/null 2>&1 && return 0; kill -0 "$ref_pid" 2>/dev/null || return 1; sleep 0.25; done
  return 1
}
driver=overlay2
start_ref overlay2 || { driver=vfs; rm -rf "$work/ref" "$work/refexec"; start_ref vfs; }

# The image: five layers (usr, var, etc, the rest, packages), built and pushed by the reference dockerd.
echo "building the image from $rootfs ($(du -sh "$rootfs" | cut -f1)) ..."
mkdir -p "$work/ctx"
tar -C "$rootfs" -cf "$work/ctx/usr.tar" usr
tar -C "$rootfs" -cf "$work/ctx/var.tar" var
tar -C "$rootfs" -cf "$work/ctx/etc.tar" etc
(cd "$rootfs" && ls -A | grep -v -x -e usr -e var -e etc -e proc -e sys -e dev | tar -cf "$work/ctx/rest.tar" -T -)
# "A few packages" on top of minbase, as the issue asks (a minbase alone is under 200 MB): the files
# of two Debian packages this benchmark needs installed anyway, as dpkg installed them here.
dpkg-query -L docker-registry runc | while read -r f; do if [ -f "$f" ] && [ ! -L "$f" ]; then echo "${f#/}"; fi; done \
  | tar -C / -cf "$work/ctx/packages.tar" -T -
printf 'FROM scratch\nADD usr.tar /\nADD var.tar /\nADD etc.tar /\nADD rest.tar /\nADD packages.tar /\nCMD ["/bin/true"]\n' \
  > "$work/ctx/Dockerfile"
DOCKER_BUILDKIT=0 ref build -q -t "$image" "$work/ctx" >/dev/null
ref push "$image" >/dev/null
size=$(ref image inspect -f '{{.Size}}' "$image")
ref rmi -f "$image" >/dev/null
rm -rf "$work/ctx"

skiff_start
d run --rm busybox true >/dev/null   # boots the shared VM, as on a machine in use: not timed
peak=0
sample_rss() { while kill -0 "$daemon_pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' "/proc/$daemon_pid/status"; sleep 0.2; done; }

skiff_runs=(); ref_runs=(); skiff_pulls=(); ref_pulls=()
for i in $(seq "$runs"); do
  d rmi -f "$image" >/dev/null 2>&1 || true
  sample_rss > "$work/rss.$i" & sampler=$!
  t0=$(now); d pull -q "$image" >/dev/null; tp=$(now); d run --rm --network none "$image" true; t1=$(now)
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  p=$(sort -n "$work/rss.$i" | tail -1); [ "${p:-0}" -gt "$peak" ] && peak=$p
  skiff_runs+=("$(echo "$t1 - $t0" | bc)"); skiff_pulls+=("$(echo "$tp - $t0" | bc)")
  ref rmi -f "$image" >/dev/null 2>&1 || true
  t0=$(now); ref pull -q "$image" >/dev/null; tp=$(now); ref run --rm --network none "$image" true; t1=$(now)
  ref_runs+=("$(echo "$t1 - $t0" | bc)"); ref_pulls+=("$(echo "$tp - $t0" | bc)")
done
ms=$(printf '%s\n' "${skiff_runs[@]}" | median)
mr=$(printf '%s\n' "${ref_runs[@]}" | median)
echo "docker pull + first docker run ... true, a $((size / 1048576)) MB image of 5 layers from a local registry ($runs runs each, medians, seconds):"
printf '  skiff (layers converted to EROFS as they download; shared VM) %7.2f   [%s]\n' "$ms" "${skiff_runs[*]}"
printf '  reference dockerd 20.10 (%s)                         %7.2f   [%s]\n' "$driver" "$mr" "${ref_runs[*]}"
printf '  ratio skiff / dockerd                                        %7.2f   (goal <= 0.8)\n' "$(echo "$ms / $mr" | bc -l)"
printf '  of which the pull alone: skiff %.2f, dockerd %.2f (ratio %.2f); the rest is the first run\n' \
  "$(printf '%s\n' "${skiff_pulls[@]}" | median)" "$(printf '%s\n' "${ref_pulls[@]}" | median)" \
  "$(echo "$(printf '%s\n' "${skiff_pulls[@]}" | median) / $(printf '%s\n' "${ref_pulls[@]}" | median)" | bc -l)"
printf '  skiff daemon peak RSS during the pulls: %.0f MiB\n' "$(echo "$peak / 1024" | bc -l)"
