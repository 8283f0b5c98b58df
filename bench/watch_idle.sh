#!/bin/sh
# The idle cost of 'tuner watch' on the 192-CPU benchmark host (bench/run.sh's
# tree: 24 NUMA nodes, 16 NICs x 64 queues, 1040 NIC IRQs; BENCH_HOSTS=1024
# for the large one): it is started on a
# tmpfs copy of the tree with a profile, left alone for SECS seconds, and its
# CPU time (user + system), context switches and resident size are read from
# /proc/PID at the "watching" line and at the end. Prints figures; not a test.
#   bench/watch_idle.sh [BUILD_DIR [SECS [PROFILE...]]]
# Default: 60 s, profiles default (no process rules: no proc connector) and
# redis-numa-split (process rules: the proc connector wakes the watch at every
# exec on this machine, each event checked against the rules). The watch
# listens to this machine's link, ethtool and exec events; it writes only to
# the tree and a scratch state directory. WATCH_ARGS adds options to the
# watch: WATCH_ARGS="--check-every 10" prices the periodic check.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
secs=${2:-60}
shift $(($# > 2 ? 2 : $#))
profiles=${*:-default redis-numa-split}
# BENCH_HOSTS=1024: bench/run.sh's large host instead (1024 CPUs, 64 nodes, 64
# NICs x 128 queues: 8256 NIC IRQs; building it takes a minute, once)
case ${BENCH_HOSTS:-192} in
192) cpus=192 shape="--nodes 24 --nics 16 --queues 64" topo="node:24 core:4 pu:2" ;;
1024) cpus=1024 shape="--nodes 64 --nics 64 --queues 128" topo="node:64 core:8 pu:2" ;;
*) echo "BENCH_HOSTS: 192 or 1024" >&2; exit 64 ;;
esac
h=$build/bench-host-$cpus
if [ ! -f "$h.xml" ] || [ ! -d "$h" ]; then
	rm -rf "$h"
	# shellcheck disable=SC2086
	python3 "$here/../tests/fixtures/mkfixture.py" --synthetic "$h" --cpus $cpus $shape >/dev/null
	lstopo-no-graphics -f --input "$topo" --of xml "$h.xml"
fi
work=$(mktemp -d /dev/shm/tuner-watch-bench.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT
for p in $profiles; do
	rm -rf "$work/tree" "$work/state"
	mkdir "$work/tree"
	cp -a "$h/." "$work/tree/"
	# shellcheck disable=SC2086 # WATCH_ARGS: words
	python3 - "$build/tuner" "$work" "$h.xml" "$p" "$secs" ${WATCH_ARGS:-} <<'PY'
import os, subprocess, sys, time
tuner, work, xml, profile, secs = sys.argv[1:6]
extra = sys.argv[6:]
secs = int(secs)
hz = os.sysconf("SC_CLK_TCK")
err = open(os.path.join(work, "err"), "w+")
t0 = time.monotonic()
w = subprocess.Popen([tuner, "watch", "-p", profile, "--sysroot", os.path.join(work, "tree"),
                      "--topology", xml, "--state-dir", os.path.join(work, "state")] + extra,
                     stderr=err, stdout=subprocess.DEVNULL)


def sample():
    stat = open(f"/proc/{w.pid}/stat").read().rsplit(")", 1)[1].split()
    status = dict(l.split(":", 1) for l in open(f"/proc/{w.pid}/status") if ":" in l)
    cpu_ms = (int(stat[11]) + int(stat[12])) * 1000 / hz
    ctx = int(status["voluntary_ctxt_switches"]) + int(status["nonvoluntary_ctxt_switches"])
    return cpu_ms, ctx, status["VmRSS"].strip(), status["VmHWM"].strip()


def log():
    err.seek(0)
    return err.read()


while "watching" not in log():
    if w.poll() is not None or time.monotonic() - t0 > 120:
        print(log())
        sys.exit(f"tuner watch did not start (exit {w.returncode})")
    time.sleep(0.05)
start = time.monotonic() - t0
cpu0, ctx0, rss0, _ = sample()
time.sleep(secs)
cpu1, ctx1, rss1, hwm = sample()
w.terminate()
w.wait(10)
lines = [l for l in log().splitlines() if "watch:" in l]
print(f"profile {profile}{' ' + ' '.join(extra) if extra else ''}: started in {start:.2f} s ({cpu0:.0f} ms CPU); then {secs} s idle: "
      f"CPU +{cpu1 - cpu0:.0f} ms, {ctx1 - ctx0} context switches; RSS {rss0} -> {rss1} "
      f"(peak {hwm}); {len(lines) - 2} repair lines")
for l in lines[2:6]:
    print("   ", l)
PY
done
