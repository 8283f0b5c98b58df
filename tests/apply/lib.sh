# Sourced by the shell tests of tests/apply: their arguments, the tally and
# running tuner. Each test is called as: TEST.sh TUNER WORKDIR [SRCDIR].
#   sets   tuner work src topodir topo profile passes fails start
#   ok MSG, fail MSG, check STATUS MSG, show FILE..., sanitizer FILE WHAT,
#   tn ARGS... ($rc, $work/out, $work/err), snap DIR, finish
if [ $# -lt 2 ]; then
	echo "usage: $0 TUNER WORKDIR [SRCDIR]" >&2
	exit 64
fi
tuner=$1 work=$2
src=${3:-$(cd "$(dirname "$0")/../.." && pwd)}
topodir=$src/../shared/fixtures/topology
topo=$topodir/24em64t-2n6c2t-pci.xml
profile=$src/profiles/redis-numa-split.json
passes=0 fails=0
start=$(date +%s)
mkdir -p "$work"

ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
show() { sed 's/^/    /' "$@"; }
# check STATUS MESSAGE: ok when STATUS is 0
check() { if [ "$1" -eq 0 ]; then ok "$2"; else fail "$2"; fi; }
# sanitizer FILE WHAT: a sanitizer report in FILE is a failure
sanitizer() {
	if grep -q "AddressSanitizer\|runtime error" "$1"; then
		fail "sanitizer report from $2"
		show "$1"
	fi
}
# tn ARGS...: run tuner; $rc, $work/out, $work/err
tn() {
	"$tuner" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	sanitizer "$work/err" "tuner $*"
	return 0
}
# snap DIR: every entry's type, mode, link target, and every file's md5
snap() {
	(cd "$1" && find . -printf '%y %m %p -> %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum)
}
# expect_refusal NAME RC PATTERN CMD...: CMD exits RC with a message matching PATTERN
expect_refusal() {
	name=$1 want=$2 pattern=$3
	shift 3
	tn "$@"
	if [ "$rc" -ne "$want" ] || ! grep -Eq "$pattern" "$work/err"; then
		fail "$name: exit $rc (want $want), want a message matching /$pattern/; stderr:"
		{ head -c 600 "$work/err"; echo; } | show
	else
		ok "$name: $(grep -m 1 -E "$pattern" "$work/err" | cut -c 1-160)"
	fi
}

finish() {
	echo "time: $(($(date +%s) - start)) s"
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit
}
