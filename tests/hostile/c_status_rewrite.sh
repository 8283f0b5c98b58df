#!/bin/sh
# Item 7: under --sysroot a thread's affinity is a rewrite of its status file.
# A hostile tree's status files: empty (the rewrite never terminated its
# buffer: heap bytes written into the file, or an ASan report), with thousands
# of Cpus_allowed lines (the buffer was sized for two: a heap overflow), and a
# Cpus_allowed mask of 300 groups (read past the CPU set). Each apply and
# rollback must end with exit 0, no sanitizer report, and files holding what
# they should. MALLOC_PERTURB_ fills fresh heap memory so that a missing NUL
# shows in a release build too.
#   c_status_rewrite.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/c_lib.sh"
export MALLOC_PERTURB_=165
pin='{"name":"pin","irqbalance":"ignore","processes":[{"match":{"comm":"redis-server"},"placement":{"cpus":"2-3"}}]}'
printf '%s\n' "$pin" >"$work/pin.json"
# a longer list than the 0-23 the tree has: each rewritten line grows
odd='1,3,5,7,9,11,13,15,17,19,21,23'
printf '%s\n' "$pin" | sed "s/2-3/$odd/" >"$work/odd.json"


# apply_rollback WHAT [PROFILE]: apply the pin profile (or PROFILE)
apply_rollback() {
	rm -rf "$work/state"
	tng apply -q --profile "${2:-$work/pin.json}" --state-dir "$work/state"
	if [ "$rc" -eq 0 ]; then
		ok "$1: apply: $(tail -n 1 "$work/err")"
	else
		fail "$1: apply exit $rc"
		show "$work/err"
	fi
	cp "$work/err" "$work/apply.err"
}
rollback() {
	tng rollback -q --last --state-dir "$work/state"
	check "$rc" "$1: rollback exit $rc: $(tail -n 1 "$work/err")"
}

# ---- (a) an empty /proc/PID/status (the main thread's copy) ----
fresh_tree "$work/tree"
: >"$tree/proc/1187/status"
snap "$tree" >"$work/snap.0"
apply_rollback "(a) empty proc/1187/status"
size=$(wc -c <"$tree/proc/1187/status")
[ "$size" -eq 0 ] && ok "(a) after apply: proc/1187/status still empty (nothing to rewrite)" ||
	fail "(a) after apply: proc/1187/status holds $size bytes: $(head -c 60 "$tree/proc/1187/status" | od -c | head -n 2)"
[ "$(status_list "$tree/proc/1187/task/1187/status")" = 2-3 ] &&
	ok "(a) the main thread's task status says 2-3" ||
	fail "(a) task/1187/status: $(status_list "$tree/proc/1187/task/1187/status")"
rollback "(a)"
snap "$tree" >"$work/snap.1"
cmp -s "$work/snap.0" "$work/snap.1"
check $? "(a) after rollback the tree is byte for byte as before"

# ---- (b) 6000 Cpus_allowed and Cpus_allowed_list lines, each growing ----
fresh_tree "$work/tree"
st=$tree/proc/1187/task/1190/status
python3 - "$st" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().splitlines(True)
extra = [l for l in lines if l.startswith("Cpus_allowed")] * 3000
open(p, "w").write("".join(lines + extra))
PY
snap "$tree" >"$work/snap.0"
apply_rollback "(b) 6000 Cpus_allowed lines" "$work/odd.json"
n=$(grep -c "^Cpus_allowed_list:	$odd\$" "$st")
m=$(grep -c '^Cpus_allowed:	aaaaaa$' "$st")
[ "$n" -eq 3001 ] && [ "$m" -eq 3001 ] &&
	ok "(b) after apply: all 3001 Cpus_allowed_list and Cpus_allowed lines rewritten" ||
	fail "(b) after apply: $n Cpus_allowed_list lines say $odd, $m masks say aaaaaa (want 3001 each)"
rollback "(b)"
snap "$tree" >"$work/snap.1"
cmp -s "$work/snap.0" "$work/snap.1"
check $? "(b) after rollback the tree is byte for byte as before"

# ---- (c) a Cpus_allowed mask of 300 groups ----
fresh_tree "$work/tree"
st=$tree/proc/1187/task/1191/status
groups=$(python3 -c 'print(",".join(["00000000"] * 299 + ["00ffffff"]))')
sed -i "s/^Cpus_allowed:.*/Cpus_allowed:	$groups/" "$st"
apply_rollback "(c) a 300-group mask"
mask=$(sed -n 's/^Cpus_allowed:[[:space:]]*//p' "$st")
if python3 - "$mask" <<'PY'
import sys
groups = sys.argv[1].split(",")
v = int("".join(groups), 16)
assert len(groups) <= 256, f"{len(groups)} groups"
assert v == 0b1100, hex(v)
PY
then
	ok "(c) after apply: the mask is CPUs 2-3 in at most 256 groups (8192 CPUs)"
else
	fail "(c) after apply: Cpus_allowed $(echo "$mask" | cut -c1-80)..."
fi
rollback "(c)"
[ "$(status_list "$st")" = 0-23 ] && ok "(c) after rollback: Cpus_allowed_list 0-23 again" ||
	fail "(c) after rollback: $(status_list "$st")"

finish
