#!/bin/sh
# Applies and rollbacks exclude each other through a flock on the state
# directory: (a) with the lock held from outside, --wait 0 fails at once and
# changes nothing, --wait N waits at least N seconds, and --wait 10 goes
# through once the lock is released; (b) two applies started together on one
# tree make exactly one journal, whose records are not interleaved; the other
# plans under the lock, finds nothing to change and exits 0; rollback restores
# the tree byte for byte. Everything runs on a sysroot tree.
#   concurrency.sh TUNER WORKDIR [SRCDIR]
set -u
. "$(dirname "$0")/lib.sh"
holder=

cleanup() { [ -n "$holder" ] && kill "$holder" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ms() { # milliseconds (GNU date; whole seconds elsewhere)
	d=$(date +%s%N)
	case $d in
	*N) echo $(($(date +%s) * 1000)) ;;
	*) echo $((d / 1000000)) ;;
	esac
}

# tn ARGS...: run tuner; $rc, $ms (elapsed), $work/out, $work/err
tn() {
	t0=$(ms)
	"$tuner" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	ms=$(($(ms) - t0))
	sanitizer "$work/err" "tuner $*"
}


# hold_lock DIR SECS: flock DIR from outside for SECS seconds (like 'flock DIR
# sleep SECS'); $holder is the pid of the sleep that holds it: kill it to release
hold_lock() {
	sh -c 'exec 9<"$1" && flock -x 9 && exec sleep "$2"' hold_lock "$1" "$2" &
	holder=$!
	i=0
	while flock -n "$1" true; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			fail "flock $1 did not take the lock"
			finish
		fi
		sleep 0.05
	done
}

# journals DIR: the journal files in DIR
journals() { find "$1" -maxdepth 1 -name '*.journal' | LC_ALL=C sort; }

# check_journal FILE: every line a JSON object, changes numbered 0..n-1 in
# order, then each one's status once, in order, each after its change; prints n
check_journal() {
	python3 - "$1" <<'EOF'
import json, os, sys
p = sys.argv[1]
data = open(p, 'rb').read()
if not data.endswith(b'\n'):
    sys.exit('%s: the last line has no newline' % p)
recs = []
for i, line in enumerate(data.decode().split('\n')[:-1], 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        sys.exit('%s:%d: not JSON (%s): %r' % (p, i, e, line[:120]))
    if not isinstance(o, dict):
        sys.exit('%s:%d: not an object' % (p, i))
    recs.append((i, o))
h = recs[0][1]
stem = os.path.basename(p)[:-len('.journal')]
if h.get('kind') != 'journal' or h.get('id') != stem:
    sys.exit('%s:1: not the header of journal %s: %r' % (p, stem, h))
changes = [(i, o) for i, o in recs[1:] if 'kind' in o]
status = [(i, o) for i, o in recs[1:] if 'kind' not in o and 'end' not in o]
ends = [(i, o) for i, o in recs[1:] if 'end' in o]
n = len(changes)
if n == 0:
    sys.exit('%s: no change recorded' % p)
seqs = [o['seq'] for _, o in changes]
if seqs != list(range(n)):
    sys.exit('%s: change records out of sequence: %r' % (p, seqs))
sseqs = [o['seq'] for _, o in status]
if sseqs != list(range(n)):
    sys.exit('%s: status records out of sequence: %r' % (p, sseqs))
for (ci, c), (si, s) in zip(changes, status):
    if si < ci or s['status'] != 'applied':
        sys.exit('%s:%d: status %r of change %d (line %d)' % (p, si, s, c['seq'], ci))
if [o for _, o in ends] != [{'end': 'applied'}] or ends[0][0] != len(recs):
    sys.exit('%s: want one end record, last: %r' % (p, ends))
print(n)
EOF
}

mkdir -p "$work" || exit 1
tree=$work/tree
rm -rf "$tree" "$work/sa" "$work/sb1" "$work/sb2"
if ! python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" \
	"$src/tests/fixtures/specs/24em64t.json" "$tree" >"$work/mkfixture.log" 2>&1; then
	fail "mkfixture"
	show "$work/mkfixture.log"
	finish
fi
snap "$tree" >"$work/snap.0"
apply() { # STATE-DIR ARGS...
	s=$1
	shift
	tn apply --sysroot "$tree" --topology "$topo" --profile "$profile" --state-dir "$s" "$@"
}
# restored STATE-DIR WHAT: rollback --last gives the tree of snap.0 back
restored() {
	tn rollback --last --sysroot "$tree" --state-dir "$1"
	snap "$tree" >"$work/snap.r"
	if [ "$rc" -eq 0 ] && cmp -s "$work/snap.0" "$work/snap.r"; then
		ok "$2: rollback --last restores the tree byte for byte"
	else
		fail "$2: rollback --last: exit $rc; differences:"
		tail -n 3 "$work/err" | show
		diff "$work/snap.0" "$work/snap.r" | head -n 20 | show
	fi
}

# ---- (a) the lock held from outside ----
sa=$work/sa
mkdir -m 700 "$sa"
hold_lock "$sa" 60
apply "$sa" --wait 0
snap "$tree" >"$work/snap.a"
if [ "$rc" -eq 1 ] && grep -q "^tuner: $sa: another tuner apply or rollback holds the lock" "$work/err"; then
	ok "(a) apply --wait 0: refused in $ms ms: $(head -n 1 "$work/err")"
else
	fail "(a) apply --wait 0: exit $rc (want 1) in $ms ms; stderr:"
	head -n 5 "$work/err" | show
fi
if cmp -s "$work/snap.0" "$work/snap.a" && [ -z "$(journals "$sa")" ]; then
	ok "(a) apply --wait 0: the tree is untouched, no journal"
else
	fail "(a) apply --wait 0: the tree changed or a journal was made: $(journals "$sa")"
	diff "$work/snap.0" "$work/snap.a" | head -n 10 | show
fi
tn rollback --last --wait 0 --sysroot "$tree" --state-dir "$sa"
if [ "$rc" -eq 1 ] && grep -q "holds the lock" "$work/err"; then
	ok "(a) rollback --wait 0: refused too: $(head -n 1 "$work/err")"
else
	fail "(a) rollback --wait 0: exit $rc (want 1); stderr:"
	head -n 5 "$work/err" | show
fi
# --wait 1 must wait a whole second, wherever in a second it starts (the
# pauses move the start within the second)
waits= short=0
for pause in 0 0.3 0.6; do
	sleep "$pause"
	apply "$sa" --wait 1
	waits="$waits ${ms}ms"
	[ "$rc" -eq 1 ] && [ "$ms" -ge 950 ] || short=$((short + 1))
done
msg=$(head -n 1 "$work/err")
if [ "$short" -eq 0 ]; then
	ok "(a) apply --wait 1: gave up after at least 1 s each time ($waits): $msg"
else
	fail "(a) apply --wait 1: $short of 3 gave up before 1 s (or did not exit 1):$waits: $msg"
fi
kill "$holder"
wait "$holder" 2>/dev/null
# a lock released 2 s later: --wait 10 waits for it, then applies
hold_lock "$sa" 2
apply "$sa" --wait 10
kill -0 "$holder" 2>/dev/null && still=" (the outside lock is still held)" || still=
set -- $(journals "$sa")
if [ "$rc" -eq 0 ] && [ -z "$still" ] && [ "$ms" -ge 1000 ] && [ $# -eq 1 ] &&
   grep -q '^tuner: applied: [1-9][0-9]* changes applied' "$work/err"; then
	ok "(a) apply --wait 10: went through after $ms ms, once the lock was released: $(grep '^tuner: applied' "$work/err")"
else
	fail "(a) apply --wait 10: exit $rc after $ms ms$still, journals: $*; stderr:"
	tail -n 5 "$work/err" | show
fi
wait "$holder" 2>/dev/null
holder=
restored "$sa" "(a)"

# ---- (b) two applies at the same time ----
# round 1: started together; round 2: both already waiting when the lock frees
for round in 1 2; do
	sb=$work/sb$round
	if [ $round -eq 2 ]; then
		mkdir -m 700 "$sb"
		hold_lock "$sb" 1
		what="(b) round 2, both waiting for a lock"
	else
		what="(b) round 1, started together"
	fi
	for k in 1 2; do
		"$tuner" apply --sysroot "$tree" --topology "$topo" --profile "$profile" \
			--state-dir "$sb" --wait 30 >"$work/out$k" 2>"$work/err$k" &
		eval "pid$k=\$!"
	done
	wait "$pid1"
	rc1=$?
	wait "$pid2"
	rc2=$?
	[ -n "$holder" ] && wait "$holder" 2>/dev/null
	holder=
	sanitizer "$work/err1" "the first apply"
	sanitizer "$work/err2" "the second apply"
	set -- $(journals "$sb")
	nothing=$(grep -l "^tuner: nothing to change: this host matches profile" "$work/err1" "$work/err2")
	applied=$(grep -l "^tuner: applied: [1-9][0-9]* changes applied" "$work/err1" "$work/err2")
	if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ $# -eq 1 ] &&
	   [ "$(echo "$nothing" | wc -w)" -eq 1 ] && [ "$(echo "$applied" | wc -w)" -eq 1 ]; then
		ok "$what: both exit 0, one journal; $(basename "$applied"): $(grep '^tuner: applied' "$applied"); $(basename "$nothing"): $(grep '^tuner: nothing' "$nothing")"
	else
		fail "$what: exits $rc1 and $rc2 (want 0 and 0), journals: $*; stderr of each:"
		tail -n 3 "$work/err1" | show
		echo "    --"
		tail -n 3 "$work/err2" | show
	fi
	if [ $# -eq 1 ]; then
		if n=$(check_journal "$1" 2>"$work/check.err"); then
			want=$(sed -n 's/^tuner: applied: \([0-9]*\) changes applied.*/\1/p' $applied /dev/null)
			if [ "$n" = "$want" ]; then
				ok "$what: journal records in order, not interleaved ($n changes)"
			else
				fail "$what: the journal has $n changes, the apply said '$want'"
			fi
		else
			fail "$what: journal $(basename "$1"): $(cat "$work/check.err")"
		fi
		restored "$sb" "$what"
	fi
done

finish
