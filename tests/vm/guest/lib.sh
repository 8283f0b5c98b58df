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

# --- tuner JSON snapshots, flattened once (jq costs ~0.3 s a call under TCG)
# snap_load FILE: flatten a `tuner show --json` snapshot into $SNAP_FLAT,
# one "key<TAB>value" line per scalar. Arrays of named things are keyed by
# name so keys read naturally:
#   nics.eth0.numa_node            1
#   nics.eth0.irqs.26.kind         rx        (irqs keyed by IRQ number)
#   topology.nodes.1.cpus          2-3       (nodes keyed by id)
#   sysctls.net.core.netdev_budget 300
# plus _nic_names (space-separated, in order, duplicates kept),
# _nic_count and _node_count. Values: strings raw, others as JSON (null, 1).
SNAP_FLAT=${SNAP_FLAT:-/tmp/snap.flat}
snap_load() {
    jq -r '
      def keyed(f): map({key: (f | tostring), value: .}) | from_entries;
      (.nics // []) as $nics | (.topology.nodes // []) as $nodes
      | (if .topology then .topology.nodes = ($nodes | keyed(.id)) else . end)
      | .nics = ($nics | map(.irqs = ((.irqs // []) | keyed(.irq))) | keyed(.name))
      | (["_nic_names", ($nics | map(.name) | join(" "))],
         ["_nic_count", ($nics | length)],
         ["_node_count", ($nodes | length)],
         (paths(type != "object" and type != "array") as $p
           | [($p | map(tostring) | join(".")), getpath($p)]))
      | "\(.[0])\t\(.[1] | if type == "string" then gsub("\n"; "\\n") else tojson end)"
    ' "$1" > "$SNAP_FLAT"
}
# snap KEY: the value at KEY (empty if absent)
snap() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$SNAP_FLAT"; }
# snap_has KEY: true if KEY is present
snap_has() { awk -F'\t' -v k="$1" '$1 == k { f = 1; exit } END { exit !f }' "$SNAP_FLAT"; }
# snap_keys PREFIX: the distinct next key components under PREFIX, in order
# (e.g. snap_keys nics.eth0.irqs -> the IRQ numbers)
snap_keys() {
    awk -F'\t' -v p="$1." 'index($1, p) == 1 { r = substr($1, length(p) + 1); sub(/\..*/, "", r); if (!(r in s)) { s[r] = 1; print r } }' "$SNAP_FLAT"
}

# --- CPU lists as the kernel prints them ("0-1,3") --------------------------
# cpulist_expand LIST -> one CPU number a line
cpulist_expand() {
    echo "$1" | awk -F, '{ for (i = 1; i <= NF; i++) { n = split($i, r, "-");
        lo = r[1] + 0; hi = (n > 1 ? r[2] : r[1]) + 0;
        if ($i !~ /^[0-9]+(-[0-9]+)?$/) { print "bad"; continue }
        for (c = lo; c <= hi; c++) print c } }'
}
# cpulist_within LIST SUPER: true if LIST is non-empty and every CPU of LIST
# is in SUPER
cpulist_within() {
    [ -n "$1" ] || return 1
    awk -v a="$(cpulist_expand "$1" | tr '\n' ' ')" -v b="$(cpulist_expand "$2" | tr '\n' ' ')" '
        BEGIN { n = split(b, s, " "); for (i = 1; i <= n; i++) in_b[s[i]] = 1
                n = split(a, s, " "); if (!n) exit 1
                for (i = 1; i <= n; i++) if (!(s[i] in in_b)) exit 1; exit 0 }'
}
# node_cpus N -> the CPU list of NUMA node N (sysfs)
node_cpus() { cat "/sys/devices/system/node/node$1/cpulist"; }

# ring_cur IF -> "RX TX": the current ring sizes `ethtool -g` reports
ring_cur() {
    ethtool -g "$1" 2>/dev/null | awk '/^Pre-set maximums/ {s="max"} /^Current hardware/ {s="cur"}
        s == "cur" && /^RX:/ {r=$2} s == "cur" && /^TX:/ {t=$2} END {print r, t}'
}
