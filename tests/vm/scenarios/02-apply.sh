#!/bin/sh
# 02-apply: `tuner apply` of a profile with every kind of change this guest
# supports: eth0's queue IRQs on its own node (node 1), eth1's rx ring to
# 4096, five sysctls, and a multithreaded process (tnvm-threads, started
# here) on the opposite node (node 0). Checked against the kernel:
# smp_affinity_list of every eth0 queue IRQ within node 1's CPUs, the
# sysctls, `ethtool -g eth1`, every thread's Cpus_allowed_list within node
# 0's CPUs, and nothing else moved (eth0's config IRQ, eth1's IRQs, eth1's tx
# ring).
#
# Shared state (see txn.inc): starts the chain 02-06. Leaves the host
# applied, the target process running, and in /tmp/txn the profile,
# before.dump (the kernel values before the apply), after.dump and count
# (how many kernel values the apply changed).
. /tnvm/lib.sh
. /tnvm/scenarios/txn.inc

rm -rf "$TX"
mkdir -p "$TX" "${SD%/*}"

node0=$(node_cpus 0); node1=$(node_cpus 1)
check_eq "node 0 CPUs" "$node0" 0-1
check_eq "node 1 CPUs" "$node1" 2-3
check_eq "eth0 NUMA node" "$(nic_numa eth0)" 1

# --- the target process: 4 threads besides the main one, sleeping ----------
tnvm-threads "$THREADS_N" 900 > "$TX/threads.out" 2>&1 &
i=0
while [ $i -lt 200 ] && ! [ -s "$TX/threads.out" ]; do sleep 0.05; i=$((i + 1)); done
pid=$(head -n 1 "$TX/threads.out")
case "$pid" in ''|*[!0-9]*) cat "$TX/threads.out"; fatal "tnvm-threads did not start" ;; esac
echo "$pid" > "$TX/pid"
ntask=$(ls /proc/$pid/task | wc -l)
check_eq "tnvm-threads (pid $pid) tasks in /proc/$pid/task" "$ntask" $((THREADS_N + 1))
check_eq "comm of pid $pid" "$(cat /proc/$pid/comm)" tnvm-threads

# --- the profile ------------------------------------------------------------
write_profile
tn validate profile validate "$PROFILE"
check_eq "tuner profile validate exit status" "$rc" 0

# --- before -----------------------------------------------------------------
kdump "$TX/before.dump"
echo "kernel values before the apply:"
sed 's/^/    /' "$TX/before.dump"
# the dump itself: every IRQ of both NICs (eth0: 8 queues + config; eth1:
# rx, tx, link), the 5 sysctls, 2 rings, 5 threads, and no empty value;
# the later scenarios compare against it
check_eq "IRQ lines in the dump" "$(grep -c '^irq ' "$TX/before.dump")" 12
check_eq "sysctl lines in the dump" "$(grep -c '^sysctl ' "$TX/before.dump")" 5
check_eq "ring lines in the dump" "$(grep -c '^ring ' "$TX/before.dump")" 2
check_eq "thread lines in the dump" "$(grep -c '^task [0-9]' "$TX/before.dump")" $((THREADS_N + 1))
if grep -q -e '|$' -e '^irq [0-9]* |' "$TX/before.dump"; then
    fail "the dump has empty values: $(grep -e '|$' -e '^irq [0-9]* |' "$TX/before.dump" | head -n 2 | tr '\n' ';')"
fi
# every value the profile sets must differ from the kernel's own, or the
# apply (and the rollbacks later) would prove nothing about it
for k in $SYSCTLS; do
    cur=$(awk -F'|' -v k="sysctl $k" '$1 == k { print $2 }' "$TX/before.dump")
    [ "$cur" != "$(want_sysctl "$k")" ] || fail "$k is already $cur before the apply: pick another profile value"
done
set -- $(ring_cur eth1)
rx0=$1; tx0=$2
[ "$rx0" != "$RING_RX" ] || fail "eth1 rx ring is already $RING_RX before the apply"
for t in /proc/$pid/task/*; do
    c=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "$t/status")
    ! cpulist_within "$c" "$node0" || fail "thread ${t##*/} is already within node 0 ($c) before the apply"
done

# --- apply ------------------------------------------------------------------
tn apply apply --profile "$PROFILE" --state-dir "$SD"
[ "$rc" -eq 0 ] || fatal "tuner apply exited $rc, want 0"
ok "tuner apply exited 0"
kdump "$TX/after.dump"

# eth0: every queue IRQ within node 1 (smp_affinity_list: effective moves
# only on the next interrupt, and eth0 has no traffic)
eth0_queue_irqs > "$TX/eth0.irqs"
check_eq "eth0 queue IRQs in /proc/interrupts" "$(wc -l < "$TX/eth0.irqs")" 8
while read -r irq name; do
    a=$(cat /proc/irq/$irq/smp_affinity_list)
    if cpulist_within "$a" "$node1"; then
        ok "irq $irq $name: smp_affinity_list $a within node 1 ($node1)"
    else
        fail "irq $irq $name: smp_affinity_list $a, not within node 1 ($node1)"
    fi
done < "$TX/eth0.irqs"

# sysctls
for k in $SYSCTLS; do
    check_eq "/proc/sys/$(echo "$k" | tr . /)" "$(echo $(cat "/proc/sys/$(echo "$k" | tr . /)"))" "$(want_sysctl "$k")"
done

# eth1 rings: rx to 4096, tx as it was
set -- $(ring_cur eth1)
check_eq "ethtool -g eth1: current RX" "$1" "$RING_RX"
check_eq "ethtool -g eth1: current TX (not in the profile)" "$2" "$tx0"

# the process: every thread within node 0, none lost
ntask=0
for t in /proc/$pid/task/*; do
    ntask=$((ntask + 1))
    c=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "$t/status")
    if cpulist_within "$c" "$node0"; then
        ok "thread ${t##*/}: Cpus_allowed_list $c within node 0 ($node0)"
    else
        fail "thread ${t##*/}: Cpus_allowed_list $c, not within node 0 ($node0)"
    fi
done
check_eq "tnvm-threads tasks after the apply" "$ntask" $((THREADS_N + 1))

# nothing the profile does not ask for moved: eth0's non-queue IRQ
# (virtioN-config), eth1's IRQs (no irq rule), both before and after the ring
# change the driver made
kdiff "$TX/before.dump" "$TX/after.dump" > "$TX/apply.diff"
echo "kernel values the apply changed:"
sed 's/^/    /' "$TX/apply.diff"
grep -v -e '^irq [0-9]* virtio[0-9]*-input\.' -e '^irq [0-9]* virtio[0-9]*-output\.' \
    -e '^sysctl ' -e '^ring eth1 rx:' -e '^task ' "$TX/apply.diff" > "$TX/apply.extra"
if [ -s "$TX/apply.extra" ]; then
    fail "the apply changed values the profile does not ask for: $(head -n 2 "$TX/apply.extra" | tr '\n' ';')"
else
    ok "nothing else changed (eth0 config IRQ, eth1 IRQs, eth1 tx ring)"
fi
wc -l < "$TX/apply.diff" | tr -d ' ' > "$TX/count"
note "the apply changed $(cat "$TX/count") kernel values"
finish
