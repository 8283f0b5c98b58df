#!/bin/sh
# Issue 15 part B: a journal's coalesce records are checked when it is loaded,
# like every kind's (tests/hostile/c_journal_values.sh): adaptive_rx "on" or
# "off", the others a u32, keys rx_usecs, rx_frames, tx_usecs, adaptive_rx, a
# NIC name as the target. Each of tests/hostile/coal_journals is refused
# naming its file and line, before anything is done; the well-formed one is
# loaded and its restore reaches the kind (unreachable under --sysroot: said).
#   coal_journal.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/c_lib.sh"
journal_setup coal_journals

refused() {
	craft_journal "$journals/$1.journal" "$state/J1.journal"
	rollback_refused "$1" "$2"
}

refused adaptive-word 'coalesce eth0: before "1" is not "on" or "off"'
refused usecs-big 'coalesce eth0: before "4294967296" is not a size'
refused usecs-shell 'coalesce eth0: before "8;reboot" is not a size'
refused key 'coalesce eth0: key "tx_frames" is not one of this kind'
refused target 'coalesce target "../eth0" is not acceptable'

# the control: loaded, and its restore reaches the kind, which says that
# coalescing is not reachable under --sysroot
craft_journal "$journals/ok.journal" "$state/J1.journal"
tng rollback --state-dir "$state" J1
if grep -q "is refused" "$work/err"; then
	fail "ok: a well-formed coalesce record was refused:"
	show "$work/err"
elif grep -q "not reachable under --sysroot" "$work/err"; then
	ok "ok: loaded; $(grep -m 1 'not reachable' "$work/err" | cut -c 1-140)"
else
	fail "ok: exit $rc, want the kind's sysroot refusal; stderr:"
	show "$work/err"
fi
finish
