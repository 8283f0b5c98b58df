#!/bin/sh
# Build the synthetic benchmark host (192 CPUs over 24 NUMA nodes, 16 NICs x 64
# queues: over 1000 IRQs in /proc/interrupts) and print the figures.
#   bench/run.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
host=$build/bench-host
[ -x "$build/tuner-bench" ] || { echo "build first: cmake --build $build" >&2; exit 1; }
if [ ! -f "$host.xml" ] || [ ! -d "$host" ]; then
	python3 "$here/../tests/fixtures/mkfixture.py" --synthetic "$host" --cpus 192 --nodes 24 \
		--nics 16 --queues 64 >/dev/null
	lstopo-no-graphics -f --input "node:24 core:4 pu:2" --of xml "$host.xml"
fi
# diagnose reads /proc/net/netstat, snmp and snmp6: real files of a 6.1 kernel.
for f in netstat snmp snmp6; do
	[ -f "$host/proc/net/$f" ] || cp "$here/../tests/diagnose/data/$f-6.1.txt" "$host/proc/net/$f"
done
"$build/tuner-bench" "$host" "$host.xml" "${BENCH_ITERATIONS:-20}"

# apply and rollback of the default plan (1000+ IRQ writes and the sysctls,
# each journaled and read back). The journal is on the build directory's disk,
# so its fdatasyncs count. The tree is on tmpfs (/dev/shm) when there is one:
# /proc is in memory too, while rewriting 1000 small files of an ext4 tree
# costs ext4 block allocation that no kernel setting has; the tree on the
# build directory's disk is measured as well, for comparison.
tuner=$build/tuner
work=$build/bench-apply
rm -rf "$work"
mkdir -p "$work"
trees="$work/tree"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	shm=$(mktemp -d /dev/shm/tuner-bench.XXXXXX)
	trap 'rm -rf "$shm"' EXIT
	trees="$shm/tree $trees"
fi
for t in $trees; do
	cp -a "$host" "$t"
	python3 - "$tuner" "$t" "$work/state" "$host.xml" "${BENCH_ITERATIONS:-20}" <<'PY'
import json, os, statistics, subprocess, sys, time
tuner, tree, state, xml, n = sys.argv[1:6]
n = max(3, int(n) // 2)
fs = subprocess.run(["stat", "-f", "-c", "%T", tree], capture_output=True,
                    text=True).stdout.strip()
g = ["--sysroot", tree, "--topology", xml, "--state-dir", state]
def timed(args):
    t = time.monotonic()
    r = subprocess.run([tuner] + args + g, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"tuner {args[0]}: exit {r.returncode}: {r.stderr[-300:]}")
    return (time.monotonic() - t) * 1e3, r
ap, rb = [], []
for _ in range(n):
    t, r = timed(["apply", "-q", "--json"])
    ap.append(t)
    changes = len(json.loads(r.stdout)["changes"])
    rb.append(timed(["rollback", "-q", "--last"])[0])
for what, v in ((f"apply, {changes} changes ({fs} tree)", ap), (f"rollback --last ({fs} tree)", rb)):
    print(f"{what:<34} median {statistics.median(v):7.2f} ms   min {min(v):7.2f} ms   "
          f"max {max(v):7.2f} ms   ({n} runs)")
PY
done
