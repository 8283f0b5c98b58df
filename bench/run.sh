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
"$build/tuner-bench" "$host" "$host.xml" "${BENCH_ITERATIONS:-20}"
