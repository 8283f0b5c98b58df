#!/bin/sh
# Build the synthetic benchmark hosts and print the figures:
#   192 CPUs / 24 NUMA nodes / 16 NICs x 64 queues (1040 NIC IRQs), and
#   1024 CPUs / 64 NUMA nodes / 64 NICs x 128 queues (8256 NIC IRQs; its
#   /proc/interrupts is 94 MB: building it takes a minute, once).
#   bench/run.sh [BUILD_DIR [BEFORE_TUNER]]
# BEFORE_TUNER, another tuner binary (the tree before a change), is measured
# side by side with BUILD_DIR's, run for run. BENCH_ITERATIONS (default 20)
# sets the runs on the 192-CPU host (a quarter of them, at least 3, on the
# 1024-CPU one); BENCH_HOSTS="192" leaves the large host out. BENCH_PROFILE
# (a path) is planned and applied instead of the default profile:
# bench/rps-xps.json adds RPS, RFS and XPS on every queue (issue 15).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
before=${2:-}
n=${BENCH_ITERATIONS:-20}
[ -x "$build/tuner-bench" ] || { echo "build first: cmake --build $build" >&2; exit 1; }

# host CPUS NODES NICS QUEUES TOPOLOGY: the tree $build/bench-host-CPUS and its XML
host() {
	h=$build/bench-host-$1
	if [ ! -f "$h.xml" ] || [ ! -d "$h" ]; then
		rm -rf "$h"
		python3 "$here/../tests/fixtures/mkfixture.py" --synthetic "$h" --cpus "$1" \
			--nodes "$2" --nics "$3" --queues "$4" >/dev/null
		lstopo-no-graphics -f --input "$5" --of xml "$h.xml"
	fi
	# diagnose reads /proc/net/netstat, snmp and snmp6: real files of a 6.1 kernel.
	for f in netstat snmp snmp6; do
		[ -f "$h/proc/net/$f" ] || cp "$here/../tests/diagnose/data/$f-6.1.txt" "$h/proc/net/$f"
	done
}

for cpus in ${BENCH_HOSTS:-192 1024}; do
	case $cpus in
	192) host 192 24 16 64 "node:24 core:4 pu:2"; runs=$n ;;
	1024) host 1024 64 64 128 "node:64 core:8 pu:2"; runs=$((n / 4 > 3 ? n / 4 : 3)) ;;
	*) echo "BENCH_HOSTS: 192 or 1024" >&2; exit 64 ;;
	esac
	h=$build/bench-host-$cpus
	echo "== in-process (this build), $cpus CPUs"
	"$build/tuner-bench" "$h" "$h.xml" "$runs"

	# Whole processes: plan, then apply and rollback of the default plan (every
	# IRQ write journaled and read back). The tree is on tmpfs (/dev/shm) when
	# there is one, as /proc is in memory; the journal is on the build
	# directory's disk, so its fdatasyncs count.
	tree=$h
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		shm=$(mktemp -d /dev/shm/tuner-bench.XXXXXX)
		trap 'rm -rf "$shm"' EXIT
		mkdir "$shm/tree"
		cp -a "$h/." "$shm/tree/"
		tree=$shm/tree
	fi
	echo "== whole processes, $cpus CPUs ($(stat -f -c %T "$tree") tree)"
	"$build/tuner-bench" --floor "$tree" "$h.xml" "$runs"
	# starting the process alone (its shared libraries loaded): the rest of the floor
	"$build/tuner-bench" --run "$runs" "$build/tuner" --version |
		awk '{ printf "process start (tuner --version): median %.2f ms wall, %.2f ms CPU\n", $1, $2 }'
	# a state directory of this run's journals only: rollback --last reads
	# the header of every journal there (its boot and CLOCK_BOOTTIME), so
	# those left by earlier runs (hundreds) would be timed too
	rm -rf "$build/bench-state"
	BENCH_PROFILE=${BENCH_PROFILE:-} \
	python3 - "$build/tuner-bench" "$tree" "$h.xml" "$build/bench-state" "$runs" \
		"$build/tuner" $before <<'PY'
import json, os, statistics, subprocess, sys
bench, tree, xml, state, runs = sys.argv[1:6]
tuners = sys.argv[6:]
runs = int(runs)
g = ["--sysroot", tree, "--topology", xml]
profile = os.environ.get("BENCH_PROFILE")
pa = ["--profile", os.path.abspath(profile)] if profile else []

def run(tuner, args, n=1):
    if args[0] != "plan":
        args = args + ["--state-dir", state]
    if args[0] in ("plan", "apply"):
        args = args + pa
    out = subprocess.run([bench, "--run", str(n), tuner] + args + g, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), int(out[3])

r = subprocess.run([tuners[0], "plan", "--json"] + g + pa, capture_output=True, text=True)
changes = json.loads(r.stdout)["changes"]
irqs = sum(1 for c in changes if c["kind"] == "irq_affinity")
kinds = {}
for c in changes:
    kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
print(f"{profile or 'default profile'}: {len(changes)} changes ({kinds}), {irqs} IRQs placed; "
      f"{runs} runs each, "
      "medians of wall and CPU (user+sys) time, the largest peak RSS")
print(f"{'tuner':<44} {'what':<10} {'wall ms':>9} {'CPU ms':>9} {'peak RSS':>10} {'RSS/IRQ':>8}")
# run for run: each round runs every tuner once, so that a busy minute weighs on all alike
res = {t: {"plan": [], "apply": [], "rollback": []} for t in tuners}
for _ in range(runs):
    for t in tuners:
        res[t]["plan"].append(run(t, ["plan"]))
        if res[t]["plan"][-1][3] != 2:
            continue  # refused the host: nothing to apply
        res[t]["apply"].append(run(t, ["apply", "-q"]))
        res[t]["rollback"].append(run(t, ["rollback", "-q", "--last"]))
for t in tuners:
    for what, v in res[t].items():
        if not v:
            continue
        wall = statistics.median(x[0] for x in v)
        cpu = statistics.median(x[1] for x in v)
        rss = max(x[2] for x in v)
        bad = sorted({x[3] for x in v} - {0, 2})
        print(f"{t[-44:]:<44} {what:<10} {wall:9.1f} {cpu:9.1f} {rss / 1024:7.1f} MiB "
              f"{rss * 1024 // irqs:8d}" + (f"   (exit {bad})" if bad else ""))
PY
	[ -z "${shm:-}" ] || { rm -rf "$shm"; trap - EXIT; shm=; }
done
