#!/usr/bin/env bash
# Where a request's time goes, Skiff against diod, in one guest boot: both servers are mounted at
# once (the harness's MOUNT2=1) and the guest runs fsbench on each in ABBA order. Each
# request is timed at two points:
#   - in the guest, by guest-relay.c, which stands in for the harness's vrelay (the relay from the
#     virtio-serial port to the kernel client's socketpair);
#   - on the host, by p9relay.c, a socket-pair hop in front of each server.
# Together they split a request's time three ways:
#   client     the guest's 9P client and the program, from one reply to the next request;
#   transport  virtio-serial, QEMU's chardev, socat and the host relay, both ways (the guest
#              relay's round trip minus the server's time);
#   server     the server's read, work and write, plus one socket-pair hop each way.
# The host relay's log also gives, per message type, each server's mean and median time.
#
# The harness's figures are whole operations under an emulated guest and swing by a third
# from run to run; these per-request times are what the server itself decides.
#
#   p9/bench/relay-profile.sh [PAIRS]     (default 1; FSB_MB and FSB_FILES as for fsbench)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
run_guest=${RUN_GUEST:-$here/p9/bench/harness/run-guest.sh}
[ -x "$run_guest" ] || { echo "no $run_guest (RUN_GUEST names the harness's run-guest.sh)" >&2; exit 1; }
command -v diod >/dev/null || { echo "diod is not installed (apt-get install diod)" >&2; exit 1; }
pairs=${1:-1}
out=${OUT_ROOT:-/tmp/skiff-9p-relay}
rm -rf "$out"; mkdir -p "$out"
gcc -O2 -o "$out/p9relay" "$here/p9/bench/p9relay.c"
gcc -O2 -static -o "$out/vrelay" "$here/p9/bench/guest-relay.c"

# diod on the first port, Skiff on the second, each behind the host relay.
. "$here/p9/bench/same-boot.sh"
same_boot_server_script "$out/server.sh" 1 "\"$out/p9relay\" \"$out/host.diod.log\"" \
  "\"$out/p9relay\" \"$out/host.skiff.log\"" "$out/skiff.log"

# The guest's part: the warm-up and the pairs, then each relay's report. The warm-up's requests
# are counted on both sides alike.
{
  same_boot_guest_pairs "$pairs" "${FSB_MB:-32}" "${FSB_FILES:-500}" 'RUN $m'
  cat <<SH
killall -USR1 vrelay
n=0
while [ "\$(ls /tmp | grep -c '^split.done')" -lt 2 ] && [ \$n -lt 300 ]; do sleep 0.1; n=\$((n + 1)); done
SH
} > "$out/guest.sh"

"$here/skiff" 9p serve --help >/dev/null   # builds Skiff now, not inside a timed run
echo "-- one boot: diod on /mnt, Skiff on /mnt2, $pairs ABBA pair(s) of fsbench after a warm-up"
SERVER_CMD="$out/server.sh" MOUNT2=1 FSB_MB=0 GUEST_SCRIPT="$out/guest.sh" EXTRA_BIN="$out/vrelay" \
  timeout 1800 "$run_guest" cmd 2>&1 | tr -d '\r' > "$out/boot.log" || true
grep -E '^RUN ' "$out/boot.log" | sed 's|^RUN /mnt2 |skiff |; s|^RUN /mnt |diod  |' || echo "no fsbench figures; see $out/boot.log"

python3 - "$out" <<'PY'
import collections, statistics, sys
out = sys.argv[1]
names = {12: 'Tlopen', 14: 'Tlcreate', 24: 'Tgetattr', 40: 'Treaddir', 50: 'Tfsync', 72: 'Tmkdir',
         76: 'Tunlinkat', 100: 'Tversion', 104: 'Tattach', 110: 'Twalk', 116: 'Tread', 118: 'Twrite',
         120: 'Tclunk', 122: 'Tremove', 30: 'Txattrwalk', 8: 'Tstatfs'}
servers = ('diod', 'skiff')
host = {s: collections.defaultdict(list) for s in servers}   # type -> server times (us)
for s in servers:
    for line in open(f'{out}/host.{s}.log'):
        p = line.split()
        if p[0] != 'gap':
            host[s][int(p[0])].append(float(p[3]))
guest = {}   # server -> type -> (count, rtt mean, client mean)
for line in open(f'{out}/boot.log'):
    if line.startswith('SPLIT '):
        p = line.split()
        guest['diod' if p[1] == '/mnt' else 'skiff'] = {
            int(t): (int(n), float(r), float(c)) for t, n, r, c in (f.split(':') for f in p[2:])}
if not all(host[s] for s in servers):
    sys.exit('no requests logged; see ' + out + '/boot.log')

print('\nserver time per request, microseconds, at the host relay (request handed over -> reply back)')
print('%-11s %8s %8s %8s   %8s %8s %8s   %s' % ('type', 'diod n', 'mean', 'p50', 'skiff n', 'mean', 'p50', 'skiff/diod mean'))
for t in sorted(set(host['diod']) | set(host['skiff'])):
    d, k = host['diod'].get(t, []), host['skiff'].get(t, [])
    fmt = lambda v: ('%8d %8.0f %8.0f' % (len(v), statistics.mean(v), statistics.median(v))) if v else '%8s %8s %8s' % ('-', '-', '-')
    ratio = '%.2f' % (statistics.mean(k) / statistics.mean(d)) if d and k else '-'
    print('%-11s %s   %s   %s' % (names.get(t, 'type-%d' % t), fmt(d), fmt(k), ratio))

if len(guest) < 2:
    sys.exit('the guest relays gave no report; see ' + out + '/boot.log')
print('\nwhere the time goes, microseconds per request (means): client / transport / server')
print('%-11s %-32s %-32s' % ('type', 'diod', 'skiff'))
totals = {s: [0, 0.0, 0.0, 0.0] for s in servers}
for t in sorted(set(guest['diod']) | set(guest['skiff'])):
    cells = []
    for s in servers:
        if t not in guest[s] or not host[s].get(t):
            cells.append('-'); continue
        n, rtt, client = guest[s][t]
        server = statistics.mean(host[s][t])
        cells.append('%6d x %6.0f / %6.0f / %5.0f' % (n, client, rtt - server, server))
        if t not in (100, 104):   # version and attach: the mount, not the workload
            tot = totals[s]; tot[0] += n; tot[1] += n * client; tot[2] += n * (rtt - server); tot[3] += n * server
    print('%-11s %-32s %-32s' % (names.get(t, 'type-%d' % t), cells[0], cells[1]))
for s in servers:
    n, c, tr, sv = totals[s]
    whole = c + tr + sv
    print('%-5s: %d requests; client %.0f, transport %.0f, server %.0f us mean: %.0f%% / %.0f%% / %.0f%% of the time'
          % (s, n, c / n, tr / n, sv / n, 100 * c / whole, 100 * tr / whole, 100 * sv / whole))
PY
