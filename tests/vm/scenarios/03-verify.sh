#!/bin/sh
# 03-verify: `tuner verify --profile P` exits 0 on the host 02-apply left;
# after one eth0 queue IRQ's smp_affinity_list is written by hand (to a CPU
# of node 0) it exits 2 and its stdout names that IRQ, and no other eth0 IRQ.
#
# Shared state (see txn.inc): needs 02's applied host and target process.
# Leaves the hand change in place, recorded in /tmp/txn/hand ("IRQ CPU"):
# 04-rollback checks that rollback leaves it alone without --force.
. /tnvm/lib.sh
. /tnvm/scenarios/txn.inc

need_state "the host as 02-apply left it" "$TX/after.dump"
node0=$(node_cpus 0)

tn verify0 verify --profile "$PROFILE"
check_eq "tuner verify exit status on the applied host" "$rc" 0

# pick an eth0 queue IRQ and a node-0 CPU that is neither its value before
# the apply nor now, so that 04 can tell "left alone" from "restored"
irq=; cpu=
while read -r i name; do
    before=$(awk -F'|' -v k="irq $i $name" '$1 == k { print $2 }' "$TX/before.dump")
    for c in $(cpulist_expand "$node0"); do
        if [ "$c" != "$before" ]; then irq=$i; cpu=$c; break; fi
    done
    [ -n "$irq" ] && break
done <<EOF
$(eth0_queue_irqs)
EOF
[ -n "$irq" ] || fatal "no eth0 queue IRQ whose value before the apply differs from a node-0 CPU"
now=$(cat /proc/irq/$irq/smp_affinity_list)
echo "+ echo $cpu > /proc/irq/$irq/smp_affinity_list   (was $now)"
echo "$cpu" > /proc/irq/$irq/smp_affinity_list || fatal "cannot write /proc/irq/$irq/smp_affinity_list"
check_eq "/proc/irq/$irq/smp_affinity_list after the hand change" "$(cat /proc/irq/$irq/smp_affinity_list)" "$cpu"
echo "$irq $cpu" > "$TX/hand"

tn verify1 verify --profile "$PROFILE"
check_eq "tuner verify exit status after the hand change" "$rc" 2
if grep -Eq "(^|[^0-9])irq $irq([^0-9]|\$)" "$TX/verify1.out"; then
    ok "verify's stdout names irq $irq"
else
    fail "verify's stdout does not name irq $irq"
fi
while read -r i name; do
    [ "$i" = "$irq" ] && continue
    ! grep -Eq "(^|[^0-9])irq $i([^0-9]|\$)" "$TX/verify1.out" ||
        fail "verify's stdout names irq $i ($name), which was not changed"
done <<EOF
$(eth0_queue_irqs)
EOF
finish
