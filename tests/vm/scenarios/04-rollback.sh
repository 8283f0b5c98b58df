#!/bin/sh
# 04-rollback: `tuner rollback --last` restores every value recorded before
# 02's apply, except the eth0 IRQ 03-verify changed by hand since: that one
# is left alone (changed since the apply). `rollback --last --force` then
# restores it too. A third rollback changes nothing. Compared with the
# kernel's values before the apply (before.dump): IRQ affinities of eth0 and
# eth1, the sysctls, eth1's rings, every thread's Cpus_allowed_list.
#
# Shared state (see txn.inc): needs 02's applied host with 03's hand change
# (/tmp/txn/hand). Leaves the host as it was before 02's apply.
. /tnvm/lib.sh
. /tnvm/scenarios/txn.inc

[ -f "$TX/hand" ] || fatal "no /tmp/txn/hand: 03-verify did not change an IRQ by hand"
read -r hirq hcpu < "$TX/hand"
# expected now: after.dump with the hand change; after the first rollback:
# before.dump with the hand change
awk -F'|' -v i="$hirq" -v c="$hcpu" '{ split($1, f, " ") } f[1] == "irq" && f[2] == i { $0 = $1 "|" c } 1' \
    "$TX/after.dump" > "$TX/after-hand.dump"
awk -F'|' -v i="$hirq" -v c="$hcpu" '{ split($1, f, " ") } f[1] == "irq" && f[2] == i { $0 = $1 "|" c } 1' \
    "$TX/before.dump" > "$TX/before-hand.dump"
need_state "02's apply with 03's hand change (irq $hirq on CPU $hcpu)" "$TX/after-hand.dump"

tn rb1 rollback --last --state-dir "$SD"
check_eq "tuner rollback --last exit status" "$rc" 0
kexpect "after rollback --last: every value as before the apply, irq $hirq still on CPU $hcpu (changed since the apply)" \
    "$TX/before-hand.dump"
check_eq "/proc/irq/$hirq/smp_affinity_list (left alone without --force)" \
    "$(cat /proc/irq/$hirq/smp_affinity_list)" "$hcpu"

tn rb2 rollback --last --force --state-dir "$SD"
check_eq "tuner rollback --last --force exit status" "$rc" 0
kexpect "after rollback --last --force: every value as before the apply" "$TX/before.dump"

tn rb3 rollback --last --state-dir "$SD"
check_eq "a third tuner rollback --last: exit status" "$rc" 0
kexpect "after a third rollback: still every value as before the apply" "$TX/before.dump"
finish
