#!/usr/bin/env bash
# Skiff's 9P server against diod and QEMU's virtio-9p, through the shared harness
# (../shared/bench/compare.sh), in ROUNDS rounds of one run per server.
#
# Why rounds: this machine's speed drifts by a third over minutes, and one fsbench figure is a
# single short sample (the directory listing takes about 15 ms). compare.sh runs all of one
# server's runs before the next server's, so drift lands on one side. Here every round runs
# diod and Skiff once each, in alternating order, so that drift lands on both alike. QEMU's
# virtio-9p, a reference point rather than the bar, runs in every other round: the rounds saved
# go to more diod/Skiff pairs, which is what decides the ratio.
#
# The summary gives each server's median figure (as compare.sh does) and their ratio; then the
# median of the per-round ratios (each Skiff run against the diod run beside it) and their range.
# On this host a whole run can be a third slower than its neighbour, with any server, so single
# ratios swing from 0.5 to 2; the median of the paired ratios is the steadier of the two figures.
#
# relay-profile.sh beside it shows where a request's time goes, Skiff against diod.
#
#   p9/bench/rounds.sh [ROUNDS]          (default 5; FSB_MB and FSB_FILES pass through)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
compare=${COMPARE:-$here/../shared/bench/compare.sh}
[ -x "$compare" ] || { echo "no $compare: shared/bench should sit beside the checkout" >&2; exit 1; }
rounds=${1:-5}
out=${OUT_ROOT:-/tmp/skiff-9p-rounds}
rm -rf "$out"; mkdir -p "$out"
# 500 small files (fsbench's default): the single directory listing then lasts long enough that
# one guest-side stall of a few ms (seen with every server, QEMU's own too) weighs less.
export FSB_MB=${FSB_MB:-32} FSB_FILES=${FSB_FILES:-500}
# The server's own log (stderr) goes to a file per run: compare.sh keeps only the figures.
printf '#!/bin/sh\nexec "%s" 9p serve "$@" /tmp/skiff-bench-cmd/export 2>"%s/server.$$.log"\n' \
  "$here/skiff" "$out" > "$out/server.sh"
chmod +x "$out/server.sh"
export SERVER_CMD="$out/server.sh"

"$here/skiff" 9p serve --help >/dev/null   # builds Skiff now, not inside the first round's timing

for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then modes="diod qemu cmd"; else modes="cmd diod"; fi
  echo "-- round $r of $rounds ($modes)"
  touch "$out/round$r.start"
  MODES="$modes" N=1 OUT="$out/round$r" "$compare"
  for f in "$out/round$r"/*.1; do
    if [ ! -s "$f" ]; then
      echo "!! round $r: no figures from $(basename "$f" .1). Logs of Skiff servers started in this round:"
      find "$out" -maxdepth 1 -name 'server.*.log' -newer "$out/round$r.start" -exec tail -20 {} \;
    fi
  done
done

echo
echo "-- summary of $rounds rounds: each server's median figure, the ratio of the medians, and the median of the paired per-round ratios"
echo "   Skiff (cmd) / diod (the bar is >= 0.9, on every figure) and Skiff / QEMU virtio-9p"
python3 - "$out" "$rounds" <<'PY'
import collections, glob, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
fig = collections.defaultdict(lambda: collections.defaultdict(dict))   # figure -> mode -> round -> value
for f in glob.glob(out + '/round*/*.*'):
    r = int(f.split('/')[-2][5:]); mode = f.split('/')[-1].rsplit('.', 1)[0]
    for line in open(f):
        k, v = line.split(); fig[k][mode][r] = float(v)
def med(k, m):
    return statistics.median(fig[k][m].values()) if fig[k][m] else None
def spread(k, a, b):
    return [fig[k][a][r] / fig[k][b][r] for r in fig[k][a] if r in fig[k][b] and fig[k][b][r] > 0]
print('%-24s %10s %10s %10s   %-10s %-7s %-11s  %s' % ('figure', 'diod', 'qemu', 'skiff', 'skiff/diod',
      'paired', 'per round', 'skiff/qemu'))
low, low_paired = [], []
for k in fig:
    d, q, c = med(k, 'diod'), med(k, 'qemu'), med(k, 'cmd')
    cd = c / d if c and d else None
    rs = spread(k, 'cmd', 'diod')
    paired = statistics.median(rs) if rs else None
    if cd is None or cd < 0.9: low.append(k)
    if paired is None or paired < 0.9: low_paired.append(k)
    print('%-24s %10s %10s %10s   %-10s %-7s %-11s  %s' % (k, '%.1f' % d if d else '-', '%.1f' % q if q else '-',
          '%.1f' % c if c else '-', '%.2f' % cd if cd else '-', '%.2f' % paired if rs else '-',
          '%.2f-%.2f' % (min(rs), max(rs)) if rs else '-', '%.2f' % (c / q) if c and q else '-'))
n = min((len(fig[k]['cmd']) for k in fig), default=0)
print('rounds with a Skiff figure: %d of %d (QEMU in %d)' % (n, rounds, (rounds + 1) // 2))
print('skiff/diod = ratio of the medians; paired = median of the per-round ratios')
print('below 0.9x diod, ratio of the medians: ' + (', '.join(low) if low else 'none'))
print('below 0.9x diod, paired: ' + (', '.join(low_paired) if low_paired else 'none'))
PY

