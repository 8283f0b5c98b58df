#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets with clang and run the fuzz ctest label.
#
#   tests/fuzz/run.sh [BUILD_DIR]        (default: build-fuzz in the checkout)
#
# Environment:
#   FUZZ_TIME=SECONDS  how long each fuzzer runs (default 10: CI's regression run)
#   CC=clang-14        the clang to use (default clang)
#   JOBS=N             build parallelism and fuzzers run at once (default: nproc)
#
# Exit status: ctest's (0 when no fuzzer found anything). A crash is saved
# under BUILD_DIR/tests/fuzz/artifacts/<target>/; replay it with
# BUILD_DIR/tests/fuzz/fuzz_<target> FILE, and add it to
# tests/fuzz/corpus/<target>/ once fixed, as a regression seed.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-fuzz}
cc=${CC:-clang}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

case "$("$cc" --version 2>/dev/null | head -n 1)" in
*clang*) ;;
*)
	echo "run.sh: $cc is not clang; set CC to a clang with libFuzzer" >&2
	exit 1
	;;
esac

cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DTUNER_FUZZ=ON -DTUNER_TESTS=ON -DTUNER_FUZZ_TIME="${FUZZ_TIME:-10}"
cmake --build "$build" --parallel "$jobs" --target fuzzers
cd "$build"
# one fuzzer per CPU at a time: each is single-threaded
ctest -L fuzz --output-on-failure -j"$jobs"
