#!/bin/sh
# Bad input: missing, unreadable or garbage /proc and /sys files, a NIC that
# vanishes during discovery, a topology that does not load. Each must give one
# clear message naming the file, a non-zero exit, and no crash (this runs under
# ASan/UBSan in CI).
#   bad_input.sh TUNER MKFIXTURE_DIR TOPOLOGY_DIR WORKDIR
set -u
tuner=$1 fxdir=$2 topodir=$3 work=$4
spec=$fxdir/specs/24em64t.json
topo=$topodir/24em64t-2n6c2t-pci.xml
fails=0 passes=0

fresh() {
	rm -rf "$work/t"
	python3 "$fxdir/mkfixture.py" --topology-dir "$topodir" "$spec" "$work/t" >/dev/null
}

# expect NAME EXIT PATTERN -- command...: exit status and a stderr line matching PATTERN
expect() {
	name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$work/out" 2>"$work/err"
	got=$?
	if [ "$got" -ne "$want" ] || { [ -n "$pattern" ] && ! grep -Eq "$pattern" "$work/err"; } ||
	   grep -q "AddressSanitizer\|runtime error" "$work/err"; then
		echo "FAIL: $name: exit $got (want $want), stderr:"
		sed 's/^/    /' "$work/err"
		fails=$((fails + 1))
	else
		echo "ok: $name: $(head -n 1 "$work/err")"
		passes=$((passes + 1))
	fi
}

mkdir -p "$work"
run() { "$tuner" show --json --sysroot "$work/t" --topology "$topo"; }

fresh; rm "$work/t/proc/interrupts"
expect "missing /proc/interrupts" 1 "^tuner: .*/t/proc/interrupts: No such file or directory$" -- run

fresh; printf 'garbage\n' >"$work/t/proc/interrupts"
expect "garbage header" 1 "^tuner: .*/proc/interrupts: line 1: expected a header of CPU columns$" -- run

fresh; printf '  CPU0 CPU1\n 24: 1 2 chip 1-edge ok\n 25: x y\n' >"$work/t/proc/interrupts"
expect "garbage row" 1 "^tuner: .*/proc/interrupts: line 3: malformed interrupt row$" -- run

fresh; head -c 3000 /dev/urandom >"$work/t/proc/interrupts"
expect "binary garbage" 1 "^tuner: .*/proc/interrupts: " -- run

fresh; chmod 000 "$work/t/proc/interrupts"
if [ "$(id -u)" -ne 0 ]; then
	expect "unreadable /proc/interrupts" 1 "proc/interrupts: Permission denied" -- run
else
	# root reads anything: drop to nobody for this one
	chmod 755 "$work"
	if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$tuner"; then
		echo "not checked: unreadable file (user nobody cannot run $tuner here)"
	else
	expect "unreadable /proc/interrupts" 1 "proc/interrupts: Permission denied" -- \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$tuner" show --json --sysroot "$work/t" --topology "$topo"
	fi
fi

fresh; rm -r "$work/t/sys/class/net"
expect "missing sys/class/net" 1 "^tuner: .*/t/sys/class/net: No such file or directory$" -- run

# a NIC that vanishes: its class link is there, its device tree is gone
fresh; rm -r "$work/t/sys/devices/pci0000:00/0000:00:01.0/0000:04:00.1/net/eth1" 2>/dev/null ||
	rm -r "$(dirname "$(readlink -f "$work/t/sys/class/net/eth1")")/eth1"
expect "vanished NIC" 0 "^tuner: warning: eth1: vanished during discovery$" -- run
grep -q '"name":	"eth1"' "$work/out" && { echo "FAIL: vanished eth1 still listed"; fails=$((fails + 1)); }

# missing per-NIC files: reported as unknown, not fatal
fresh; for f in "$work"/t/proc/irq/*/smp_affinity_list; do rm "$f"; done
expect "missing smp_affinity_list" 0 "" -- run
grep -q '"affinity":	null' "$work/out" || { echo "FAIL: affinity not null"; fails=$((fails + 1)); }

fresh; printf '<topology>' >"$work/bad.xml"
expect "broken XML" 1 "^tuner: .*/bad.xml: not an hwloc XML topology$" -- \
	"$tuner" show --sysroot "$work/t" --topology "$work/bad.xml"
expect "missing XML" 1 "^tuner: .*/none.xml: cannot read the topology: No such file or directory$" -- \
	"$tuner" show --sysroot "$work/t" --topology "$work/none.xml"
expect "missing sysroot" 1 "^tuner: --sysroot $work/none: No such file or directory$" -- \
	"$tuner" show --sysroot "$work/none" --topology "$topo"
printf '{"schema_version": 1,' >"$work/state.json"
expect "broken state" 1 "^tuner: .*/state.json:1:22: JSON syntax error$" -- \
	"$tuner" show --state "$work/state.json"
expect "state with sysroot" 64 "cannot be combined" -- \
	"$tuner" show --state "$work/state.json" --sysroot "$work/t"
expect "unknown option" 64 "unknown option '--frobnicate'" -- "$tuner" show --frobnicate
expect "unknown command" 64 "unknown command 'frobnicate'" -- "$tuner" frobnicate

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
