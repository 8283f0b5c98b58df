#!/bin/sh
# The whole test suite on a fresh Debian 12 machine, as root: install what is
# missing, build with -Werror, run every tier under ctest (unit, sysroot
# fixtures, the live read-only test, the VM tier on two real kernels), then
# build again with ASan+UBSan and run every tier but the VM one (and the cost
# regression tests) under them, then the fuzzers for a bounded time.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)
scripts/deps.sh test
if [ -x tests/vm/deps.sh ]; then tests/vm/deps.sh; fi

echo "== build (-Werror)"
cmake -S . -B build -DTUNER_WERROR=ON -DTUNER_TESTS=ON >/dev/null
cmake --build build -j"$jobs" >/dev/null
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== tests under ASan+UBSan"
cmake -S . -B build-asan -DTUNER_WERROR=ON -DTUNER_TESTS=ON -DTUNER_SANITIZE=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
# Not the VM tier, nor the cost regression tests (label "cost": they time
# tuner itself, and under the sanitizers only time the sanitizers), nor the
# tests that build their own release tree from the sources (label "build":
# the package, the release build without the fault hook; the sanitized
# binary is not in them). The plain phase above runs them all.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE 'vm|cost|build'

if [ -x tests/fuzz/run.sh ]; then
	echo "== fuzzers (bounded)"
	tests/fuzz/run.sh
fi
