#!/bin/sh
# Issue 15 part A, hostile inputs of RPS/XPS:
#  - journals (tests/hostile/rps_journals): a queue target naming a path
#    outside its queue directory, a mask that is a CPU list or holds a newline,
#    a key of another kind, a flow count or sysctl that is not an integer: each
#    refused naming J1.journal:2 before anything is written; the controls with
#    well-formed values are obeyed.
#  - sysfs queue files of the tree: a FIFO (never blocks), a mask that is not
#    one, a line of 100 kB, a negative flow count, a symbolic link out of the
#    tree: each left alone with a warning naming the file (the link resolves
#    inside the tree, where there is nothing), the others planned.
#  - a snapshot (--state) with a mask that is not one: refused with its path.
#   rps_inputs.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/c_lib.sh"
journal_setup rps_journals

refused() {
	craft_journal "$journals/$1.journal" "$state/J1.journal"
	rollback_refused "$1" "$2"
	tree_unchanged "$1"
}

refused rps-target-dotdot 'rps_cpus target "\.\./\.\./\.\./etc/rx-0" is not acceptable'
refused rps-target-tx 'rps_cpus target "eth1/tx-0" is not acceptable'
refused rps-target-subdir 'rps_cpus target "eth1/rx-0/\.\./\.\./x" is not acceptable'
refused rps-mask-list 'eth1/rx-0: before "1-3" is not a CPU mask'
refused rps-mask-newline 'eth1/rx-0: before "00000e\\x0a1" is not a CPU mask'
refused rps-key 'eth1/rx-0: key "\.\./rps_cpus" is not one of this kind'
refused flow-cnt-shell 'eth1/rx-0: before "512;x" is not an integer'
refused xps-key 'eth1/tx-0: key "rps_cpus" is not one of this kind'
refused sock-flow-words 'net.core.rps_sock_flow_entries: before "1 2" is not an integer'

obeyed() {
	craft_journal "$journals/$1.journal" "$state/J1.journal"
	tng rollback --state-dir "$state" J1
	got=$(cat "$tree/$2")
	if [ "$rc" -eq 0 ] && [ "$got" = "$3" ]; then
		ok "$1: a well-formed journal is obeyed: $2 = $got"
	else
		fail "$1: exit $rc, $2 = \"$got\" (want \"$3\"): the refusals above test nothing"
		show "$work/err"
	fi
	fresh_tree "$work/tree"
	rm -f "$state"/*
}
obeyed rps-control sys/class/net/eth1/queues/rx-0/rps_cpus 00000e
obeyed xps-control sys/class/net/eth1/queues/tx-3/xps_cpus 000100

# ---- hostile queue files ----
q=$tree/sys/class/net/eth1/queues
rm "$q/rx-0/rps_cpus" && mkfifo "$q/rx-0/rps_cpus"
echo zz >"$q/rx-1/rps_cpus"
python3 -c "print('0' * 100000)" >"$q/rx-2/rps_cpus"
echo -5 >"$q/rx-4/rps_flow_cnt"
rm "$q/rx-5/rps_cpus" && ln -s /etc/passwd "$q/rx-5/rps_cpus"
cat >"$work/p.json" <<'JSON'
{"name": "x", "irqbalance": "ignore", "interfaces": [{"match": {"name": "eth1"},
 "rps": {"cpus": "1-3", "flow_entries": 4096}}]}
JSON
chmod 600 "$work/p.json"
start=$(date +%s)
tng plan --profile "$work/p.json"
took=$(($(date +%s) - start))
[ "$rc" -eq 2 ] && [ "$took" -lt 20 ] && ok "plan with hostile queue files: exit 2 in ${took}s" ||
	{ fail "plan with hostile queue files: exit $rc after ${took}s"; show "$work/err"; }
for w in 'rx-0/rps_cpus: not a regular file or not text; left alone' 'rx-1/rps_cpus: not a CPU mask; left alone' \
	'rx-2/rps_cpus: a line longer than any value of it; left alone' \
	'rx-4/rps_flow_cnt: not a flow count (0 to 2147483647); left alone'; do
	grep -qF "$w" "$work/err" && ok "warned: $w" || { fail "no warning: $w"; show "$work/err"; }
done
planned=$(grep -o 'eth1 rx-[0-9] rps_cpus' "$work/out" | tr '\n' ' ')
[ "$planned" = "eth1 rx-3 rps_cpus eth1 rx-4 rps_cpus eth1 rx-6 rps_cpus eth1 rx-7 rps_cpus " ] &&
	ok "only the sound masks are planned: $planned" || { fail "planned: $planned"; show "$work/out"; }
grep -q 'eth1 rx-4 rps_flow_cnt' "$work/out" && fail "rx-4's bad flow count was planned" ||
	ok "rx-4's bad flow count is left alone"

# ---- a snapshot with a mask that is not one ----
fresh_tree "$work/tree"
tng show --json
sed 's/"rps_cpus":[[:space:]]*"000000"/"rps_cpus": "0-3"/' "$work/out" >"$work/state.json"
chmod 600 "$work/state.json"
tn plan --state "$work/state.json" --profile "$work/p.json"
grep -q 'nics\[0\]\.rps\[0\]\.rps_cpus: expected a CPU mask' "$work/err" && [ "$rc" -eq 1 ] &&
	ok "snapshot with a CPU list for a mask: $(head -n 1 "$work/err")" ||
	{ fail "snapshot with a bad mask: exit $rc"; show "$work/err"; }
finish
