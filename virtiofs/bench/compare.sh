#!/usr/bin/env bash
# Skiff's virtio-fs back-end against QEMU 7.2's C virtiofsd (the same vhost-user-fs device, a
# 1024-entry queue each) and QEMU's built-in virtio-9p, through the bench harness
# (p9/bench/harness): a throwaway guest of Debian's kernel per run, fsbench on the share (32 MB
# sequential write and read, 500 small-file creates, stats, a readdir, unlinks), after a short
# unreported warm-up run on the same mount (WARMUP=1). Prints each
# server's median figure and the ratios. Asserts nothing.
#   virtiofs/bench/compare.sh [RUNS]     (default 3 runs of each; FSB_MB and FSB_FILES pass through)
# Needs: qemu-system-x86 (with /usr/lib/qemu/virtiofsd) busybox-static socat gcc cpio python3, root.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
out=${OUT:-/tmp/skiff-virtiofs-compare}
export FSB_MB=${FSB_MB:-32} FSB_FILES=${FSB_FILES:-500}
# every server gets a short unreported run first: Skiff's is a JVM, which compiles its code as it serves
export WARMUP=1
"$here/skiff" virtiofs serve --help >/dev/null   # builds Skiff now, not inside the first run's timing
export VHOST_CMD="$here/skiff virtiofs serve"
N=$runs OUT=$out MODES="qemu virtiofs vhost" "$here/p9/bench/harness/compare.sh" | tee "$out.table"
python3 - "$out.table" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
head = rows[0][1:]
col = {m: i for i, m in enumerate(head)}
print()
print("Skiff (vhost) against QEMU's virtio-9p (qemu) and virtiofsd (virtiofs); every figure is a rate, above 1 is faster:")
for r in rows[1:]:
    name, vals = r[0], r[1:]
    try:
        v = {m: float(vals[col[m]]) for m in ("qemu", "virtiofs", "vhost")}
    except (KeyError, ValueError):
        continue
    print(f"  {name:24s} vs virtio-9p {v['vhost'] / v['qemu']:5.2f}x   vs virtiofsd {v['vhost'] / v['virtiofs']:5.2f}x")
PY
