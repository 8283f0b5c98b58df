#!/bin/sh
# The TUNER_FAULT hook is in test builds only (hardening item 5).
# TUNER_FAULT=K:WHAT makes an apply fail or _exit(99) at change K on purpose:
# 'TUNER_FAULT=3:exit-after tuner apply' left a host half-tuned. It is
# compiled in only with TUNER_FAULT_INJECTION (AUTO: with TUNER_TESTS):
#   - a release tree (-DTUNER_TESTS=OFF, as the package is built; here one
#     first configured with the tests, then without) has it off: its tuner
#     holds no "TUNER_FAULT" string, and with TUNER_FAULT set (exit,
#     exit-after, EINVAL, EIO) it applies the whole plan to a fixture tree
#     (exit 0, the journal "applied"); the test build's tuner, given
#     0:exit-after, exits 99 (the control: the scenario does reach the hook
#     where it is compiled);
#   - a tree with the hook installs nothing ('cmake --install' stops first,
#     saying why) and makes no package (cpack refuses, saying why), while the
#     release tree installs.
# Builds a release tree in WORKDIR (the binary, man page and changelog).
#   e_release_fault.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/../apply/lib.sh"
rel=$work/release fi=$work/faulty
rm -rf "$rel" "$fi" "$work/dest" "$work/dest-fi" "$work/pkg-fi"

# configured first with the tests, as a checkout's build/ often is: the hook
# follows TUNER_TESTS when it is turned off (it is not kept in the cache)
if ! { cmake -S "$src" -B "$rel" -DTUNER_TESTS=ON -DCMAKE_INSTALL_PREFIX=/usr &&
	cmake -S "$src" -B "$rel" -DTUNER_TESTS=OFF &&
	cmake --build "$rel" -j2; } >"$work/release.log" 2>&1; then
	fail "building a release tree (-DTUNER_TESTS=OFF)"
	tail -n 30 "$work/release.log" | show
	finish
fi
n=$(grep -c -a TUNER_FAULT "$rel/tuner")
check "$n" "its tuner holds no \"TUNER_FAULT\" string ($n lines hold one)"
n=$(grep -c -a TUNER_FAULT "$tuner")
[ "$n" -gt 0 ]
check $? "the test build's tuner does ($n)"

# apply TUNER FAULT: apply the default profile to a fresh 24em64t tree
spec=$src/tests/fixtures/specs/24em64t.json
python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" "$spec" "$work/pristine" \
	>/dev/null || fail "mkfixture"
apply() {
	rm -rf "$work/tree" "$work/state"
	cp -a "$work/pristine" "$work/tree"
	TUNER_FAULT=$2 "$1" apply --profile "$src/profiles/default.json" --sysroot "$work/tree" \
		--topology "$topo" --state-dir "$work/state" >"$work/out" 2>"$work/err"
	rc=$?
	sanitizer "$work/err" "$1 apply (TUNER_FAULT=$2)"
	hist=$("$1" history --json --state-dir "$work/state" 2>/dev/null |
		python3 -c 'import json,sys; h=json.load(sys.stdin); print(h[-1]["status"], h[-1]["changes"])' \
			2>/dev/null)
}
apply "$rel/tuner" ""
want=$hist
[ "$rc" -eq 0 ] && [ "${want%% *}" = applied ]
check $? "the release tuner applies the default profile: exit $rc, journal: $want"
for f in 0:exit-after 0:exit 3:EINVAL 3:EIO; do
	apply "$rel/tuner" "$f"
	[ "$rc" -eq 0 ] && [ "$hist" = "$want" ] && ! grep -q TUNER_FAULT "$work/err"
	check $? "TUNER_FAULT=$f: the release tuner ignores it: exit $rc, journal: $hist"
	[ "$rc" -eq 0 ] || show "$work/err"
done
apply "$tuner" 0:exit-after
[ "$rc" -eq 99 ]
check $? "control: the test build's tuner with TUNER_FAULT=0:exit-after: exit $rc (99 wanted)"

# A tree with the hook (configured only: the refusal comes before any build
# output is needed) installs nothing and makes no package.
cmake -S "$src" -B "$fi" -DTUNER_TESTS=ON -DCMAKE_INSTALL_PREFIX=/usr >"$work/faulty.log" 2>&1 ||
	fail "configuring $fi"
DESTDIR=$work/dest-fi cmake --install "$fi" >"$work/install-fi.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q "TUNER_FAULT test hook" "$work/install-fi.log" &&
	[ -z "$(find "$work/dest-fi" ! -type d 2>/dev/null)" ]
check $? "cmake --install of a tree with the hook: refused (exit $rc), saying why, nothing installed"
[ "$rc" -ne 0 ] || show "$work/install-fi.log"
cpack --config "$fi/CPackConfig.cmake" -B "$work/pkg-fi" >"$work/cpack-fi.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q "TUNER_FAULT test hook" "$work/cpack-fi.log" &&
	[ -z "$(find "$work/pkg-fi" -name '*.deb' 2>/dev/null)" ]
check $? "cpack on a tree with the hook: refused (exit $rc), saying why, no .deb"
[ "$rc" -ne 0 ] || show "$work/cpack-fi.log"
DESTDIR=$work/dest cmake --install "$rel" >"$work/install.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ -x "$work/dest/usr/sbin/tuner" ]
check $? "control: cmake --install of the release tree (DESTDIR): exit $rc, usr/sbin/tuner there"
[ "$rc" -eq 0 ] || show "$work/install.log"
finish
