#!/usr/bin/env bash
# Bind-mount speed as a container sees it (issue 20's benchmark), in one run: fsbench
# (p9/bench/harness/fsbench.c: 32 MB sequential write and read, 500 small-file creates, stats, a
# readdir, unlinks) inside a `docker run` container in Skiff's shared VM, on a bind mount over each
# of Skiff's transports (9P, the default, and virtio-fs: daemon.json "file-sharing"), against the
# same program in a throwaway guest of the same Debian kernel on QEMU's built-in virtio-9p and on
# QEMU 7.2's C virtiofsd (the bench harness, p9/bench/harness). Every measured run follows a short
# unreported one on the same mount, as the harness's WARMUP=1 (the daemon is a JVM). Prints each
# figure's median and Skiff's ratios to both peers (above 1 is faster). Asserts nothing.
# The peers' guests boot with 2 vCPUs and 1 GiB, Skiff's shared VM with its own settings: each is
# the set-up a user gets.
#   engine/bench/fsbench.sh [RUNS]    (default 3; FSB_MB and FSB_FILES pass through)
# Needs: qemu-system-x86 (with /usr/lib/qemu/virtiofsd) busybox-static socat gcc cpio python3, root.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
. "$root/engine/bench/lib.sh"
trap 'status=$?; skiff_cleanup; skiff_finish "$status"' EXIT
export FSB_MB=${FSB_MB:-32} FSB_FILES=${FSB_FILES:-500}
mkdir -p "$work/bin" "$work/results"
gcc -O2 -static -o "$work/bin/fsbench" "$root/p9/bench/harness/fsbench.c"
figures() { tr -d '\r' | grep -E '^[A-Za-z_0-9]+ [0-9.]+$' || true; }

echo "the peers: QEMU virtio-9p and virtiofsd, $runs guest boots each ..."
WARMUP=1 N=$runs OUT="$work/peers" MODES="qemu virtiofs" "$root/p9/bench/harness/compare.sh" >/dev/null
cp "$work"/peers/* "$work/results/"

for transport in 9p virtiofs; do
  echo "Skiff over $transport: $runs containers ..."
  printf '{"file-sharing": "%s"}\n' "$transport" > "$work/daemon.json"
  SKIFF_CONFIG=$work/daemon.json skiff_start
  for i in $(seq "$runs"); do
    export_dir=$work/export-$transport-$i
    mkdir -p "$export_dir"
    d run --rm --network none -v "$export_dir:/mnt" -v "$work/bin:/b:ro" busybox sh -c \
      "/b/fsbench /mnt 4 100 >/dev/null && rm -rf /mnt/big /mnt/small && /b/fsbench /mnt $FSB_MB $FSB_FILES" \
      | figures > "$work/results/skiff-$transport.$i"
    [ -s "$work/results/skiff-$transport.$i" ] || { echo "fsbench in the container gave no figures ($transport)"; exit 1; }
    rm -rf "$export_dir"
  done
  skiff_cleanup
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
done

python3 - "$work/results" "$runs" <<'PY'
import sys, glob, statistics, collections
out, runs = sys.argv[1], sys.argv[2]
rows = collections.defaultdict(lambda: collections.defaultdict(list))
for f in sorted(glob.glob(out + '/*.*')):
    mode = f.split('/')[-1].rsplit('.', 1)[0]
    for line in open(f):
        k, v = line.split()
        rows[k][mode].append(float(v))
names = {'qemu': 'virtio-9p', 'virtiofs': 'virtiofsd', 'skiff-9p': 'Skiff 9P', 'skiff-virtiofs': 'Skiff virtio-fs'}
modes = ['qemu', 'virtiofs', 'skiff-9p', 'skiff-virtiofs']
med = {k: {m: statistics.median(v[m]) for m in modes if v[m]} for k, v in rows.items()}
print(f"fsbench in a container on a bind mount (Skiff's shared VM) against a guest on QEMU's servers, medians of {runs}:")
print('  ' + 'figure'.ljust(24) + ''.join(names[m].rjust(17) for m in modes))
for k, v in med.items():
    print('  ' + k.ljust(24) + ''.join((f'{v[m]:.1f}' if m in v else '-').rjust(17) for m in modes))
print("Skiff's ratios (above 1 is faster); goal: at least virtio-9p on every figure, moonshot within 2x of virtiofsd on metadata:")
pairs = [(s, p) for s in ('skiff-9p', 'skiff-virtiofs') for p in ('qemu', 'virtiofs')]
print('  ' + 'figure'.ljust(24) + ''.join(f"{names[s]} / {names[p]}".rjust(30) for s, p in pairs))
for k, v in med.items():
    print('  ' + k.ljust(24) + ''.join((f"{v[s] / v[p]:.2f}" if s in v and p in v and v[p] else '-').rjust(30) for s, p in pairs))
PY
