#!/bin/sh
# apply, verify and rollback on THIS host, with a profile that touches only a
# process this test starts itself (threads.c): every thread is pinned to one
# CPU, verify agrees, rollback gives every thread its own original affinity
# back, a second rollback changes nothing, a thread that exits between apply
# and rollback is skipped. Before each apply the plan is read and the test
# stops unless it holds only process_affinity changes of that pid.
#   pin_process.sh TUNER WORKDIR [SRCDIR]
set -u
. "$(dirname "$0")/lib.sh"
state=$work/state helper=

cleanup() {
	if [ -n "$helper" ]; then
		kill "$helper" 2>/dev/null
		wait "$helper" 2>/dev/null
	fi
	helper=
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# affs PID: "TID CPULIST" for every thread, as sched_getaffinity sees it
affs() {
	python3 - "$1" <<'EOF'
import os, sys
pid = sys.argv[1]
for t in sorted(os.listdir('/proc/%s/task' % pid), key=int):
    try:
        cpus = sorted(os.sched_getaffinity(int(t)))
    except ProcessLookupError:
        continue
    print(t, ','.join(map(str, cpus)))
EOF
}

# wait_line FILE PATTERN: wait (5 s at most) for a line of FILE matching PATTERN
wait_line() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.05
	done
}

# all_on CPU: every thread of the helper has exactly CPU
all_on() {
	affs "$helper" >"$work/aff.now"
	! grep -qv " $1\$" "$work/aff.now" && [ -s "$work/aff.now" ]
}

# safe_apply WHAT: plan first; apply only if the plan holds nothing but
# process_affinity changes of the helper's pid
safe_apply() {
	tn plan --profile "$work/pin.json" --json
	cp "$work/out" "$work/plan.json"
	if [ "$rc" -ne 2 ] || ! python3 - "$work/plan.json" "$helper" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
ch = plan['changes']
bad = [c for c in ch if c['kind'] != 'process_affinity' or c['target'].split('@')[0] != sys.argv[2]]
if not ch or bad:
    sys.exit('changes other than process_affinity of pid %s: %r' % (sys.argv[2], bad or ch))
EOF
	then
		fail "$1: the plan is not only process_affinity of pid $helper (exit $rc): NOT applied; test stopped"
		show "$work/plan.json" "$work/err"
		finish
	fi
	ok "$1: the plan holds only process_affinity of pid $helper"
	before=$(ls "$state" 2>/dev/null | grep -c '\.journal$')
	tn apply --profile "$work/pin.json" --state-dir "$state"
	# the journal too: nothing but this process's threads
	last=$(ls "$state" 2>/dev/null | grep '\.journal$' | LC_ALL=C sort | tail -n 1)
	after=$(ls "$state" 2>/dev/null | grep -c '\.journal$')
	if [ "$rc" -eq 0 ] && [ "$after" -eq $((before + 1)) ] &&
	   python3 - "$state/$last" "$helper" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
ch = [r for r in recs if 'kind' in r and r['kind'] != 'journal']
bad = [r for r in ch if r['kind'] != 'process_affinity' or r['target'].split('@')[0] != sys.argv[2]]
if not ch or bad:
    sys.exit('journal: %r' % (bad or 'no change'))
EOF
	then
		ok "$1: $(grep '^tuner: applied' "$work/err")"
	else
		fail "$1: apply exit $rc; stderr:"
		show "$work/err"
	fi
}

mkdir -p "$work" || exit 1
rm -rf "$state"

# ---- the helper ----
if ! command -v cc >/dev/null 2>&1; then
	echo "SKIP: no C compiler (cc) to build the helper process"
	exit 77
fi
if ! cc -O2 -Wall -pthread -o "$work/threads" "$src/tests/apply/threads.c" 2>"$work/cc.err"; then
	fail "cc -pthread threads.c"
	show "$work/cc.err"
	finish
fi
set -- $(python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')
if [ $# -lt 2 ]; then
	echo "SKIP: this test may use only one CPU ($*): there is no other CPU to pin a thread to"
	exit 77
fi
first=$1
for c in "$@"; do pin=$c; done
nthreads=4

start_helper() {
	"$work/threads" "$nthreads" 120 >"$work/threads.out" 2>"$work/threads.err" &
	helper=$!
	if ! wait_line "$work/threads.out" "^$helper\$"; then
		fail "the helper did not start"
		show "$work/threads.err"
		finish
	fi
	# one thread on another CPU than the rest: rollback must restore each its own
	set -- $(ls "/proc/$helper/task" | sort -n)
	python3 -c "import os; os.sched_setaffinity($3, {$first})"
	affs "$helper" >"$work/aff.before"
}
start_helper
n=$(wc -l <"$work/aff.before")
if [ "$n" -eq $((nthreads + 1)) ]; then
	ok "helper $helper: $n threads: $(tr '\n' ';' <"$work/aff.before")"
else
	fail "helper $helper: $n threads, want $((nthreads + 1))"
fi
printf '{"name":"pin","irqbalance":"ignore","processes":[{"match":{"pid":%s},"placement":{"cpus":"%s"}}]}\n' \
	"$helper" "$pin" >"$work/pin.json"

# ---- apply, verify, rollback, rollback again ----
safe_apply "apply"
if all_on "$pin"; then
	ok "apply: every thread on CPU $pin only"
else
	fail "apply: not every thread on CPU $pin:"
	show "$work/aff.now"
fi
tn verify --profile "$work/pin.json"
if [ "$rc" -eq 0 ]; then
	ok "verify: exit 0: $(cat "$work/out")"
else
	fail "verify: exit $rc (want 0)"
	show "$work/out" "$work/err"
fi
tn rollback --last --state-dir "$state"
affs "$helper" >"$work/aff.now"
if [ "$rc" -eq 0 ] && cmp -s "$work/aff.before" "$work/aff.now"; then
	ok "rollback: every thread back to its own affinity: $(tail -n 1 "$work/err")"
else
	fail "rollback: exit $rc; before the apply, then now:"
	show "$work/aff.before"
	echo "    --"
	show "$work/aff.now" "$work/err"
fi
tn rollback --last --state-dir "$state"
affs "$helper" >"$work/aff.now"
if [ "$rc" -eq 0 ] && grep -q ": 0 restored, .* 0 failed$" "$work/err" &&
   cmp -s "$work/aff.before" "$work/aff.now"; then
	ok "a second rollback changes nothing: $(tail -n 1 "$work/err")"
else
	fail "a second rollback: exit $rc"
	show "$work/err"
fi

# ---- a thread exits between apply and rollback ----
safe_apply "apply again"
all_on "$pin" || { fail "apply again: not every thread on CPU $pin"; show "$work/aff.now"; }
kill -USR2 "$helper"
if wait_line "$work/threads.out" "^stopped [0-9]"; then
	gone=$(sed -n 's/^stopped //p' "$work/threads.out")
else
	gone=none
	fail "the helper did not stop a thread"
fi
tn rollback --last --state-dir "$state"
affs "$helper" >"$work/aff.now"
grep -v "^$gone " "$work/aff.before" >"$work/aff.want"
if [ "$rc" -eq 0 ] && [ ! -e "/proc/$helper/task/$gone" ] &&
   grep -q "$helper/$gone CPUs: skipped" "$work/err" && grep -q ", 1 skipped, 0 failed$" "$work/err" &&
   cmp -s "$work/aff.want" "$work/aff.now"; then
	ok "thread $gone exited: rollback skips it, restores the others: $(grep "/$gone CPUs" "$work/err")"
else
	fail "thread $gone exited: rollback exit $rc; want the others restored:"
	show "$work/aff.want"
	echo "    --"
	show "$work/aff.now" "$work/err"
fi

# ---- a thread started after the apply (what rollback does with it) ----
safe_apply "apply a third time"
kill -USR1 "$helper"
if wait_line "$work/threads.out" "^started [0-9]"; then
	new=$(sed -n 's/^started //p' "$work/threads.out")
	affs "$helper" >"$work/aff.now"
	if all_on "$pin"; then
		ok "thread $new started after the apply inherits CPU $pin"
	else
		fail "thread $new started after the apply: not every thread on $pin"
		show "$work/aff.now"
	fi
	tn verify --profile "$work/pin.json"
	if [ "$rc" -eq 0 ]; then
		ok "verify with the new thread: exit 0"
	else
		fail "verify with the new thread: exit $rc"
		show "$work/out"
	fi
	tn rollback --last --state-dir "$state"
	affs "$helper" >"$work/aff.now"
	if [ "$rc" -eq 0 ] && [ "$(grep -v "^$new " "$work/aff.now")" = "$(cat "$work/aff.want")" ]; then
		ok "rollback with a thread started after the apply: the recorded threads restored"
	else
		fail "rollback with a thread started after the apply: exit $rc"
		show "$work/aff.now" "$work/err"
	fi
	echo "note: thread $new, not in the journal, keeps CPUs $(sed -n "s/^$new //p" "$work/aff.now") after the rollback"
else
	fail "the helper did not start a thread"
fi

cleanup
finish
