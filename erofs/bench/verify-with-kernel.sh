#!/usr/bin/env bash
# Cross-check a conversion against the host's Linux kernel (needs root, loop devices, erofs in the kernel):
# converts LAYER.tar with skiff, extracts it with GNU tar, mounts the image read-only and compares
# names, types, modes, owners, sizes, link counts, mtimes (ns), symlink targets, contents and xattrs.
# Parent directories that the tar only implies are reported (tar -x stamps them with the current time).
#
# Usage: erofs/bench/verify-with-kernel.sh LAYER.tar   (CLASSES, JAVA_HOME, M2_REPO as in bench.sh)
set -euo pipefail
TAR=$(realpath "$1")
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
HERE=$(cd "$(dirname "$0")/.." && pwd)
M2=${M2_REPO:-$HOME/.m2/repository}
CLASSES=${CLASSES:-$HERE/target/classes}
CP="$CLASSES:$M2/info/picocli/picocli/4.7.7/picocli-4.7.7.jar:$M2/io/airlift/aircompressor/0.27/aircompressor-0.27.jar"
W=$(mktemp -d /var/tmp/skiff-erofs-verify.XXXXXX)
trap 'umount "$W/mnt" 2>/dev/null || true; rm -rf "$W"' EXIT
mkdir "$W/mnt" "$W/tree"
"$JAVA_HOME/bin/java" -cp "$CP" dev.skiff.erofs.tool.ConvertCommand "$TAR" "$W/image.erofs"
fsck.erofs "$W/image.erofs" >/dev/null
tar --numeric-owner --xattrs --xattrs-include='*' -xpf "$TAR" -C "$W/tree"
mount -t erofs -o loop,ro "$W/image.erofs" "$W/mnt"
python3 - "$W/mnt" "$W/tree" <<'PY'
import hashlib, os, stat, sys
def snap(root):
    out = {}
    for d, ds, fs in os.walk(root):
        for n in ds + fs + ([] if d != root else ['.']):
            p = os.path.join(d, n)
            st = os.lstat(p)
            xs = {k: os.getxattr(p, k, follow_symlinks=False) for k in os.listxattr(p, follow_symlinks=False)}
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(p, 'rb') as f:
                    for b in iter(lambda: f.read(1 << 20), b''):
                        h.update(b)
                content = h.hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                content = os.readlink(p)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                content = f"{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
            else:
                content = ''
            size = 0 if stat.S_ISDIR(st.st_mode) else st.st_size
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_uid, st.st_gid, st.st_nlink, size,
                                             st.st_mtime_ns, content, xs)
    return out
a, b = snap(sys.argv[1]), snap(sys.argv[2])
bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
implied = [k for k in bad if k in a and k in b and stat.S_ISDIR(b[k][0]) and a[k][:5] == b[k][:5]
           and a[k][6:] == b[k][6:]]
real = [k for k in bad if k not in implied]
print(f"{len(b)} entries compared; {len(implied)} directories differ only in mtime (implied by the tar?): "
      f"{implied[:5]}; mismatches: {len(real)}")
for k in real[:10]:
    print(k, '\n  image:', a.get(k), '\n  tar -x:', b.get(k))
sys.exit(1 if real else 0)
PY
