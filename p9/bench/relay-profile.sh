#!/usr/bin/env bash
# Where a request's time goes, Skiff against diod, measured at the same point: each server runs
# behind p9relay (a socket-pair hop that logs every request) inside the shared harness's `cmd`
# mode, with the same guest workload. Prints, per message type, each server's time from request
# to reply as seen from the transport, and the time spent outside the server (guest client,
# guest relay, virtio-serial, QEMU, socat) between a reply and the next request.
#
# The shared bench's figures are whole operations under an emulated guest and swing by a third
# from run to run; these per-request times are what the server itself decides.
#
#   p9/bench/relay-profile.sh [ROUNDS]     (default 2; each round runs diod then Skiff, or the reverse)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
run_guest=${RUN_GUEST:-$here/../shared/bench/run-guest.sh}
[ -x "$run_guest" ] || { echo "no $run_guest: shared/bench should sit beside the checkout" >&2; exit 1; }
rounds=${1:-2}
out=${OUT_ROOT:-/tmp/skiff-9p-relay}
rm -rf "$out"; mkdir -p "$out"
gcc -O2 -o "$out/p9relay" "$here/p9/bench/p9relay.c"
export_dir=/tmp/skiff-bench-cmd/export
"$here/skiff" 9p serve --help >/dev/null   # builds Skiff now, not inside a timed run

for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then order="diod skiff"; else order="skiff diod"; fi
  for s in $order; do
    if [ $s = diod ]; then
      cmd="diod -f -r 0 -w 1 -n -N -S -U root -e $export_dir -L /dev/null"
    else
      cmd="$here/skiff 9p serve $export_dir"
    fi
    printf '#!/bin/sh\nexec %s %s %s\n' "$out/p9relay" "$out/$s.$r.log" "$cmd" > "$out/$s.sh"
    chmod +x "$out/$s.sh"
    echo "-- round $r: $s"
    SERVER_CMD="$out/$s.sh" FSB_MB=${FSB_MB:-32} FSB_FILES=${FSB_FILES:-500} timeout 600 "$run_guest" cmd 2>&1 \
      | tr -d '\r' | grep -E '^[A-Za-z_0-9]+ [0-9.]+$' | tr '\n' ' '; echo
  done
done

python3 - "$out" <<'PY'
import collections, glob, statistics, sys
out = sys.argv[1]
names = {12: 'Tlopen', 14: 'Tlcreate', 24: 'Tgetattr', 40: 'Treaddir', 50: 'Tfsync', 72: 'Tmkdir',
         76: 'Tunlinkat', 100: 'Tversion', 104: 'Tattach', 110: 'Twalk', 116: 'Tread', 118: 'Twrite',
         120: 'Tclunk', 122: 'Tremove', 30: 'Txattrwalk', 8: 'Tstatfs'}
req = {'diod': collections.defaultdict(list), 'skiff': collections.defaultdict(list)}
gap = {'diod': [], 'skiff': []}
for f in glob.glob(out + '/*.log'):
    s = f.split('/')[-1].split('.')[0]
    for line in open(f):
        p = line.split()
        if p[0] == 'gap':
            gap[s].append(float(p[1]))
        else:
            req[s][names.get(int(p[0]), 'type-' + p[0])].append(float(p[3]))
if not gap['diod'] or not gap['skiff']:
    sys.exit('no requests logged; see the runs above')
print('\nserver time per request, microseconds, at the relay (request handed over -> reply back)')
print('%-11s %8s %8s %8s   %8s %8s %8s   %s' % ('type', 'diod n', 'mean', 'p50', 'skiff n', 'mean', 'p50', 'skiff/diod mean'))
tot = {'diod': 0.0, 'skiff': 0.0}
for t in sorted(set(req['diod']) | set(req['skiff'])):
    d, k = req['diod'].get(t, []), req['skiff'].get(t, [])
    tot['diod'] += sum(d); tot['skiff'] += sum(k)
    fmt = lambda v: ('%8d %8.0f %8.0f' % (len(v), statistics.mean(v), statistics.median(v))) if v else '%8s %8s %8s' % ('-', '-', '-')
    ratio = '%.2f' % (statistics.mean(k) / statistics.mean(d)) if d and k else '-'
    print('%-11s %s   %s   %s' % (t, fmt(d), fmt(k), ratio))
for s in ('diod', 'skiff'):
    n = sum(len(v) for v in req[s].values())
    print('%-5s: %d requests; in the server %.0f us mean; outside it %.0f us mean (p50 %.0f); the server is %.0f%% of the time'
          % (s, n, tot[s] / n, statistics.mean(gap[s]), statistics.median(gap[s]),
             100 * tot[s] / (tot[s] + sum(gap[s]))))
PY
