#!/bin/sh
# 08-boot: `tuner apply --boot` waits for the profile's links on rtnetlink
# events, and a NIC that appears later is tuned again (the hotplug path).
#  a. virtio_net and e1000e unloaded (no NIC at all): a profile matching all
#     NICs, --boot --wait-links 2, times out with exit 4 after about 2 s and
#     changes nothing; virtio_net back (eth0 up) but e1000e still unloaded:
#     with a profile requiring eth1, --wait-links 3 times out the same way.
#  b. --boot --wait-links 60 started while eth1 is gone; the driver is loaded
#     1 s later and eth1 brought up 1 s after that: tuner waits, then applies
#     (exit 0): eth1's rx ring is 4096 (ethtool -g) and its queue IRQs'
#     smp_affinity_list is CPU 3 (they exist only once eth1 is up).
#  c. the driver reloaded (hotplug): the ring and IRQs are the driver's
#     defaults again; what tuner-hotplug@.service runs (tuner apply --profile
#     P) brings them back, and verify then exits 0.
# Self-contained: own state directory; rolls back at the end. Needs no other
# scenario, but reloads both NIC drivers: it must be the last one. Leaves
# eth0 and eth1 up with the drivers' defaults.
. /tnvm/lib.sh

S=/tmp/boot
SD=$S/state
P=$S/profile.json
rm -rf "$S"
mkdir -p "$S"
cat > "$P" <<'JSON'
{
  "name": "tnvm-boot",
  "interfaces": [
    { "match": { "name": "eth1" }, "required": true,
      "irq": { "cpus": { "list": "3" }, "exclude": "" }, "rings": { "rx": 4096 } }
  ]
}
JSON
"$TUNER" profile validate "$P" > /dev/null || fatal "profile does not validate"

# unload MODULE IF: the driver goes, and its interface with it
unload() {
    ip link set "$2" down 2>/dev/null
    rmmod "$1" || fatal "rmmod $1"
    local i=0
    while [ -e "/sys/class/net/$2" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ ! -e "/sys/class/net/$2" ] || fatal "$2 still there after rmmod $1"
}
# load MODULE IF: the driver comes back and IF appears (down)
load() {
    [ -f "/tnvm/modules/$1.ko" ] || fatal "no /tnvm/modules/$1.ko in the initramfs"
    insmod "/tnvm/modules/$1.ko" || fatal "insmod $1"
    local i=0
    while [ ! -e "/sys/class/net/$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "/sys/class/net/$2" ] || fatal "$2 did not appear after insmod $1"
}
# eth1's queue IRQs as /proc/interrupts names them (eth1-rx-0, eth1-tx-0)
eth1_qirqs() { awk '$NF ~ /^eth1-(rx|tx)-[0-9]+$/ { sub(":", "", $1); print $1 }' /proc/interrupts; }
now_ds() { awk '{ printf "%d\n", $1 * 10 }' /proc/uptime; }   # tenths of a second

# --- a. no NIC at all, then no eth1: timeouts, nothing changed -----------------
# timeout SECS PROFILE WHAT: apply --boot --wait-links SECS exits 4 after
# about SECS seconds, says so, and makes no journal
timeout_case() {
    local t0 t1 el rc n
    t0=$(now_ds)
    "$TUNER" apply --boot --wait-links "$1" --profile "$2" --state-dir "$SD" > "$S/a.out" 2> "$S/a.err"
    rc=$?
    t1=$(now_ds)
    check_eq "$3: apply --boot exit status" "$rc" 4
    el=$((t1 - t0))
    if [ $el -ge $(($1 * 10 - 2)) ] && [ $el -le $(($1 * 10 + 30)) ]; then
        ok "$3: it waited ${el}/10 s (--wait-links $1)"
    else
        fail "$3: it waited ${el}/10 s, want about $1 s"; cat "$S/a.err"
    fi
    grep -q "timed out after $1 s waiting for links" "$S/a.err" ||
        { fail "$3: no 'timed out' message"; cat "$S/a.err"; }
    n=$(ls "$SD" 2>/dev/null | grep -c '\.journal$')
    check_eq "$3: journals after the timeout" "$n" 0
}
cat > "$S/any.json" <<'JSON'
{ "name": "tnvm-any", "interfaces": [ { "match": "all", "irq": { "cpus": "local" } } ] }
JSON
unload e1000e eth1
unload virtio_net eth0
timeout_case 2 "$S/any.json" "no NIC at all"
load virtio_net eth0
ip link set eth0 up || fatal "ip link set eth0 up"
timeout_case 3 "$P" "eth1 required, e1000e not loaded"

# --- b. the driver arrives while --boot waits ---------------------------------
"$TUNER" apply --boot --wait-links 60 --profile "$P" --state-dir "$SD" > "$S/b.out" 2> "$S/b.err" &
bpid=$!
sleep 1
kill -0 $bpid 2>/dev/null && ok "apply --boot is waiting (eth1 absent)" ||
    fail "apply --boot did not wait: $(cat "$S/b.err")"
load e1000e eth1
sleep 1
kill -0 $bpid 2>/dev/null && ok "apply --boot still waits while eth1 is down" ||
    fail "apply --boot did not wait for eth1 to be up: $(cat "$S/b.err")"
ip link set eth1 up || fatal "ip link set eth1 up"
t0=$(now_ds)
wait $bpid
rc=$?
t1=$(now_ds)
check_eq "apply --boot once eth1 is up: exit status" "$rc" 0
[ $((t1 - t0)) -le 100 ] && ok "it applied $(( (t1 - t0) ))/10 s after eth1 came up" ||
    fail "it took $((t1 - t0))/10 s after eth1 came up"
grep -q "waiting up to 60 s for links" "$S/b.err" || { fail "no 'waiting' line"; cat "$S/b.err"; }
set -- $(ring_cur eth1)
check_eq "ethtool -g eth1: current RX after the boot apply" "$1" 4096
eth1_qirqs > "$S/irqs"
[ -s "$S/irqs" ] || fail "eth1 has no queue IRQs in /proc/interrupts"
while read -r irq; do
    check_eq "irq $irq ($(irq_name "$irq")) smp_affinity_list" "$(cat /proc/irq/$irq/smp_affinity_list)" 3
done < "$S/irqs"
"$TUNER" verify --profile "$P" > /dev/null 2>&1
check_eq "verify after the boot apply" "$?" 0

# --- c. a driver reload: the hotplug unit's apply tunes eth1 again -------------
unload e1000e eth1
load e1000e eth1
ip link set eth1 up
sleep 1
set -- $(ring_cur eth1)
[ "$1" != 4096 ] && ok "after the reload eth1's rx ring is the driver's $1" ||
    fail "after the reload eth1's rx ring is still 4096: the test proves nothing"
"$TUNER" verify --profile "$P" > "$S/c.verify" 2>&1
check_eq "verify after the reload (drift)" "$?" 2
"$TUNER" apply --profile "$P" --state-dir "$SD" --wait 60 > "$S/c.out" 2> "$S/c.err"
check_eq "the hotplug apply: exit status" "$?" 0
set -- $(ring_cur eth1)
check_eq "ethtool -g eth1: current RX after the hotplug apply" "$1" 4096
for irq in $(eth1_qirqs); do
    check_eq "irq $irq smp_affinity_list after the hotplug apply" "$(cat /proc/irq/$irq/smp_affinity_list)" 3
done
"$TUNER" verify --profile "$P" > /dev/null 2>&1
check_eq "verify after the hotplug apply" "$?" 0
"$TUNER" rollback --last --state-dir "$SD" > /dev/null 2>&1
check_eq "rollback of the hotplug apply" "$?" 0
finish
