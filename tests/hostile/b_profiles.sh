#!/bin/sh
# Area b, what profiles may say: sysctls outside net.*, cmdline regexes,
# process matches by user, and input that used to be accepted silently (NUL
# escapes, duplicate keys, garbage CPU lists). Each profile here is read as an
# attacker would write it; trees are copies built by mkfixture.py, nothing of
# this machine is read for a plan or written.
#   b_profiles.sh TUNER SRCDIR WORKDIR
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 TUNER SRCDIR WORKDIR" >&2
	exit 64
fi
tuner=$1 src=$2 work=$3
here=$src/tests/hostile
topodir=$src/../shared/fixtures/topology
topo=$topodir/24em64t-2n6c2t-pci.xml
t=$work/t
passes=0 fails=0
mkdir -p "$work"

ok() { printf 'ok: %s\n' "$*"; passes=$((passes + 1)); }
fail() { printf 'FAIL: %s\n' "$*"; fails=$((fails + 1)); }
show() { sed 's/^/    /' "$@"; }
# tn ARGS...: run tuner; $rc, $work/out, $work/err
tn() {
	"$tuner" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	if grep -q "AddressSanitizer\|runtime error" "$work/err"; then
		fail "sanitizer report from tuner $*"
		show "$work/err"
	fi
}
# expect NAME EXIT REGEX: the last tn exited EXIT with a stderr line matching REGEX
expect() {
	if [ "$rc" -eq "$2" ] && { [ -z "$3" ] || grep -Eq -- "$3" "$work/err"; }; then
		ok "$1: $(head -n 1 "$work/err")"
	else
		fail "$1: exit $rc (want $2), stderr (want /$3/):"
		show "$work/err"
	fi
}
# out_has NAME REGEX: a line of the last tn's stdout matches
out_has() {
	if grep -Eq -- "$2" "$work/out"; then ok "$1"; else fail "$1: no /$2/ in stdout:"; show "$work/out"; fi
}
# procs FILE: the pids of the process_affinity changes of a plan --json
procs() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted({c["target"].split("@")[0] for c in d["changes"] if c["kind"] == "process_affinity"})))' "$1"
}
plan() { tn plan --sysroot "$t" --topology "$topo" "$@"; }

# A 24em64t tree, plus: redis-server run by uid 1000 (pid 4242), a command
# line of 4500 bytes then "needle" (5555), /etc/passwd, and two sysctls
# outside net.*.
python3 - "$src/tests/fixtures/specs/24em64t.json" "$work/spec.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["extra_processes"] = [
    {"pid": 4242, "comm": "redis-server", "cmdline": ["redis-server", "*:6380"], "uid": 1000,
     "cgroup": "/user.slice/user-1000.slice/session-3.scope"},
    {"pid": 5555, "comm": "longcmd", "cmdline": ["/usr/bin/longcmd", "a" * 4500, "needle"],
     "uid": 1000, "cgroup": "/user.slice/user-1000.slice/session-3.scope"},
]
s.setdefault("files", {}).update({
    "etc/passwd": ["root:x:0:0:root:/root:/bin/bash",
                   "redis:x:112:119::/var/lib/redis:/usr/sbin/nologin",
                   "alice:x:1000:1000:Alice:/home/alice:/bin/bash"],
    "proc/sys/vm/swappiness": "60\n",
    "proc/sys/kernel/core_pattern": "core\n",
})
json.dump(s, open(sys.argv[2], "w"))
EOF
fresh() {
	rm -rf "$t" "$work/state"
	python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" "$work/spec.json" "$t" \
		>/dev/null || { echo "FAIL: mkfixture"; exit 1; }
	chmod 644 "$t/etc/passwd"
}
fresh

echo "== item 2: sysctls outside net.*"
tn profile validate "$here/b_core_pattern.json"
expect "kernel.core_pattern refused" 1 \
	'b_core_pattern.json:6:5: sysctl\["kernel.core_pattern"\]: names a program the kernel runs as root: tuner never sets it$'
tn apply --sysroot "$t" --topology "$topo" --state-dir "$work/state" --profile "$here/b_core_pattern.json"
expect "apply of it refused" 1 'kernel.core_pattern'
if [ "$(cat "$t/proc/sys/kernel/core_pattern")" = core ] &&
   [ "$(cat "$t/proc/sys/net/core/netdev_budget")" = 300 ]; then
	ok "the tree's core_pattern and netdev_budget are untouched"
else
	fail "the tree was changed: core_pattern '$(cat "$t/proc/sys/kernel/core_pattern")'"
fi
tn profile validate "$here/b_core_pattern_allowed.json"
expect "kernel.core_pattern refused even in allow_sysctls" 1 \
	'b_core_pattern_allowed.json:4:21: allow_sysctls\[0\]: "kernel.core_pattern" names a program'
tn profile validate "$here/b_outside_net.json"
expect "vm.swappiness without the opt-in" 1 \
	'b_outside_net.json:6:5: sysctl\["vm.swappiness"\]: outside net\.\*: tuner sets networking sysctls only, unless the profile lists this name in "allow_sysctls"$'
tn profile validate "$here/b_allowed.json"
expect "vm.swappiness with the opt-in" 0 ""
out_has "validate names it" '^  sets sysctls outside net\.\* \(allow_sysctls\): vm\.swappiness$'
# the same in JSON, with a bad profile beside it: an object each, the error in it
tn profile validate --json "$here/b_allowed.json" "$here/b_outside_net.json"
if [ "$rc" -eq 1 ] && python3 - "$work/out" <<'EOF'
import json, sys
a, b = json.load(open(sys.argv[1]))
assert a["valid"] is True and a["outside_net"] == ["vm.swappiness"], a
assert a["sysctls"] == 2 and a["interface_rules"] == 0 and a["warnings"] == [], a
assert b["valid"] is False and "outside_net" not in b, b
assert b["error"].endswith('outside net.*: tuner sets networking sysctls only, unless the '
                          'profile lists this name in "allow_sysctls"'), b
EOF
then ok "validate --json: an object per profile, the allowed sysctl named, the error of the bad one"
else fail "validate --json (exit $rc):"; show "$work/out"; fi
plan --profile "$here/b_allowed.json"
expect "plan of it" 2 ""
out_has "plan flags it" "^  vm\.swappiness: 60 -> 10 \[outside net\.\*: allowed by the profile's allow_sysctls\]$"
out_has "plan does not flag net.*" '^  net\.core\.netdev_budget: 300 -> 600$'
if grep -q "$(printf '\033')" "$work/out"; then fail "colour in piped output"; else ok "no colour in piped output"; fi
if command -v script >/dev/null; then
	script -qec "'$tuner' plan --sysroot '$t' --topology '$topo' --profile '$here/b_allowed.json'" \
		/dev/null </dev/null >"$work/tty" 2>&1
	if grep -q "$(printf '\033')\[1;31m\[outside net" "$work/tty"; then
		ok "in red on a terminal"
	else
		fail "not in red on a terminal:"; show "$work/tty"
	fi
else
	echo "not checked: colour on a terminal (no script(1))"
fi
plan --profile "$here/b_allowed.json" --json
if grep -q '"note":.*outside net' "$work/out"; then ok "plan --json has the note"; else fail "plan --json: no note"; fi

echo "== item 12: cmdline regexes"
tn profile validate "$here/b_backref.json"
expect "back-references refused" 1 'b_backref.json:5:27: processes\[0\]\.match\.cmdline: cmdline regex .*: back-reference \\5: not allowed'
tn profile validate "$here/b_backref_mem.json"
expect "(a*)*\\1b refused" 1 'back-reference \\1: not allowed'
plan --profile "$here/b_cmdline_long.json" --json
expect "a word past 4096 bytes is not seen" 0 'processes\[0\] \(cmdline needle\): no process matches'
[ -z "$(procs "$work/out")" ] && ok "nothing placed" || fail "placed: $(procs "$work/out")"
# control: the same process is found by what is in its first 4096 bytes
printf '{"name": "c", "processes": [{"match": {"cmdline": "^/usr/bin/longcmd a"}, "placement": {"nodes": [1]}}]}' \
	>"$work/control.json"
plan --profile "$work/control.json" --json
[ "$(procs "$work/out")" = 5555 ] && ok "control: found by its first bytes" ||
	fail "control: placed '$(procs "$work/out")', want 5555"

echo "== item 14: process matches by user"
for p in b_user_name b_user_uid; do
	plan --profile "$here/$p.json" --json
	expect "$p: plan" 2 ""
	[ "$(procs "$work/out")" = 1187 ] && ok "$p: only redis's redis-server (1187), not uid 1000's (4242)" ||
		fail "$p: placed '$(procs "$work/out")', want 1187"
done
plan --profile "$here/b_user_any.json" --json
[ "$(procs "$work/out")" = "1187 4242" ] && ok "without user: any user's redis-server (as documented)" ||
	fail "without user: placed '$(procs "$work/out")', want 1187 4242"
tn apply --sysroot "$t" --topology "$topo" --state-dir "$work/state" --profile "$here/b_user_name.json"
expect "apply with user" 0 ""
if grep -q '^Cpus_allowed_list:	0-23$' "$t/proc/4242/status" &&
   ! grep -q '^Cpus_allowed_list:	0-23$' "$t/proc/1187/status"; then
	ok "apply pinned 1187 and left 4242 alone"
else
	fail "apply: 1187 $(grep Cpus_allowed_list "$t/proc/1187/status"), 4242 $(grep Cpus_allowed_list "$t/proc/4242/status")"
fi
fresh
tn show --sysroot "$t" --topology "$topo" --process comm:redis-server --json
cp "$work/out" "$work/state.json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if {p["pid"]: p["uid"] for p in d["processes"]} == {1187: 112, 4242: 1000} else 1)' "$work/state.json" &&
	ok "show records each process's uid" || fail "show: uids wrong"
tn plan --state "$work/state.json" --profile "$here/b_user_uid.json" --json
[ "$(procs "$work/out")" = 1187 ] && ok "--state: matched by the snapshot's uid" ||
	fail "--state: placed '$(procs "$work/out")', want 1187"
plan --profile "$here/b_user_unknown.json"
expect "unknown user" 1 \
	'b_user_unknown.json: processes\[0\]\.match\.user: no user "nosuchuser" in .*/t/etc/passwd$'
chmod 666 "$t/etc/passwd"
plan --profile "$here/b_user_name.json"
expect "a world-writable passwd is not trusted" 1 'etc/passwd: writable by others \(mode 0666\): not trusted$'
chmod 644 "$t/etc/passwd"
rm "$t/etc/passwd"; mkfifo "$t/etc/passwd"
plan --profile "$here/b_user_name.json"
expect "a FIFO as passwd: refused, no hang" 1 'etc/passwd: not a regular file$'
fresh

echo "== item 17: silent acceptance"
tn profile validate "$here/b_nul_key.json"
expect "NUL in a sysctl key" 1 'b_nul_key.json:5:28: \\u0000 \(a NUL character\) in a string: it would cut the string short$'
tn profile validate "$here/b_nul_dir.json"
expect "NUL after a sysctl directory" 1 'b_nul_dir.json:5:14: \\u0000 \(a NUL character\)'
tn profile validate "$here/b_dup_placement.json"
expect "duplicate key in placement" 1 'b_dup_placement.json:5:69: processes\[0\]\.placement\.nodes: duplicate key$'
plan --profile "$here/b_sysctl_dir.json"
expect "a sysctl directory" 1 'sysctl net\.core: proc/sys/net/core is a directory of settings, not a setting$'
printf 'zz\n' >"$t/sys/devices/system/cpu/online"
tn show --sysroot "$t" --topology "$topo" --json
expect "garbage online" 0 \
	'warning: .*/t/sys/devices/system/cpu/online: "zz" is not a CPU list; every CPU of the topology is taken as online$'
printf '0-3,x\n' >"$t/proc/irq/49/smp_affinity_list"
printf '99999\n' >"$t/sys/devices/system/cpu/isolated"
tn show --sysroot "$t" --topology "$topo" --json
expect "garbage smp_affinity_list" 0 \
	'warning: .*/t/proc/irq/49/smp_affinity_list: "0-3,x" is not a CPU list; taken as unknown$'
expect "isolated beyond the CPU limit" 0 \
	'warning: .*/t/sys/devices/system/cpu/isolated: "99999" is not a CPU list \(CPU number too large\); no CPU is taken as isolated$'

# Debian's kernels (CONFIG_CPUMASK_OFFSTACK) print "(null)" for the nohz_full
# mask when nohz_full= was not given: no CPU, and nothing to warn about.
printf '(null)\n' >"$t/sys/devices/system/cpu/nohz_full"
tn show --sysroot "$t" --topology "$topo" --json
expect "nohz_full \"(null)\": no warning" 0 ''
if grep -q nohz_full "$work/err"; then fail "nohz_full \"(null)\" warned:"; show "$work/err"; fi
if python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["topology"]["nohz_full"] != "")' "$work/out"; then
	ok "nohz_full \"(null)\" is no CPU"
else
	fail "nohz_full \"(null)\": snapshot's topology.nohz_full is not empty"
fi
printf '(null)x\n' >"$t/sys/devices/system/cpu/nohz_full"
tn show --sysroot "$t" --topology "$topo" --json
expect "nohz_full \"(null)x\" is still refused" 0 \
	'warning: .*/t/sys/devices/system/cpu/nohz_full: "\(null\)x" is not a CPU list; no CPU is taken as nohz_full$'
rm "$t/sys/devices/system/cpu/nohz_full"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
