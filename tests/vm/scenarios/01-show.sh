#!/bin/sh
# 01-show: `tuner show --json` must describe what the kernel reports:
# 2 NUMA nodes, eth0 (virtio-net, 4 queues, NUMA node 1) with its 8 queue
# IRQs, eth1 (e1000e) with its 3 IRQs. Every expectation is read from
# procfs/sysfs, then compared with the snapshot.
. /tnvm/lib.sh

J=/tmp/show.json
if ! "$TUNER" show --json > "$J" 2> /tmp/show.err; then
    cat /tmp/show.err
    fatal "tuner show --json exited non-zero"
fi
if ! jq -e . "$J" > /dev/null 2>&1; then
    head -c 2000 "$J"; echo
    fatal "tuner show --json did not print valid JSON"
fi
ok "snapshot is valid JSON ($(wc -c < "$J") bytes)"
check_eq "schema_version" "$(jq -r '.schema_version' "$J")" 1
check_eq "kind" "$(jq -r '.kind' "$J")" state

# --- NUMA topology ---------------------------------------------------------
knodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
check_eq "kernel NUMA nodes (sysfs)" "$knodes" 2
check_eq "topology.nodes | length" "$(jq '.topology.nodes | length' "$J")" "$knodes"
for d in /sys/devices/system/node/node[0-9]*; do
    id=${d##*node}
    want=$(cat "$d/cpulist")
    got=$(jq -r --argjson id "$id" '.topology.nodes[] | select(.id == $id) | .cpus' "$J")
    check_eq "node $id cpus" "$got" "$want"
done
check_eq "topology.online" "$(jq -r '.topology.online' "$J")" "$(cat /sys/devices/system/cpu/online)"

# --- eth0: virtio-net, 4 queues, node 1 -------------------------------------
nic() { jq -r --arg n "$1" ".nics[] | select(.name == \$n) | $2" "$J"; }

[ "$(jq --arg n eth0 '[.nics[] | select(.name == $n)] | length' "$J")" = 1 ] ||
    fail "eth0 not in .nics exactly once"
check_eq "kernel eth0 numa_node (PCI parent)" "$(nic_numa eth0)" 1
check_eq "eth0 .numa_node" "$(nic eth0 .numa_node)" "$(nic_numa eth0)"
check_eq "eth0 .driver" "$(nic eth0 .driver)" "$(nic_driver eth0)"
check_eq "eth0 .pci" "$(nic eth0 .pci)" "$(nic_pci eth0)"
vdev=$(basename "$(readlink -f /sys/class/net/eth0/device)")   # virtioN
check_eq "eth0 .device" "$(nic eth0 .device)" "$vdev"

# rx/tx IRQs from the snapshot: "irq kind queue" per line
nic eth0 '.irqs[] | select(.kind == "rx" or .kind == "tx") | "\(.irq) \(.kind) \(.queue)"' > /tmp/eth0.irqs
check_eq "eth0 rx/tx IRQ count" "$(wc -l < /tmp/eth0.irqs)" 8
check_eq "eth0 distinct rx/tx IRQ numbers" "$(cut -d' ' -f1 /tmp/eth0.irqs | sort -u | wc -l)" 8
while read -r irq kind queue; do
    kname=$(irq_name "$irq")
    case "$kind" in rx) dir=input ;; tx) dir=output ;; *) dir=?? ;; esac
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
[ "$(jq --arg n eth1 '[.nics[] | select(.name == $n)] | length' "$J")" = 1 ] ||
    fail "eth1 not in .nics exactly once"
check_eq "kernel eth1 driver" "$(nic_driver eth1)" e1000e
check_eq "eth1 .driver" "$(nic eth1 .driver)" e1000e
kset=""
for nm in eth1-rx-0 eth1-tx-0 eth1; do
    kirq=$(irq_by_name "$nm")
    if [ -z "$kirq" ]; then fail "kernel has no IRQ named $nm (is eth1 up?)"; continue; fi
    kset="$kset $kirq"
done
kset=$(echo $kset | tr ' ' '\n' | sort -n | tr '\n' ' ')
sset=$(nic eth1 '.irqs[].irq' | sort -n | tr '\n' ' ')
check_eq "eth1 IRQ numbers (snapshot vs /proc/interrupts eth1-rx-0/eth1-tx-0/eth1)" "$sset" "$kset"
for pair in "eth1-rx-0 rx" "eth1-tx-0 tx"; do
    set -- $pair
    kirq=$(irq_by_name "$1")
    [ -n "$kirq" ] || continue
    check_eq "eth1 IRQ $kirq ($1) kind" \
        "$(nic eth1 ".irqs[] | select(.irq == $kirq) | .kind")" "$2"
done

finish
