#!/bin/sh
# 18-stacked: a rule naming a VLAN or a bond (no IRQs of their own) is told
# what it is and the NIC below it, from what a real kernel shows: the NICs'
# upper_* links (walked up: a VLAN on a VLAN on eth1), uevent's DEVTYPE, and
# bonding_masters (a bond with no slave; the file itself is no net device and
# must not be warned about). A bridge of veths alone is not looked at. The
# devices are made here and deleted at the end; no NIC is enslaved.
. /tnvm/lib.sh

W=/tmp/stacked
rm -rf "$W"
mkdir -p "$W"
ip link add link eth1 name eth1.5 type vlan id 5 || fatal "vlan eth1.5 not made"
ip link add link eth1.5 name eth1.5.7 type vlan id 7 || fatal "vlan eth1.5.7 not made"
# loading bonding made bond0 already (max_bonds=1)
[ -e /sys/class/net/bond0 ] || ip link add bond0 type bond || fatal "bond0 not made"
ip link add vb0 type veth peer name vb1 || fatal "veth pair not made"
ip link add br0 type bridge || fatal "bridge br0 not made"
ip link set vb0 master br0 || fatal "vb0 not put in br0"
note "eth1's links: $(ls /sys/class/net/eth1 | grep -E '^(upper|lower)_' | tr '\n' ' ')"
note "eth1.5 uevent: $(grep DEVTYPE /sys/class/net/eth1.5/uevent)"
note "bonding_masters: $(cat /sys/class/net/bonding_masters)"

cat > "$W/profile.json" <<'P'
{"name": "vm-stacked", "irqbalance": "ignore",
 "interfaces": [{"match": {"name": "eth1.5.7"}, "irq": {}},
                {"match": {"name": "bond0"}, "irq": {}},
                {"match": {"name": "br0"}, "irq": {}}]}
P
"$TUNER" plan --profile "$W/profile.json" > "$W/plan.out" 2> "$W/plan.err"
rc=$?
sed 's/^/    ! /' "$W/plan.err"
case $rc in 0|2) ok "tuner plan exit status $rc" ;; *) fail "tuner plan exit status $rc" ;; esac
want() {
    if grep -qF "$1" "$W/plan.err"; then ok "plan says: $1"; else fail "plan does not say: $1"; fi
}
want "interfaces[0] (name eth1.5.7) matches no NIC of this host: eth1.5.7 (vlan) has no IRQs of its own; match the NIC below it instead: eth1"
want "interfaces[1] (name bond0) matches no NIC of this host: bond0 (bond) has no IRQs of its own, and no NIC below it"
if grep -q "interfaces\[2\] (name br0) matches no NIC of this host$" "$W/plan.err"; then
    ok "br0 (a bridge of veths alone): the plain message"
else
    fail "br0: not the plain message"
fi
if grep -q bonding_masters "$W/plan.err"; then
    fail "bonding_masters warned about"
else
    ok "bonding_masters (a file in /sys/class/net) is not warned about"
fi

"$TUNER" show --json > "$W/show.json" 2>/dev/null
check_eq "show --json: stacked devices" \
    "$(jq -c '[.stacked[] | [.name, .kind, .lower]]' "$W/show.json")" \
    '[["bond0","bond",[]],["eth1.5","vlan",["eth1"]],["eth1.5.7","vlan",["eth1.5"]]]'

ip link del br0
ip link del vb0
ip link del eth1.5.7
ip link del eth1.5
ip link del bond0
