# Sourced by pairs.sh and relay-profile.sh: Skiff and diod mounted in one guest boot (the
# harness's MOUNT2=1, harness/run-guest.sh), fsbench on each share in ABBA pairs. Needs $here (the checkout).

# same_boot_server_script FILE DIOD_PORT DIOD_PREFIX SKIFF_PREFIX SKIFF_LOG
# Writes the one SERVER_CMD for both ports. socat starts it once per port; the parent socat's
# command line names the port's socket (p9.sock or p9.sock.2), which picks the server. DIOD_PORT
# is 1, 2, or a variable the script reads when it runs (e.g. '$DIOD_PORT'). The prefixes go
# before each server's command (e.g. a logging relay); SKIFF_LOG takes Skiff's stderr.
same_boot_server_script() {
  local file=$1 diod_port=$2 diod_prefix=$3 skiff_prefix=$4 skiff_log=$5
  local export_dir=/tmp/skiff-bench-cmd/export
  cat > "$file" <<SH
#!/bin/sh
case "\$(tr '\\0' ' ' < /proc/\$PPID/cmdline)" in *p9.sock.2*) port=2 ;; *) port=1 ;; esac
if [ "\$port" = "$diod_port" ]; then
  exec $diod_prefix diod -f -r 0 -w 1 -n -N -S -U root -e $export_dir -L /dev/null
fi
exec $skiff_prefix "$here/skiff" 9p serve $export_dir 2>"$skiff_log"
SH
  chmod +x "$file"
}

# same_boot_guest_pairs PAIRS MB FILES LABEL
# Prints the guest's part: a short warm-up run on each share (the code paths are what needs
# warming, not the sizes), then PAIRS pairs of fsbench MB FILES, every other pair reversed. Each
# figure line is prefixed with LABEL (which may use $i, the pair, and $m, the mount point).
same_boot_guest_pairs() {
  local pairs=$1 mb=$2 files=$3 label=$4
  cat <<SH
fsbench /mnt 4 100 >/dev/null && fsbench /mnt2 4 100 >/dev/null || echo "warm-up failed"
i=1
while [ \$i -le $pairs ]; do
  if [ \$((i % 2)) = 1 ]; then order="/mnt /mnt2"; else order="/mnt2 /mnt"; fi
  for m in \$order; do fsbench \$m $mb $files | sed "s|^|$label |"; done
  i=\$((i + 1))
done
SH
}
