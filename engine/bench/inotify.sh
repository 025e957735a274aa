#!/usr/bin/env bash
# inotify on bind mounts: how long from a change made on the host to the event in a container
# watching its bind mount (issue 18), for a watcher in the shared VM and one in a dedicated VM
# (--isolation=hyperv), both on the same folder, side by side with the same inotifywait run on
# the host itself (the floor: no VM, no replay, no log stream).
# Each of N files is created on the host, one every 250 ms (so each is its own batch); the time
# is taken when its CREATE line arrives through `docker logs -f` (a container's stdout path is
# part of what is measured; the host watcher's line comes through a pipe).
# Usage: engine/bench/inotify.sh [N]   (default 100; prints median and 95th percentile in ms)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-100}
. "$root/engine/bench/lib.sh"
trap 'status=$?; skiff_cleanup; skiff_finish "$status"' EXIT

# The watcher's image, from Debian's packages, as DockerInotifyIT makes it.
img=$work/img
mkdir -p "$img/root"
(cd "$img" && apt-get download -q inotify-tools libinotifytools0 libc6 busybox-static >/dev/null 2>&1) \
  || { echo "apt-get download failed: run apt-get update"; exit 1; }
for f in "$img"/*.deb; do dpkg-deb -x "$f" "$img/root"; done
ln -s busybox "$img/root/bin/sh"

skiff_start
tar -C "$img/root" -c . | d import - bench/inotify >/dev/null
watched=$work/watched
mkdir -p "$watched"
args=(inotifywait -m -e create --format '%e %f' /d)
d run -d --name w-shared -v "$watched:/d" bench/inotify "${args[@]}" >/dev/null
d run -d --name w-hyperv --isolation=hyperv -v "$watched:/d" bench/inotify "${args[@]}" >/dev/null

python3 - "$n" "$sock" "$watched" "$img/root" <<'EOF'
import os, subprocess, sys, threading, time
n, sock, watched, imgroot = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
docker = ["docker", "-H", "unix://" + sock]
seen = {}          # (watcher, name) -> arrival time
ready = {}
lock = threading.Condition()

def follow(name, cmd, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    for line in p.stdout:
        t = time.monotonic()
        with lock:
            if line.startswith("Watches established"):
                ready[name] = True
            elif line.startswith("CREATE "):
                seen.setdefault((name, line.split(" ", 1)[1].strip()), t)
            lock.notify_all()

lib = os.path.join(imgroot, "usr/lib/x86_64-linux-gnu")
host_env = dict(os.environ, LD_LIBRARY_PATH=lib)
watchers = {
    "shared": docker + ["logs", "-f", "w-shared"],
    "hyperv": docker + ["logs", "-f", "w-hyperv"],
    "host": [os.path.join(imgroot, "usr/bin/inotifywait"), "-m", "-e", "create", "--format", "%e %f", watched],
}
for name, cmd in watchers.items():
    threading.Thread(target=follow, args=(name, cmd, host_env if name == "host" else None), daemon=True).start()
with lock:
    if not lock.wait_for(lambda: len(ready) == 3, timeout=600):
        sys.exit("watchers not ready: %s" % sorted(ready))
lat = {name: [] for name in watchers}
for i in range(n):
    f = "f%d" % i
    t0 = time.monotonic()
    open(os.path.join(watched, f), "w").close()
    with lock:
        ok = lock.wait_for(lambda: all((w, f) in seen for w in watchers), timeout=60)
    for w in watchers:
        if (w, f) in seen:
            lat[w].append((seen[(w, f)] - t0) * 1000)
    if not ok:
        print("  %s: not seen by %s within 60 s" % (f, [w for w in watchers if (w, f) not in seen]))
    time.sleep(0.25)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] if v else float("nan")
print("host change -> container inotify event, %d files (ms):" % n)
print("  %-28s %8s %8s %6s" % ("watcher", "median", "p95", "seen"))
for w, label in (("shared", "container, shared VM"), ("hyperv", "container, dedicated VM"), ("host", "inotifywait on the host")):
    print("  %-28s %8.1f %8.1f %6d" % (label, pct(lat[w], 50), pct(lat[w], 95), len(lat[w])))
EOF
