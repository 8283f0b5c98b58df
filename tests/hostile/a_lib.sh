# Sourced by the tests/hostile/a_*.sh tests (hardening, area a: profile and
# state-dir trust, FIFOs, the option pre-scan, profiles from the build tree).
# Each is called as: TEST.sh TUNER WORKDIR SRCDIR. Builds on tests/apply/lib.sh
# (ok, fail, tn, snap, finish, $tuner $work $src $topo ...) and adds:
#   hostile         this directory (the hostile inputs)
#   mktree DIR      a fresh 24em64t sysroot tree in DIR
#   tnt ARGS...     tn with a 10 s timeout: $rc is 124 when tuner hung
#   tn_in DIR ARGS  tn, run from directory DIR
#   plan_profile    the "profile" of the plan JSON in $work/out
#   needs_root      exit 77 (skipped) unless root: files owned by another user
. "$(dirname "$0")/../apply/lib.sh"
hostile=$src/tests/hostile
# the tests cd elsewhere: absolute paths
work=$(cd "$work" && pwd -P) src=$(cd "$src" && pwd -P)
hostile=$src/tests/hostile topodir=$src/../shared/fixtures/topology
topo=$topodir/24em64t-2n6c2t-pci.xml
case $tuner in /*) ;; *) tuner=$(pwd -P)/$tuner ;; esac
unset TUNER_PROFILE_PATH
# the tests run as root: what they plant belongs to this other user
other=nobody
other_uid=$(id -u "$other" 2>/dev/null || echo 65534)

mktree() {
	rm -rf "$1"
	if ! python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" \
		"$src/tests/fixtures/specs/24em64t.json" "$1" >"$work/mkfixture.log" 2>&1; then
		fail "mkfixture $1"
		show "$work/mkfixture.log"
		finish
	fi
}

tnt() {
	timeout -k 2 10 "$tuner" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	sanitizer "$work/err" "tuner $*"
	return 0
}

# tn_in DIR ARGS...: tn, run from directory DIR
tn_in() {
	dir=$1
	shift
	(cd "$dir" && exec "$tuner" "$@") >"$work/out" 2>"$work/err"
	rc=$?
	sanitizer "$work/err" "tuner $*"
	return 0
}

plan_profile() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile"])' \
		"$work/out" 2>/dev/null
}

needs_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "skipped: needs root, to make files owned by another user"
		exit 77
	fi
}

# expect_refused NAME PATTERN: the last tn/tnt exited 1 with a line matching PATTERN
expect_refused() {
	if [ "$rc" -eq 1 ] && grep -Eq "$2" "$work/err"; then
		ok "$1: $(grep -m 1 '^tuner: ' "$work/err")"
	else
		fail "$1: exit $rc (want 1 and a message matching /$2/); stderr:"
		head -n 5 "$work/err" | show
	fi
}
