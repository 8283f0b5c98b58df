#!/bin/sh
# 15-napi: queue->NAPI->IRQ from netdev-genl (queue-get, napi-get; Linux
# 6.8+), issue 15 part B. On 6.1 the family has no such commands: both NICs
# keep the IRQ name table (no queue_source in the snapshot, no napi_id, no
# netdev-genl warning). On 6.12, a NIC whose driver links its queues to NAPIs
# with IRQs gets queue_source "netdev-genl", and each linked IRQ a napi_id
# and the kind and queue its /proc/interrupts name says (virtioN-input.Q: rx
# queue Q, virtioN-output.Q: tx queue Q; eth1-rx-0 / eth1-tx-0); a NIC whose
# driver does not link them keeps the name table. What each driver does is
# printed (note:) for the record. Read-only: changes nothing.
. /tnvm/lib.sh

W=/tmp/napi
rm -rf "$W"
mkdir -p "$W"
echo "+ tuner show --json"
"$TUNER" show --json > "$W/show.json" 2> "$W/show.err"
rc=$?
sed 's/^/    ! /' "$W/show.err"
check_eq "tuner show --json exit status" "$rc" 0
snap_load "$W/show.json"

major=$(uname -r | cut -d. -f1); minor=$(uname -r | cut -d. -f2)
genl=0
[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 8 ]; } && genl=1

# want_kind NAME -> "KIND QUEUE" the IRQ name says, or "other -"
want_kind() {
    case "$1" in
        virtio*-input.*)  echo "rx ${1##*.}" ;;
        virtio*-output.*) echo "tx ${1##*.}" ;;
        *-rx-*)           echo "rx ${1##*-}" ;;
        *-tx-*)           echo "tx ${1##*-}" ;;
        *)                echo "other -" ;;
    esac
}

for nic in eth0 eth1; do
    src=$(snap "nics.$nic.queue_source")
    linked=0
    for irq in $(snap_keys "nics.$nic.irqs"); do
        napi=$(snap "nics.$nic.irqs.$irq.napi_id")
        [ -n "$napi" ] || continue
        linked=$((linked + 1))
        name=$(snap "nics.$nic.irqs.$irq.name")
        set -- $(want_kind "$name")
        kind=$(snap "nics.$nic.irqs.$irq.kind"); queue=$(snap "nics.$nic.irqs.$irq.queue")
        note "$nic: IRQ $irq ($name) on NAPI $napi: $kind queue $queue"
        case "$kind" in "$1"|txrx) ;; *) fail "$nic IRQ $irq ($name): kind $kind, its name says $1" ;; esac
        check_eq "$nic IRQ $irq ($name) queue" "$queue" "$2"
    done
    if [ "$linked" -gt 0 ]; then
        check_eq "$nic queue_source ($linked IRQs linked)" "$src" netdev-genl
        [ "$genl" = 1 ] || fail "$nic: netdev-genl links on $(uname -r), before 6.8"
        note "$nic ($(nic_driver "$nic")) links its queues to NAPIs with IRQs on $(uname -r)"
    else
        check_eq "$nic queue_source (nothing linked)" "$src" ""
        note "$nic ($(nic_driver "$nic")) links no queue to a NAPI with an IRQ on $(uname -r)"
    fi
done
if grep -q "netdev-genl" "$W/show.err"; then
    fail "tuner show warned about netdev-genl: $(grep netdev-genl "$W/show.err" | head -n 1)"
fi
finish
