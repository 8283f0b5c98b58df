#!/bin/sh
# Item 16: procfs takes a value in one write and ignores O_TRUNC; a file of a
# tree opened with O_TRUNC is empty until the write. tuner killed between the
# two left an empty file, which rollback then called "changed since the apply".
# In a tree a one-line value is now written in place with one write and no
# O_TRUNC (the rest of a longer old value cut after it), and anything else is
# replaced whole (a new file renamed over it). Here
# tuner is killed (SIGKILL, by the LD_PRELOAD shim) at its first write of an
# IRQ's smp_affinity_list, then of a thread's status file: every file of the
# tree holds its old content or its new one, rollback restores everything and
# calls nothing "changed since", and the tree ends byte for byte as it was
# (left aside: the unfinished new file the kill left beside its target).
#   c_atomic_write.sh TUNER WORKDIR SRCDIR SHIM
set -u
. "$(dirname "$0")/c_lib.sh"
state=$work/state

# killed_at TEXT: apply, killed at its first write to a path holding TEXT
killed_at() {
	fresh_tree "$work/tree"
	snap "$tree" >"$work/snap.0"
	rm -rf "$state"
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		TN_SHIM_KILL_WRITE=$1 LD_PRELOAD=$shim \
		"$tuner" --sysroot "$tree" --topology "$topo" apply -q --profile "$profile" \
		--state-dir "$state" >"$work/out" 2>"$work/err"
	rc=$?
	sanitizer "$work/err" "apply killed at $1"
	if [ "$rc" -eq 137 ] && grep -q "c_shim: killed before writing" "$work/err"; then
		ok "killed at the first write to *$1*: exit $rc"
	else
		fail "killed at *$1*: exit $rc, want 137 (SIGKILL from the shim): this case tests nothing"
		show "$work/err"
	fi
	# no file of the tree is empty that was not empty before
	empty=$(cd "$tree" && find . -type f -empty ! -name '.*.tuner-*' | LC_ALL=C sort)
	was=$(cd "$work/pristine" && find . -type f -empty | LC_ALL=C sort)
	if [ "$empty" = "$was" ]; then
		ok "killed at *$1*: no file of the tree was left empty"
	else
		fail "killed at *$1*: files left empty: $(echo "$empty" | grep -vxF "$was" | tr '\n' ' ')"
	fi
	tn --sysroot "$tree" --topology "$topo" rollback --last --state-dir "$state"
	if [ "$rc" -eq 0 ] && ! grep -q "changed since the apply" "$work/err" &&
	   grep -q " 0 left alone (changed since), 0 skipped, 0 failed$" "$work/err"; then
		ok "killed at *$1*: rollback: $(tail -n 1 "$work/err")"
	else
		fail "killed at *$1*: rollback exit $rc:"
		show "$work/err"
	fi
	# the tree as before the apply, but for the unfinished temporary file
	stray=$(cd "$tree" && find . -name '.*.tuner-*')
	find "$tree" -name '.*.tuner-*' -delete
	snap "$tree" >"$work/snap.1"
	if cmp -s "$work/snap.0" "$work/snap.1"; then
		ok "killed at *$1*: the tree is byte for byte as before (left by the kill: ${stray:-nothing})"
	else
		fail "killed at *$1*: the tree differs from before the apply:"
		diff "$work/snap.0" "$work/snap.1" | head -n 20 | show
	fi
}

killed_at smp_affinity_list
killed_at status

# a whole apply and rollback leave no temporary file and keep every mode
fresh_tree "$work/tree"
chmod 0640 "$tree/proc/sys/net/core/netdev_budget"
snap "$tree" >"$work/snap.0"
rm -rf "$state"
tn --sysroot "$tree" --topology "$topo" apply -q --profile "$profile" --state-dir "$state"
mode=$(stat -c %a "$tree/proc/sys/net/core/netdev_budget")
stray=$(cd "$tree" && find . -name '.*.tuner-*')
if [ "$rc" -eq 0 ] && [ -z "$stray" ] && [ "$mode" = 640 ] &&
   [ "$(cat "$tree/proc/sys/net/core/netdev_budget")" = 600 ]; then
	ok "apply: no temporary file left, netdev_budget 600 with its mode 640 kept"
else
	fail "apply: exit $rc, stray files: $stray, netdev_budget mode $mode"
fi
tn --sysroot "$tree" --topology "$topo" rollback -q --last --state-dir "$state"
snap "$tree" >"$work/snap.1"
cmp -s "$work/snap.0" "$work/snap.1"
check $? "rollback: the tree byte for byte as before, modes included"

finish
