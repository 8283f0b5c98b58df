#!/bin/sh
# 07-boot: `tuner apply --boot` waits for the profile's links on rtnetlink
# events, and a NIC that appears later is tuned again (the hotplug path).
#  a. e1000e unloaded (eth1 gone): with a profile requiring eth1, --boot
#     --wait-links 3 times out with exit 4 after about 3 s and changes nothing.
#  b. --boot --wait-links 60 started while eth1 is gone; the driver is loaded
#     1 s later and eth1 brought up 1 s after that: tuner waits, then applies
#     (exit 0): eth1's rx ring is 4096 (ethtool -g) and its queue IRQs'
#     smp_affinity_list is CPU 3 (they exist only once eth1 is up).
#  c. the driver reloaded (hotplug): the ring and IRQs are the driver's
#     defaults again; what tuner-hotplug@.service runs (tuner apply --profile
#     P) brings them back, and verify then exits 0.
# Self-contained: own state directory; rolls back at the end. Needs no other
# scenario, and leaves eth1 up with the driver's defaults.
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

e1000e_ko=/tnvm/modules/e1000e.ko
[ -f "$e1000e_ko" ] || fatal "no $e1000e_ko in the initramfs"

unload() {
    ip link set eth1 down 2>/dev/null
    rmmod e1000e || fatal "rmmod e1000e"
    local i=0
    while [ -e /sys/class/net/eth1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ ! -e /sys/class/net/eth1 ] || fatal "eth1 still there after rmmod"
}
load_up() {
    insmod "$e1000e_ko" || fatal "insmod e1000e"
    local i=0
    while [ ! -e /sys/class/net/eth1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e /sys/class/net/eth1 ] || fatal "eth1 did not appear after insmod"
}
# eth1's queue IRQs as /proc/interrupts names them (eth1-rx-0, eth1-tx-0)
eth1_qirqs() { awk '$NF ~ /^eth1-(rx|tx)-[0-9]+$/ { sub(":", "", $1); print $1 }' /proc/interrupts; }
now_ds() { awk '{ printf "%d\n", $1 * 10 }' /proc/uptime; }   # tenths of a second

# --- a. no NIC: a timeout, nothing changed ------------------------------------
unload
ls /sys/class/net > "$S/links.before"
t0=$(now_ds)
"$TUNER" apply --boot --wait-links 3 --profile "$P" --state-dir "$SD" > "$S/a.out" 2> "$S/a.err"
rc=$?
t1=$(now_ds)
check_eq "apply --boot without eth1: exit status" "$rc" 4
el=$((t1 - t0))
if [ $el -ge 28 ] && [ $el -le 60 ]; then ok "it waited ${el}/10 s (--wait-links 3)"
else fail "it waited ${el}/10 s, want about 3 s"; cat "$S/a.err"; fi
n=$(ls "$SD" 2>/dev/null | grep -c '\.journal$')
check_eq "journals after the timeout" "$n" 0

# --- b. the driver arrives while --boot waits ---------------------------------
"$TUNER" apply --boot --wait-links 60 --profile "$P" --state-dir "$SD" > "$S/b.out" 2> "$S/b.err" &
bpid=$!
sleep 1
kill -0 $bpid 2>/dev/null && ok "apply --boot is waiting (eth1 absent)" ||
    fail "apply --boot did not wait: $(cat "$S/b.err")"
load_up
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
unload
load_up
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
