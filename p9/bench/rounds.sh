#!/usr/bin/env bash
# Skiff's 9P server against diod and QEMU's virtio-9p, through the bench harness
# (harness/compare.sh beside this script), in ROUNDS rounds of one run per server.
#
# Why rounds: this machine's speed drifts by a third over minutes, and one fsbench figure is a
# single short sample (the directory listing takes about 15 ms). compare.sh runs all of one
# server's runs before the next server's, so drift lands on one side. Here every round runs
# diod and Skiff once each, in shuffled order, so that drift lands on both alike. QEMU's
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
#   p9/bench/rounds.sh [ROUNDS]          (default 5; FSB_MB and FSB_FILES pass through;
#                                         COMPARE names another compare.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
compare=${COMPARE:-$here/p9/bench/harness/compare.sh}
[ -x "$compare" ] || { echo "no $compare (COMPARE names the harness's compare.sh)" >&2; exit 1; }
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

# The host's speed, per boot: QEMU's own CPU time for the boot. The guest does the same work in
# every boot, and a TCG guest that waits on its server halts, so this time depends on the server
# only through how many messages carry the data (5-10% more for diod's 64 KiB ones). Over ten
# Skiff boots in a row the CPU time of QEMU's vCPU thread ranged 2.3x, and the create figure
# followed it (58.7 files/s at the slowest, 164 at the fastest); the server's own CPU time per
# request rose with it. A watcher polls /proc (five times a second) and logs each QEMU's CPU
# seconds when it exits, tagged with its run.
python3 - "$out" <<'PY' &
import os, sys, time
out = sys.argv[1]; tck = os.sysconf('SC_CLK_TCK'); seen = {}
while os.path.isdir(out):
    now = set()
    for p in os.listdir('/proc'):
        try:
            if p.isdigit() and open(f'/proc/{p}/comm').read().startswith('qemu-system'):
                f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
                tag = seen[p][0] if p in seen else open(out + '/now').read().strip()
                seen[p] = (tag, (int(f[11]) + int(f[12])) / tck); now.add(p)
        except OSError:
            pass
    for p in [p for p in seen if p not in now]:
        with open(out + '/qemu-cpu.txt', 'a') as log:
            log.write('%s %.2f\n' % seen.pop(p))
    time.sleep(0.2)
PY
watcher=$!
trap 'kill $watcher 2>/dev/null || true' EXIT

# The order of the servers in each round is shuffled (SEED, printed, repeats it). A fixed order
# repeats a cycle of boots (it was diod qemu skiff skiff diod), so a host slowdown that recurs at
# about that cycle's period lands on the same server round after round: in one CI run, Skiff's
# boots were slow in nine rounds running while diod's were not.
seed=${SEED:-$((($(date +%s) % 32768)))}
RANDOM=$seed
echo "-- order of servers shuffled per round, SEED=$seed"
runs=0
for r in $(seq "$rounds"); do
  if [ $((RANDOM % 2)) = 0 ]; then modes=(diod cmd); else modes=(cmd diod); fi
  # QEMU's virtio-9p, a reference point, in every other round, at a random place in it.
  if [ $((r % 2)) = 1 ]; then k=$((RANDOM % 3)); modes=("${modes[@]:0:k}" qemu "${modes[@]:k}"); fi
  echo "-- round $r of $rounds (${modes[*]})"
  touch "$out/round$r.start"
  for m in "${modes[@]}"; do
    runs=$((runs + 1))
    echo "$r $m" > "$out/now"
    MODES=$m N=1 OUT="$out/round$r.$m" "$compare" > /dev/null
    f="$out/round$r.$m/$m.1"
    if [ ! -s "$f" ]; then
      echo "!! round $r: no figures from $m. Logs of Skiff servers started in this round:"
      find "$out" -maxdepth 1 -name 'server.*.log' -newer "$out/round$r.start" -exec tail -20 {} \;
    else
      printf '   %-5s %s\n' "$m" "$(awk '{printf "%s %s  ", $1, $2}' "$f")"
    fi
  done
done
# The watcher logs a QEMU's exit at its next poll: wait for the last one (5 s at most).
for _ in $(seq 50); do
  [ "$(wc -l < "$out/qemu-cpu.txt" 2>/dev/null || echo 0)" -ge "$runs" ] && break
  sleep 0.1
done
kill $watcher 2>/dev/null || true

echo
echo "-- summary of $rounds rounds: each server's median figure, the ratio of the medians, and the median of the paired per-round ratios"
echo "   Skiff (cmd) / diod (the bar is >= 0.9, on every figure) and Skiff / QEMU virtio-9p"
python3 - "$out" "$rounds" <<'PY'
import collections, glob, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
fig = collections.defaultdict(lambda: collections.defaultdict(dict))   # figure -> mode -> round -> value
for f in glob.glob(out + '/round*.*/*.1'):
    r, mode = f.split('/')[-2][5:].split('.')
    for line in open(f):
        k, v = line.split(); fig[k][mode][int(r)] = float(v)
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

# The host's speed in each server's boots: if one server's boots met a slower host, it shows here.
cost = collections.defaultdict(dict)   # mode -> round -> QEMU CPU seconds of that boot
try:
    for line in open(out + '/qemu-cpu.txt'):
        r, mode, sec = line.split(); cost[mode][int(r)] = float(sec)
except OSError:
    pass
if cost:
    print("\nhost speed: QEMU's own CPU seconds per boot, median (range), for the same guest work each time")
    print('(diod\'s boots cost 5-10% more at the same speed: its 64 KiB messages are more messages to carry)')
    for m in ('diod', 'cmd', 'qemu'):
        if cost[m]:
            v = sorted(cost[m].values())
            print('  %-5s %6.1f s  (%.1f-%.1f)%s' % (m, statistics.median(v), v[0], v[-1],
                  '   QEMU serves the 9P share itself here' if m == 'qemu' else ''))
PY
