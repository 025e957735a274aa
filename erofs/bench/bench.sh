#!/usr/bin/env bash
# Benchmark: skiff's LayerConverter (tar -> EROFS, streaming) against the Debian way
# (tar -x to a directory, then mkfs.erofs on it), in the same run, on the same layer tar.
#
# Usage: erofs/bench/bench.sh [ROOTFS_DIR] [RUNS]
#   ROOTFS_DIR  tree to pack into the layer tar (default /var/cache/skiff/bench-rootfs, made with
#               `debootstrap --variant=minbase bookworm /var/cache/skiff/bench-rootfs`; if it is missing,
#               /usr/lib/python3* + /usr/share/doc + /usr/share/locale of this machine are used instead)
#   RUNS        measured runs per tool (default 3; one extra warm-up run each is not counted)
# CLASSES: compiled module classes (default erofs/target/classes, compiled if missing).
# Needs: JDK 25 (JAVA_HOME, default /usr/lib/jvm/temurin-25-jdk-amd64), erofs-utils, GNU tar, root (for
# ownership and device nodes when extracting). Scratch space: BENCH_DIR (default /var/tmp/skiff-erofs-bench).
set -euo pipefail

ROOTFS=${1:-/var/cache/skiff/bench-rootfs}
RUNS=${2:-3}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
BENCH_DIR=${BENCH_DIR:-/var/tmp/skiff-erofs-bench}
HERE=$(cd "$(dirname "$0")/.." && pwd)
M2=${M2_REPO:-$HOME/.m2/repository}

command -v mkfs.erofs >/dev/null || { echo "mkfs.erofs missing: apt-get install erofs-utils" >&2; exit 1; }
mkdir -p "$BENCH_DIR"
TAR="$BENCH_DIR/layer.tar"

# 1. the layer tar
if [ ! -s "$TAR" ]; then
  if [ -d "$ROOTFS" ]; then
    tar --numeric-owner --xattrs --format=pax -C "$ROOTFS" -cf "$TAR" .
  else
    echo "note: $ROOTFS missing, packing parts of /usr instead" >&2
    tar --numeric-owner --format=pax -cf "$TAR" -C / usr/share/doc usr/share/locale $(cd / && ls -d usr/lib/python3*)
  fi
fi
TAR_BYTES=$(stat -c %s "$TAR")
ENTRIES=$(tar -tf "$TAR" | wc -l)

# 2. the converter's class path (module classes + runtime jars)
CLASSES=${CLASSES:-$HERE/target/classes}
if [ ! -d "$CLASSES/dev/skiff/erofs" ]; then
  (cd "$HERE" && JAVA_HOME=$JAVA_HOME mvn -q -o compile)
fi
CP="$CLASSES:$M2/info/picocli/picocli/4.7.7/picocli-4.7.7.jar:$M2/io/airlift/aircompressor/0.27/aircompressor-0.27.jar"
JAVA="$JAVA_HOME/bin/java"

# each measurement prints "wall cpu" (cpu = user + sys, less sensitive to other load on a shared machine)
timed() {
  /usr/bin/time -f "%e %U %S" -o "$BENCH_DIR/time.out" "$@" >"$BENCH_DIR/cmd.out" 2>&1 || {
    cat "$BENCH_DIR/cmd.out" >&2; exit 1; }
  awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$BENCH_DIR/time.out"
}

ours() {
  rm -f "$BENCH_DIR/ours.erofs"
  local r; r=$(timed "$JAVA" -cp "$CP" dev.skiff.erofs.tool.ConvertCommand "$TAR" "$BENCH_DIR/ours.erofs")
  # the converter's own "seconds" (without JVM start-up) as a third column
  echo "$r $(sed -n 's/.*seconds \([0-9.]*\).*/\1/p' "$BENCH_DIR/cmd.out")"
}

theirs() {
  rm -rf "$BENCH_DIR/tree" "$BENCH_DIR/mkfs.erofs"
  mkdir "$BENCH_DIR/tree"
  local x k
  x=$(timed tar --numeric-owner --xattrs --xattrs-include='*' -xpf "$TAR" -C "$BENCH_DIR/tree")
  k=$(timed mkfs.erofs "$BENCH_DIR/mkfs.erofs" "$BENCH_DIR/tree")
  echo "$x $k"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { printf '%s\n' "${@:2}" | awk -v c="$1" '{print $c}' | median; }

ours >/dev/null; theirs >/dev/null   # warm-up (page cache)
O=(); T=()
for i in $(seq "$RUNS"); do
  O+=("$(ours)")
  T+=("$(theirs)")
done
ow=$(col 1 "${O[@]}"); oc=$(col 2 "${O[@]}"); oi=$(col 3 "${O[@]}")
xw=$(col 1 "${T[@]}"); xc=$(col 2 "${T[@]}"); kw=$(col 3 "${T[@]}"); kc=$(col 4 "${T[@]}")
tw=$(printf '%s\n' "${T[@]}" | awk '{print $1 + $3}' | median)
tc=$(printf '%s\n' "${T[@]}" | awk '{print $2 + $4}' | median)
mb=$(echo "scale=1; $TAR_BYTES / 1048576" | bc)
ours_size=$(stat -c %s "$BENCH_DIR/ours.erofs")
theirs_size=$(stat -c %s "$BENCH_DIR/mkfs.erofs")
fsck.erofs "$BENCH_DIR/ours.erofs" >/dev/null && fsck_ok=yes || fsck_ok=NO

echo
echo "layer: $TAR ($mb MiB, $ENTRIES entries); median of $RUNS runs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs (wall cpu [in-process]): ours: ${O[*]// /\/} | tar -x, mkfs: ${T[*]// /\/}"
echo
printf '| %-44s | %8s | %8s | %8s | %12s |\n' "method" "wall s" "cpu s" "MiB/s" "image bytes"
printf '|%s|%s|%s|%s|%s|\n' "----------------------------------------------" "----------" "----------" "----------" "--------------"
row() { printf '| %-44s | %8.2f | %8.2f | %8.1f | %12s |\n' "$1" "$2" "$3" "$(echo "$mb / $2" | bc -l)" "$4"; }
row "skiff convert (CLI, incl. JVM start-up)" "$ow" "$oc" "$ours_size"
printf '| %-44s | %8.2f | %8s | %8.1f | %12s |\n' "  of which conversion (CLI's own timer)" "$oi" "-" "$(echo "$mb / $oi" | bc -l)" "$ours_size"
row "tar -x" "$xw" "$xc" "-"
row "mkfs.erofs on the extracted tree" "$kw" "$kc" "$theirs_size"
row "tar -x + mkfs.erofs" "$tw" "$tc" "$theirs_size"
echo
echo "fsck.erofs accepts ours: $fsck_ok; wall-time speed-up vs tar -x + mkfs.erofs: $(echo "scale=2; $tw / $ow" | bc)x"
