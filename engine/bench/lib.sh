# Shared by the engine's benchmarks (sourced, not run): a Skiff daemon of the benchmark's own, in
# a work folder that the exit trap removes with every VM the daemon started.
#   skiff_start        make $work, start the daemon in it, wait until it answers
#   d ARGS...          the docker CLI against that daemon
#   median             the median of the numbers on stdin
#   skiff_cleanup      remove containers, stop the daemon and its VMs (call it from the EXIT trap)
#   skiff_finish ST    then: delete $work, first keeping its logs when the run failed (ST != 0)
work=$(mktemp -d /tmp/sb.XXXX)
export SKIFF_RUN=$work/run SKIFF_DATA=$work/data SKIFF_IDLE_SECONDS=600
sock=$SKIFF_RUN/docker.sock
d() { docker -H "unix://$sock" "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

skiff_start() {
  "$root/skiff" daemon >> "$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 2400); do d version >/dev/null 2>&1 && break; sleep 0.25; done
  d version >/dev/null || { echo "daemon did not come up:"; tail -20 "$work/daemon.log"; exit 1; }
}

# Waits until the host has a VM template (see README, "VM templates"): the daemon makes one in the
# background when there is none, and VMs started meanwhile boot.
await_template() {
  for _ in $(seq 1 1200); do
    ls "${SKIFF_CACHE:-/var/cache/skiff}"/templates/*/state >/dev/null 2>&1 && return
    sleep 0.5
  done
  echo "no VM template after 10 min" >&2; tail -20 "$work/daemon.log" >&2; exit 1
}

# A failed run's daemon log and VM consoles are what says why: they go to a folder of their own
# (printed), and the rest of $work (disks, images, dockerd's data) is deleted as after a good run.
skiff_finish() {
  local status=$1
  if [ "$status" -ne 0 ] && [ -d "$work" ]; then
    local keep
    keep=$(mktemp -d /tmp/skiff-bench-failed.XXXX)
    cp "$work"/*.log "$keep"/ 2>/dev/null || true
    cp -r "$SKIFF_RUN/logs" "$keep/vm-logs" 2>/dev/null || true
    echo "benchmark failed (status $status): the daemon log and VM consoles are kept in $keep" >&2
    [ -f "$work/daemon.log" ] && tail -20 "$work/daemon.log" >&2
  fi
  awk -v w="$work" '$2 ~ "^" w {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || echo "note: could not delete all of $work"
}

skiff_cleanup() {
  d ps -aq 2>/dev/null | xargs -r docker -H "unix://$sock" rm -f >/dev/null 2>&1 || true
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null || true
  # VMs outlive the daemon by design: stop the ones this run started.
  for rec in "$SKIFF_RUN"/vm/*/vm.properties; do
    [ -f "$rec" ] || continue
    pid=$(sed -n 's/^qemu.pid=//p' "$rec" | head -1)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
}
