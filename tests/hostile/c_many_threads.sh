#!/bin/sh
# Item 10 (apply's part): a process of 30000 threads. Each thread recorded was
# compared with every journal entry before it: 16 s for 30000 threads, 151 s
# for 100000. Threads are now looked up in a hash set. This runs apply and
# rollback on a tree whose process "bigthreads" has 30000 task entries, checks
# that every thread is recorded once, pinned, and restored, and prints the
# times (not asserted: the machine is shared). The tree is made on /dev/shm
# when it can be (and removed after).
#   c_many_threads.sh TUNER WORKDIR SRCDIR [SHIM] [NTHREADS]
set -u
nthreads=${5:-30000}
. "$(dirname "$0")/c_lib.sh"
state=$work/state
pid=4242

# the tree in memory, as /proc is, where there is a tmpfs: 90000 files
mem=$(mktemp -d /dev/shm/tuner-c-many-XXXXXX 2>/dev/null) || mem=$work
[ "$mem" = "$work" ] || trap 'rm -rf "$mem"' EXIT
fresh_tree "$mem/tree"
python3 - "$tree" "$pid" "$nthreads" <<'PY'
import os, sys
tree, pid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = os.path.join(tree, "proc", str(pid))

def put(rel, text):
    p = os.path.join(d, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)

def status(tid):
    return ("Name:\tbigthreads\nTgid:\t%d\nPid:\t%d\nThreads:\t%d\n"
            "Cpus_allowed:\tffffff\nCpus_allowed_list:\t0-23\n" % (pid, tid, n))

def stat(tid, start):
    return ("%d (bigthreads) S 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %d 0 %d "
            "1000000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
            % (tid, pid, pid, n, start))

put("comm", "bigthreads\n")
put("cmdline", "/usr/bin/bigthreads\0")
put("cgroup", "0::/system.slice/bigthreads.service\n")
put("status", status(pid))
put("stat", stat(pid, 5000))
for i in range(n):
    tid = pid + i
    put("task/%d/status" % tid, status(tid))
    put("task/%d/stat" % tid, stat(tid, 5000 + i))
    put("task/%d/comm" % tid, "bigthreads\n")
PY
ntask=$(ls "$tree/proc/$pid/task" | wc -l)
[ "$ntask" -eq "$nthreads" ] || fail "the tree has $ntask task entries, want $nthreads"
snap "$tree" >"$work/snap.0"
printf '{"name":"big","irqbalance":"ignore","processes":[{"match":{"comm":"bigthreads"},"placement":{"cpus":"2"}}]}\n' \
	>"$work/big.json"

rm -rf "$state"
t0=$(date +%s.%N)
tn --sysroot "$tree" --topology "$topo" apply -q --profile "$work/big.json" --state-dir "$state"
t1=$(date +%s.%N)
journal=$(ls "$state"/*.journal 2>/dev/null)
recorded=$(grep -c '"kind":"process_affinity"' "$journal" 2>/dev/null)
distinct=$(grep -o '"target":"[^"]*"' "$journal" 2>/dev/null | sort -u | wc -l)
pinned=$(find "$tree/proc/$pid/task" -name status -exec grep -l "^Cpus_allowed_list:	2$" {} + | wc -l)
if [ "$rc" -eq 0 ] && [ "$recorded" -eq "$nthreads" ] && [ "$distinct" -eq "$nthreads" ] &&
   [ "$pinned" -eq "$nthreads" ]; then
	ok "apply: $nthreads threads, each recorded once and pinned to CPU 2"
else
	fail "apply: exit $rc, $recorded records ($distinct distinct), $pinned pinned; want $nthreads"
	tail -n 5 "$work/err" | show
fi
tn --sysroot "$tree" --topology "$topo" rollback -q --last --state-dir "$state"
t2=$(date +%s.%N)
snap "$tree" >"$work/snap.1"
if [ "$rc" -eq 0 ] && cmp -s "$work/snap.0" "$work/snap.1"; then
	ok "rollback: $(tail -n 1 "$work/err" | sed 's/^tuner: //'); the tree byte for byte as before"
else
	fail "rollback: exit $rc, or the tree differs:"
	tail -n 3 "$work/err" | show
	diff "$work/snap.0" "$work/snap.1" | head -n 10 | show
fi
echo "time: apply of $nthreads threads $(echo "$t1 - $t0" | bc) s, rollback $(echo "$t2 - $t1" | bc) s"
finish
