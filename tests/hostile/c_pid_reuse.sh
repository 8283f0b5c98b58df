#!/bin/sh
# Item 13: a pid names whatever process holds it now. tuner records a process
# as PID@START (field 22 of /proc/PID/stat) and each thread as TID@START, and
# checks them, and the comm, before every write and at rollback: another
# process with the pid is "the process exited", skipped, and said plainly.
#   (a) rollback after redis-server exited and sshd got its pid
#   (b) rollback after the process exec'd another program (same start, new comm)
#   (c) rollback after a thread exited and a new one got its tid
#   (d) apply, with the process swapped between the plan and the first write
#   (e) a journal of the older form (PID/TID, no start times): its process
#       records are skipped, saying why; everything else is restored
#   c_pid_reuse.sh TUNER WORKDIR SRCDIR SHIM
set -u
. "$(dirname "$0")/c_lib.sh"
state=$work/state
other=$hostile/c_other_process.py

apply() {
	rm -rf "$state"
	tng apply -q --profile "$profile" --state-dir "$state"
	if [ "$rc" -ne 0 ]; then
		fail "$1: apply exit $rc"
		show "$work/err"
	fi
	journal=$(ls "$state"/*.journal)
}
# dirsum DIR: the files of DIR and their content
dirsum() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs md5sum); }
odd=1,3,5,7,9,11,13,15,17,19,21,23

# ---- (a) redis-server exited, sshd has pid 1187 ----
fresh_tree "$work/tree"
snap "$tree" >"$work/snap.0"
apply "(a)"
python3 "$other" "$tree" 1187 .sshd sshd 999999 "$odd"
mv "$tree/proc/1187" "$tree/proc/.redis" && mv "$tree/proc/.sshd" "$tree/proc/1187"
dirsum "$tree/proc/1187" >"$work/sshd.0"
tng rollback --last --state-dir "$state"
dirsum "$tree/proc/1187" >"$work/sshd.1"
n=$(grep -c "redis-server 1187/[0-9]* CPUs: skipped: the process or thread exited: pid 1187 is another process now (started at 999999, not [0-9]*)" "$work/err")
if [ "$rc" -eq 0 ] && [ "$n" -eq 4 ] && cmp -s "$work/sshd.0" "$work/sshd.1" &&
   grep -q ", 4 skipped, 0 failed$" "$work/err"; then
	ok "(a) sshd with redis-server's pid is left alone: $(grep -m 1 'CPUs: skipped' "$work/err")"
else
	fail "(a) rollback exit $rc, $n of 4 threads skipped as another process; sshd's files:"
	diff "$work/sshd.0" "$work/sshd.1" | show
	show "$work/err"
fi
mv "$tree/proc/1187" "$tree/proc/.sshd" && mv "$tree/proc/.redis" "$tree/proc/1187"
rm -rf "$tree/proc/.sshd"
for irq in $(ls "$tree/proc/irq" | grep '^[0-9]'); do
	cmp -s "$tree/proc/irq/$irq/smp_affinity_list" "$work/pristine/proc/irq/$irq/smp_affinity_list" ||
		{ fail "(a) irq $irq not restored"; break; }
done
cmp -s "$tree/proc/sys/net/core/netdev_budget" "$work/pristine/proc/sys/net/core/netdev_budget"
check $? "(a) the IRQs and sysctls of the same journal are restored"

# ---- (b) the process exec'd: same pid and start time, another comm ----
fresh_tree "$work/tree"
apply "(b)"
echo bash >"$tree/proc/1187/comm"
dirsum "$tree/proc/1187" >"$work/b.0"
tng rollback --last --state-dir "$state"
dirsum "$tree/proc/1187" >"$work/b.1"
n=$(grep -c "CPUs: skipped: .*pid 1187 is \"bash\" now, not \"redis-server\"" "$work/err")
if [ "$rc" -eq 0 ] && [ "$n" -eq 4 ] && cmp -s "$work/b.0" "$work/b.1"; then
	ok "(b) after an exec (comm bash) its threads are left alone: $(grep -m 1 'CPUs: skipped' "$work/err")"
else
	fail "(b) rollback exit $rc, $n of 4 threads skipped for the comm:"
	show "$work/err"
fi

# ---- (c) thread 1190 exited and a new thread got its tid ----
fresh_tree "$work/tree"
apply "(c)"
st=$tree/proc/1187/task/1190/stat
python3 - "$st" <<'PY'
import sys
p = sys.argv[1]
f = open(p).read()
head, rest = f[:f.rindex(")") + 2], f[f.rindex(")") + 2:].split()
rest[19] = "777777"
open(p, "w").write(head + " ".join(rest) + "\n")
PY
tng rollback --last --state-dir "$state"
if [ "$rc" -eq 0 ] &&
   grep -q "1187/1190 CPUs: skipped: .*thread 1190 is another thread now (started at 777777, not [0-9]*)" "$work/err" &&
   [ "$(status_list "$tree/proc/1187/task/1190/status")" = "$odd" ] &&
   [ "$(status_list "$tree/proc/1187/task/1191/status")" = 0-23 ] &&
   grep -q ": .* 1 skipped, 0 failed$" "$work/err"; then
	ok "(c) the new thread 1190 is left alone, the other threads restored"
else
	fail "(c) rollback exit $rc; 1190: $(status_list "$tree/proc/1187/task/1190/status"), 1191: $(status_list "$tree/proc/1187/task/1191/status")"
	show "$work/err"
fi

# ---- (d) swapped between the plan and the first write ----
fresh_tree "$work/tree"
python3 "$other" "$tree" 1187 .sshd sshd 999999 0-23
dirsum "$tree/proc/.sshd" >"$work/d.0"
rm -rf "$state"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	TN_SHIM_SWAP="$tree/proc/1187:$tree/proc/.sshd" LD_PRELOAD=$shim \
	"$tuner" --sysroot "$tree" --topology "$topo" apply --profile "$profile" \
	--state-dir "$state" >"$work/out" 2>"$work/err"
rc=$?
sanitizer "$work/err" "apply under the shim"
dirsum "$tree/proc/1187" >"$work/d.1"
if [ "$(cat "$tree/proc/.sshd/comm")" != redis-server ]; then
	fail "(d) the shim did not swap the processes: this case tests nothing"
	show "$work/err"
elif [ "$rc" -eq 0 ] && cmp -s "$work/d.0" "$work/d.1" &&
     grep -q "redis-server 1187 CPUs: skipped: the process exited: pid 1187 is another process now (started at 999999, not [0-9]*)" "$work/err" &&
     ! grep -q '"kind":"process_affinity"' "$state"/*.journal; then
	ok "(d) apply skips the process that got the planned pid: $(grep 'CPUs: skipped' "$work/err")"
else
	fail "(d) apply exit $rc; sshd's files (want unchanged):"
	diff "$work/d.0" "$work/d.1" | show
	show "$work/err"
fi

# ---- (e) a journal of the older form ----
fresh_tree "$work/tree"
apply "(e)"
sed -i 's/"target":"\([0-9]*\)@[0-9]*\/\([0-9]*\)@[0-9]*"/"target":"\1\/\2"/' "$journal"
grep -q '"target":"1187/1190"' "$journal" || fail "(e) the journal was not rewritten to the older form"
tng rollback --last --state-dir "$state"
n=$(grep -c "redis-server 1187/[0-9]* CPUs: skipped: .*no start time on record for pid 1187" "$work/err")
if [ "$rc" -eq 0 ] && [ "$n" -eq 4 ] &&
   [ "$(status_list "$tree/proc/1187/task/1190/status")" = "$odd" ] &&
   cmp -s "$tree/proc/sys/net/core/netdev_budget" "$work/pristine/proc/sys/net/core/netdev_budget"; then
	ok "(e) an older journal: its 4 thread records skipped, the rest restored: $(grep -m 1 'CPUs: skipped' "$work/err")"
else
	fail "(e) rollback exit $rc, $n of 4 thread records skipped for want of a start time"
	show "$work/err"
fi

finish
