# Helpers for VM scenario scripts (busybox sh). Source with:
#   . /tnvm/lib.sh
# A scenario passes when it exits 0. Use fail() to record a failure and keep
# going (so one run reports every problem), then end with finish().
# The first "FAIL: ..." line becomes the reason on the RESULT line.

TUNER=${TUNER:-/usr/bin/tuner}
FAILS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok()   { echo "ok: $*"; }
note() { echo "note: $*"; }

# check_eq WHAT GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1 = $3"; else fail "$1: got '$2', want '$3'"; fi
}

# stop now (for when nothing after this can be meaningful)
fatal() { fail "$*"; finish; }

finish() {
    if [ "$FAILS" -eq 0 ]; then exit 0; fi
    echo "$FAILS failure(s)"
    exit 1
}

# run CMD...: run a command, show it and its output, return its status
run() {
    echo "+ $*"
    "$@"
}

# /proc/interrupts helpers. Lines look like
#  38:   12   0   0   0  PCI-MSIX-0000:81:00.0   1-edge   virtio0-input.0
# irq_name N  -> the action name of IRQ N (last field), empty if none
irq_name() {
    awk -v n="$1" '$1 == n":" { print $NF; exit }' /proc/interrupts
}
# irq_by_name NAME -> the IRQ number whose action name is NAME
irq_by_name() {
    awk -v nm="$1" '$1 ~ /^[0-9]+:$/ && $NF == nm { sub(":", "", $1); print $1; exit }' /proc/interrupts
}

# sysfs helpers
# nic_driver IF -> kernel driver name of the NIC's device
nic_driver() { basename "$(readlink -f "/sys/class/net/$1/device/driver")"; }
# nic_pci IF -> PCI address of the NIC (the device itself, or its PCI parent
# for virtio where the netdev hangs off virtioN)
nic_pci() {
    d=$(readlink -f "/sys/class/net/$1/device")
    case "${d##*/}" in
        virtio*) d=${d%/*} ;;
    esac
    echo "${d##*/}"
}
# nic_numa IF -> numa_node the kernel reports for the NIC's PCI device
nic_numa() { cat "/sys/bus/pci/devices/$(nic_pci "$1")/numa_node"; }
