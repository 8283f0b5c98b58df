#!/bin/sh
# Item 3: rollback writes what a journal says, so every value of a journal is
# checked for its kind when it is loaded: CPU lists for IRQs and threads, node
# lists for memory, one or three integers for the sysctls tuner knows and plain
# words for the others, sizes for rings and channels, irqbalance's states and
# IRQ lists; and the key of each kind. Each journal of tests/hostile/c_journals
# is refused naming its file and line, before anything is written; the
# controls with well-formed values are obeyed. apply, too, records nothing
# that a rollback would refuse.
#   c_journal_values.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/c_lib.sh"
journal_setup c_journals

# refused NAME PATTERN: rollback of journal NAME exits 1 naming J1.journal:2
# with PATTERN; the tree and the journal are as they were
refused() {
	craft_journal "$journals/$1.journal" "$state/J1.journal"
	jsum=$(md5sum <"$state/J1.journal")
	rollback_refused "$1" "$2"
	tree_unchanged "$1"
	[ "$(md5sum <"$state/J1.journal")" = "$jsum" ] || fail "$1: the journal was written to"
	tng history --state-dir "$state"
	grep -q "^J1 .*damaged: .*J1\.journal:2: " "$work/out" ||
		fail "$1: history does not list the journal as damaged: $(cat "$work/out")"
}

refused irq-shell 'irq_affinity 48: before "garbage;rm -rf /" is not a CPU list'
refused irq-empty 'irq_affinity 48: before "" is not a CPU list'
refused irq-cpu-range 'before "0-9000" is not a CPU list'
refused irq-mask 'before "ffffff" is not a CPU list'
refused irq-key 'irq_affinity 48: key "smp_affinity" is not one of this kind'
refused irq-number 'irq_affinity target "99999999999" is not acceptable'
refused sysctl-int 'net.core.netdev_budget: before "300;reboot" is not an integer'
refused sysctl-negative 'net.core.netdev_budget: before "-1" is not an integer 0 to 2147483647'
refused sysctl-triple 'net.ipv4.tcp_rmem: before "4096 131072" is not three integers'
refused sysctl-words 'net.core.somaxconn: before "\|/tmp/evil %p" is not words'
refused sysctl-newline 'net.core.somaxconn: before "1\\x0a2" is not words'
refused thread-list 'process_affinity 1187@58070/1190@58072: before "0-3 x" is not a CPU list'
refused thread-target 'process_affinity target "1187@58070/1190@" is not acceptable'
refused memory-nodes 'process_memory 1187@58070: before "0-2000" is not a NUMA node list'
refused memory-thread 'process_memory target "1187@58070/1190@58072" is not acceptable'
refused ring-size 'ring eth0: before "4096;x" is not a size'
refused ring-key 'ring eth0: key "rx/../x" is not one of this kind'
refused channels-size 'channels eth0: before "-4" is not a size'
refused irqbalance-list 'irqbalance irqbalance: before "48,49;x" is not "none" or IRQ numbers'
refused irqbalance-running 'irqbalance irqbalance: before "maybe" is not "running" or "stopped"'

# ---- controls: values of their kind's form are restored ----
# obeyed NAME FILE WANT: rollback of NAME exits 0 and FILE (in the tree) holds WANT
obeyed() {
	craft_journal "$journals/$1.journal" "$state/J1.journal"
	tng rollback --state-dir "$state" J1
	got=$(tr '\t' ' ' <"$tree/$2")
	if [ "$rc" -eq 0 ] && [ "$got" = "$3" ]; then
		ok "$1: a well-formed journal is obeyed: $2 = $got"
	else
		fail "$1: exit $rc, $2 = \"$got\" (want \"$3\"): the refusals above test nothing"
		show "$work/err"
	fi
	fresh_tree "$work/tree"
}
obeyed ok-irq proc/irq/48/smp_affinity_list 2-3

# ---- a status's error: read whole up to 4096 bytes (tuner writes up to ~1.2 KB:
# "read back LIST, not LIST" of long CPU lists, the kernel's words), refused past
# that. Before, one over 255 made the journal "damaged": no rollback of it ----
# long_error N: J1 (ok-irq's change) failed with an error of N bytes
long_error() {
	awk -v n="$1" 'NR <= 2 { print; next }
		NR == 3 { printf "{\"seq\":0,\"status\":\"failed\",\"error\":\"read back ";
			  for (i = 10; i < n; i++) printf "x"; print "\"}" }
		END { print "{\"end\":\"failed\"}" }' "$journals/ok-irq.journal" >"$work/long.journal"
	craft_journal "$work/long.journal" "$state/J1.journal"
}
long_error 1500
tng history --state-dir "$state"
if [ "$rc" -eq 0 ] && grep -q '^J1 .*failed' "$work/out" && ! grep -q damaged "$work/out"; then
	ok "a failure's error of 1500 bytes: the journal is read (history: $(grep '^J1' "$work/out"))"
else
	fail "a failure's error of 1500 bytes: history exit $rc: $(cat "$work/out" "$work/err")"
fi
tng rollback --state-dir "$state" J1
got=$(cat "$tree/proc/irq/48/smp_affinity_list")
[ "$rc" -eq 0 ] && [ "$got" = 2-3 ] &&
	ok "a failure's error of 1500 bytes: its journal is rolled back (IRQ 48 = $got)" ||
	{ fail "rollback of the journal with a long error: exit $rc, IRQ 48 = $got"; show "$work/err"; }
fresh_tree "$work/tree"
long_error 5000
tng history --state-dir "$state"
grep -q '^J1 .*damaged: .*J1\.journal:3: error: longer than 4096 characters' "$work/out" &&
	ok "a status's error over 4096 bytes: the journal is refused, naming its line" ||
	fail "an error of 5000 bytes: $(cat "$work/out" "$work/err")"
rm -f "$state/J1.journal"
obeyed ok-sysctl-triple proc/sys/net/ipv4/tcp_rmem "4096 87380 6291456"
obeyed ok-sysctl-words proc/sys/net/core/somaxconn 1024

# ---- apply records nothing a rollback would refuse ----
printf 'cubic\n' >"$tree/proc/sys/net/ipv4/tcp_congestion_control"
snap "$tree" >"$work/snap.cc"
printf '{"name":"cc","irqbalance":"ignore","sysctl":{"net.core.netdev_budget":{"min":600},"net.ipv4.tcp_congestion_control":"cubic;reboot"}}\n' \
	>"$work/cc.json"
rm -rf "$work/state-cc"
tng apply --profile "$work/cc.json" --state-dir "$work/state-cc"
snap "$tree" >"$work/snap.now"
if [ "$rc" -eq 1 ] && cmp -s "$work/snap.cc" "$work/snap.now" &&
   ! grep -rqs 'cubic;reboot' "$work/state-cc"; then
	ok "apply of a value a rollback would refuse: exit 1, nothing written or recorded: $(grep -m 1 'cubic' "$work/err")"
else
	fail "apply of \"cubic;reboot\": exit $rc (want 1, the tree and the journal without it):"
	show "$work/err"
	diff "$work/snap.cc" "$work/snap.now" | head -n 10 | show
fi

finish
