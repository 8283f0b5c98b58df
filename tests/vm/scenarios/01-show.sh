#!/bin/sh
# 01-show: `tuner show --json` must describe what the kernel reports:
# 2 NUMA nodes, eth0 (virtio-net, 4 queues, NUMA node 1) with its 8 queue
# IRQs, eth1 (e1000e) with its 3 IRQs, and per-NIC MTU, queue counts, ring
# sizes and IRQ affinities. Every expectation is read from procfs, sysfs or
# ethtool, then compared with the snapshot.
. /tnvm/lib.sh

# IRQ affinities as the kernel reports them, read just before and just after
# the snapshot: on x86 without interrupt remapping an MSI's effective
# affinity only moves when the IRQ next fires, so it can legitimately change
# while tuner runs. Only values that were stable across the run are compared.
irq_affinities() {
    for d in /proc/irq/[0-9]*; do
        a=; e=
        read -r a < $d/smp_affinity_list 2>/dev/null
        read -r e < $d/effective_affinity_list 2>/dev/null
        echo "${d##*/} $a $e"
    done
}
irq_affinities > /tmp/aff.before

J=/tmp/show.json
if ! "$TUNER" show --json > "$J" 2> /tmp/show.err; then
    cat /tmp/show.err
    fatal "tuner show --json exited non-zero"
fi
irq_affinities > /tmp/aff.after
if ! snap_load "$J" 2> /tmp/jq.err; then
    cat /tmp/jq.err; head -c 2000 "$J"; echo
    fatal "tuner show --json did not print valid JSON"
fi
ok "snapshot is valid JSON ($(wc -c < "$J") bytes)"
check_eq "schema_version" "$(snap schema_version)" 1
check_eq "kind" "$(snap kind)" state

# --- NUMA topology ---------------------------------------------------------
knodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
check_eq "kernel NUMA nodes (sysfs)" "$knodes" 2
check_eq "topology.nodes | length" "$(snap _node_count)" "$knodes"
for d in /sys/devices/system/node/node[0-9]*; do
    id=${d##*node}
    check_eq "node $id cpus" "$(snap topology.nodes.$id.cpus)" "$(cat "$d/cpulist")"
done
check_eq "topology.online" "$(snap topology.online)" "$(cat /sys/devices/system/cpu/online)"
# Without nohz_full= on the command line, Debian's kernels print the mask as
# "(null)" (CONFIG_CPUMASK_OFFSTACK): no CPU, and nothing to warn about.
if [ -r /sys/devices/system/cpu/nohz_full ]; then
    kn=$(cat /sys/devices/system/cpu/nohz_full)
    note "kernel nohz_full: '$kn'"
    [ "$kn" = "(null)" ] && kn=
    check_eq "topology.nohz_full" "$(snap topology.nohz_full)" "$kn"
fi
if grep -q nohz_full /tmp/show.err; then fail "tuner show warned about nohz_full: $(cat /tmp/show.err)"; else ok "no warning about nohz_full"; fi

# --- eth0: virtio-net, 4 queues, node 1 -------------------------------------
count_name() { echo " $(snap _nic_names) " | awk -v n="$1" '{ c = 0; for (i = 1; i <= NF; i++) if ($i == n) c++; print c }'; }
check_eq "eth0 entries in .nics" "$(count_name eth0)" 1
check_eq "kernel eth0 numa_node (PCI parent)" "$(nic_numa eth0)" 1
check_eq "eth0 .numa_node" "$(snap nics.eth0.numa_node)" "$(nic_numa eth0)"
check_eq "eth0 .driver" "$(snap nics.eth0.driver)" "$(nic_driver eth0)"
check_eq "eth0 .pci" "$(snap nics.eth0.pci)" "$(nic_pci eth0)"
vdev=$(basename "$(readlink -f /sys/class/net/eth0/device)")   # virtioN
check_eq "eth0 .device" "$(snap nics.eth0.device)" "$vdev"

# rx/tx IRQs from the snapshot: "irq kind queue" per line
: > /tmp/eth0.irqs
for irq in $(snap_keys nics.eth0.irqs); do
    kind=$(snap nics.eth0.irqs.$irq.kind)
    case "$kind" in rx|tx) echo "$irq $kind $(snap nics.eth0.irqs.$irq.queue)" >> /tmp/eth0.irqs ;; esac
done
check_eq "eth0 rx/tx IRQ count" "$(wc -l < /tmp/eth0.irqs)" 8
while read -r irq kind queue; do
    kname=$(irq_name "$irq")
    case "$kind" in rx) dir=input ;; tx) dir=output ;; esac
    want="$vdev-$dir.$queue"
    if [ -z "$kname" ]; then
        fail "eth0 IRQ $irq ($kind $queue) is not in /proc/interrupts"
    elif [ "$kname" != "$want" ]; then
        fail "eth0 IRQ $irq is '$kname' in /proc/interrupts, snapshot says $kind queue $queue (want $want)"
    else
        ok "eth0 IRQ $irq = $kname"
    fi
done < /tmp/eth0.irqs
# and the other way round: every queue IRQ the kernel has for eth0 is listed
for q in 0 1 2 3; do
    for dir in input output; do
        kirq=$(irq_by_name "$vdev-$dir.$q")
        if [ -z "$kirq" ]; then
            fail "kernel has no IRQ named $vdev-$dir.$q"
        elif ! cut -d' ' -f1 /tmp/eth0.irqs | grep -qx "$kirq"; then
            fail "kernel IRQ $kirq ($vdev-$dir.$q) missing from eth0 rx/tx IRQs in snapshot"
        fi
    done
done

# --- eth1: e1000e ------------------------------------------------------------
check_eq "eth1 entries in .nics" "$(count_name eth1)" 1
check_eq "kernel eth1 driver" "$(nic_driver eth1)" e1000e
check_eq "eth1 .driver" "$(snap nics.eth1.driver)" e1000e
kset=""
for nm in eth1-rx-0 eth1-tx-0 eth1; do
    kirq=$(irq_by_name "$nm")
    if [ -z "$kirq" ]; then fail "kernel has no IRQ named $nm (is eth1 up?)"; continue; fi
    kset="$kset $kirq"
done
kset=$(echo $kset | tr ' ' '\n' | sort -n | tr '\n' ' ')
sset=$(snap_keys nics.eth1.irqs | sort -n | tr '\n' ' ')
check_eq "eth1 IRQ numbers (snapshot vs /proc/interrupts eth1-rx-0/eth1-tx-0/eth1)" "$sset" "$kset"
for pair in "eth1-rx-0 rx" "eth1-tx-0 tx"; do
    set -- $pair
    kirq=$(irq_by_name "$1")
    [ -n "$kirq" ] || continue
    check_eq "eth1 IRQ $kirq ($1) kind" "$(snap nics.eth1.irqs.$kirq.kind)" "$2"
done
check_eq "kernel eth1 PCI numa_node" "$(nic_numa eth1)" -1
check_eq "eth1 .numa_node" "$(snap nics.eth1.numa_node)" null

# --- per-NIC facts the kernel reports the same way for both NICs -----------
for n in eth0 eth1; do
    check_eq "$n .mtu" "$(snap nics.$n.mtu)" "$(cat /sys/class/net/$n/mtu)"
    check_eq "$n .rx_queues" "$(snap nics.$n.rx_queues)" "$(ls -d /sys/class/net/$n/queues/rx-* | wc -l)"
    check_eq "$n .tx_queues" "$(snap nics.$n.tx_queues)" "$(ls -d /sys/class/net/$n/queues/tx-* | wc -l)"
    # ring sizes as `ethtool -g` reports them
    ethtool -g "$n" > /tmp/ring.$n 2>&1 || { cat /tmp/ring.$n; fail "ethtool -g $n failed"; continue; }
    kring=$(awk '/^Pre-set maximums/ {s="max"} /^Current hardware/ {s="cur"}
                 s != "" && /^RX:/ {r[s]=$2} s != "" && /^TX:/ {t[s]=$2}
                 END {print r["cur"], r["max"], t["cur"], t["max"]}' /tmp/ring.$n)
    check_eq "$n .ring rx rx_max tx tx_max (vs ethtool -g)" \
        "$(snap nics.$n.ring.rx) $(snap nics.$n.ring.rx_max) $(snap nics.$n.ring.tx) $(snap nics.$n.ring.tx_max)" "$kring"
    # every IRQ's affinity as /proc/irq/N/ reports it (when it was stable)
    cmp=0; total=0
    for irq in $(snap_keys nics.$n.irqs); do
        total=$((total + 1))
        aff=$(snap nics.$n.irqs.$irq.affinity); eff=$(snap nics.$n.irqs.$irq.effective)
        b=$(awk -v i="$irq" '$1 == i { print $2, $3 }' /tmp/aff.before)
        a=$(awk -v i="$irq" '$1 == i { print $2, $3 }' /tmp/aff.after)
        if [ -z "$a" ]; then fail "$n IRQ $irq: no /proc/irq/$irq"; continue; fi
        if [ "$b" != "$a" ]; then
            note "$n IRQ $irq: kernel affinity changed during the snapshot ('$b' -> '$a'); not compared"
            continue
        fi
        set -- $a
        [ "$aff" = "$1" ] || fail "$n IRQ $irq affinity: snapshot '$aff', /proc/irq/$irq/smp_affinity_list '$1'"
        [ "$eff" = "$2" ] || fail "$n IRQ $irq effective: snapshot '$eff', /proc/irq/$irq/effective_affinity_list '$2'"
        cmp=$((cmp + 1))
    done
    ok "$n: $cmp of $total IRQ affinities compared with /proc/irq"
done

if [ "$FAILS" -gt 0 ]; then
    echo "snapshot:"
    jq -c . "$J" | fold -w 400
fi
finish
