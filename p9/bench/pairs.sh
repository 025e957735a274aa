#!/usr/bin/env bash
# Skiff's 9P server against diod inside the same guest boot: both servers are mounted at once,
# each over its own virtio-serial port (the harness's MOUNT2=1), and the guest runs
# fsbench on one share, then the other, in ABBA order. Each pair's ratio (Skiff / diod) is then
# free of what differs between boots.
#
# Why: across boots, this host's speed for the same guest work varies by a third or more, with
# any server: QEMU's own user CPU time for one identical fsbench run ranged 13.0-20.3 s over 16
# runs in one hour. rounds.sh pairs neighbouring boots, which cannot remove that: diod measured
# against diod that way gave 0.93 for create on the median of 10 rounds. In one boot, diod
# against diod gave medians of 0.94-1.09 over 6 pairs. The first run on each share is a short
# warm-up and is not counted: the first run in a boot also pays for TCG translating the guest's
# 9P code paths.
#
# The summary gives, per figure, the median of the per-pair ratios and a 90% bootstrap interval
# for it; single pairs still swing from 0.5 to 2, so the interval says how far to trust the median.
#
# Boots alternate which port diod gets, so neither server always has the first port.
#
#   p9/bench/pairs.sh [BOOTS]        (default 2; PAIRS per boot, default 4; FSB_MB and FSB_FILES)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
run_guest=${RUN_GUEST:-$here/p9/bench/harness/run-guest.sh}
[ -x "$run_guest" ] || { echo "no $run_guest (RUN_GUEST names the harness's run-guest.sh)" >&2; exit 1; }
command -v diod >/dev/null || { echo "diod is not installed (apt-get install diod)" >&2; exit 1; }
boots=${1:-2}
pairs=${PAIRS:-4}
mb=${FSB_MB:-32}
files=${FSB_FILES:-500}
out=${OUT_ROOT:-/tmp/skiff-9p-pairs}
rm -rf "$out"; mkdir -p "$out"

. "$here/p9/bench/same-boot.sh"
same_boot_server_script "$out/server.sh" '$DIOD_PORT' "" "" "$out/skiff.\$\$.log"
same_boot_guest_pairs "$pairs" "$mb" "$files" 'PAIR $i $m' > "$out/guest.sh"

"$here/skiff" 9p serve --help >/dev/null   # builds Skiff now, not inside a timed run

for b in $(seq "$boots"); do
  diod_port=$(( (b - 1) % 2 + 1 ))
  echo "-- boot $b of $boots: diod on port $diod_port, $pairs pairs after a warm-up run each"
  DIOD_PORT=$diod_port SERVER_CMD="$out/server.sh" MOUNT2=1 FSB_MB=0 GUEST_SCRIPT="$out/guest.sh" \
    timeout 1800 "$run_guest" cmd 2>&1 | tr -d '\r' > "$out/boot$b.log" || true
  grep -E '^PAIR [0-9]+ /mnt2? [A-Za-z_0-9]+ [0-9.]+$' "$out/boot$b.log" \
    | sed "s|^|$b $diod_port |" >> "$out/figures" || echo "!! boot $b gave no figures; see $out/boot$b.log"
done

echo
echo "-- summary: Skiff / diod per pair (both measured in the same boot, a minute apart)"
python3 - "$out/figures" <<'PY'
import collections, random, statistics, sys
runs = collections.defaultdict(dict)   # (boot, pair, figure) -> server -> value
order = []
for line in open(sys.argv[1]):
    boot, diod_port, _, pair, mnt, fig, val = line.split()
    port = '2' if mnt == '/mnt2' else '1'
    runs[(boot, pair, fig)]['diod' if port == diod_port else 'skiff'] = float(val)
    if fig not in order: order.append(fig)
rng = random.Random(1)   # seeded: the same figures give the same interval
def interval(rs, n=2000):
    """A 90% percentile-bootstrap interval for the median of the per-pair ratios."""
    ms = sorted(statistics.median(rng.choices(rs, k=len(rs))) for _ in range(n))
    return ms[int(0.05 * n)], ms[int(0.95 * n) - 1]
print('%-24s %10s %10s   %-7s %-13s %-11s %s' % ('figure', 'diod', 'skiff', 'median', '90% interval', 'range', 'pairs'))
low, low_bound = [], []
for fig in order:
    ps = [v for (b, p, f), v in sorted(runs.items()) if f == fig and 'diod' in v and 'skiff' in v and v['diod'] > 0]
    rs = [v['skiff'] / v['diod'] for v in ps]
    if not rs: continue
    m = statistics.median(rs); lo, hi = interval(rs)
    if m < 0.9: low.append(fig)
    if lo < 0.9: low_bound.append(fig)
    print('%-24s %10.1f %10.1f   %-7.2f %-13s %-11s %d' % (fig, statistics.median(v['diod'] for v in ps),
          statistics.median(v['skiff'] for v in ps), m, '%.2f-%.2f' % (lo, hi), '%.2f-%.2f' % (min(rs), max(rs)), len(rs)))
print('median = median of the per-pair ratios; 90% interval = bootstrap interval of that median')
print('median below 0.9x diod: ' + (', '.join(low) if low else 'none'))
print('interval reaching below 0.9x diod: ' + (', '.join(low_bound) if low_bound else 'none'))
PY
