#!/bin/sh
# 05-crash: `tuner apply` dies in the middle (TUNER_FAULT=K:exit: _exit(99)
# just before change K's write; K:exit-after: just after it), then
# `tuner rollback --last` restores every value to what the kernel reported
# before (before.dump), the eth1 ring included (the ring goes first in the
# plan, so it was changed before the crash).
#
# Each journaled change sets one kernel value, in journal order, after the
# held records of eth1's IRQs (H of them, first: eth1's ring changes; they set
# nothing), so a crash at K leaves exactly K-H values changed (exit) or K-H+1
# (exit-after); 02 counted how many values a whole apply changes
# (/tmp/txn/count) and its journal holds H. K=H+5 (exit) and K=H+count-2
# (exit-after) are used.
#
# Shared state (see txn.inc): needs the host as before 02's apply (04 leaves
# it so), the target process and 02's profile. Leaves the host as before.
. /tnvm/lib.sh
. /tnvm/scenarios/txn.inc

need_state "the host as before 02's apply" "$TX/before.dump"
count=$(cat "$TX/count" 2>/dev/null)
case "$count" in ''|*[!0-9]*) fatal "no change count from 02-apply" ;; esac
[ "$count" -ge 8 ] || fatal "02's apply changed only $count values; too few to crash in the middle"

# the held records of 02's apply (its journal is the oldest)
held=$(grep -c '"key":"held"' "$(ls "$SD"/*.journal | head -n 1)")
check_eq "held records in 02's journal (eth1's IRQs with an affinity)" "$held" 3

crash() {   # crash K WHAT
    local k=$1 what=$2 nwant
    case "$what" in exit) nwant=$((k - held)) ;; exit-after) nwant=$((k - held + 1)) ;; esac
    echo "+ export TUNER_FAULT=$k:$what"
    export TUNER_FAULT=$k:$what
    tn crash-$k apply --profile "$PROFILE" --state-dir "$SD"
    unset TUNER_FAULT
    check_eq "K=$k $what: tuner apply exit status" "$rc" 99
    kdump "$TX/crash-$k.dump"
    kdiff "$TX/before.dump" "$TX/crash-$k.dump" > "$TX/crash-$k.diff"
    echo "kernel values changed before the crash:"
    sed 's/^/    /' "$TX/crash-$k.diff"
    check_eq "K=$k $what: kernel values changed before the crash" "$(wc -l < "$TX/crash-$k.diff" | tr -d ' ')" "$nwant"
    set -- $(ring_cur eth1)
    check_eq "K=$k $what: ethtool -g eth1 current RX after the crash (the ring goes first)" "$1" "$RING_RX"

    tn crash-$k-rb rollback --last --state-dir "$SD"
    check_eq "K=$k $what: tuner rollback --last exit status" "$rc" 0
    kexpect "K=$k $what: after rollback --last, every value as before" "$TX/before.dump"
}

crash $((held + 5)) exit
crash $((held + count - 2)) exit-after
finish
