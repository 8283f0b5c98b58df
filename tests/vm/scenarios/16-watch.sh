#!/bin/sh
# 16-watch: `tuner watch` keeps a placement on a real kernel. Its profile puts
# eth0's (virtio-net) queue IRQs on node 0 (CPUs 0-1; virtio-net itself
# spreads input.Q/output.Q on CPU Q) and its queues' RPS on CPUs 0-1, eth1's
# (e1000e) IRQs on CPU 3 with rx-usecs 100, netdev_budget to at least 600,
# and tnvm-threads on CPU 2. After the first apply, the planned affinities
# and RPS masks are recorded from /proc/irq and sysfs, then:
#  a. `ethtool -L eth0 combined 2` and back to 4 with the watch stopped
#     (SIGSTOP: its events wait in its sockets): the kernel re-spread eth0's
#     queue IRQs (asserted) and made rx-2 and rx-3 anew without RPS;
#     SIGCONT: within 2 s the IRQs and every RPS mask are as planned.
#  b. `rmmod e1000e`, insmod, `ip link set eth1 up`, the watch stopped again:
#     eth1's new vectors are off CPU 3 and its rx-usecs back to the driver's
#     (asserted); SIGCONT: within 2 s on 3, and rx-usecs 100 (`ethtool -c`).
#  c. a link flap of both NICs (down, up), the watch running: within 2 s
#     everything is as planned, whether or not the drivers moved it.
#  d. a new tnvm-threads: every one of its threads on CPU 2 within 2 s (the
#     proc connector).
#  e. a writer putting one eth0 IRQ on 0-3 every 0.1 s, then an eth0 flap:
#     the watch repairs, finds it undone, backs off and says the fight once.
#  f. SIGHUP with a broken profile: refused, the old one kept (an IRQ moved
#     by hand and an eth0 flap: repaired as planned).
#  g. SIGTERM: exit 0; the placement is left (no rollback).
#  h. a watch with --check-every 1: an eth0 IRQ written to 0-3 and
#     netdev_budget to 300, by writers that send no event: within 3 s both
#     are as planned again; SIGTERM: exit 0.
# `tuner verify` exits 0 after a, b, c, d and f. Every affinity asserted is
# read from /proc; of tuner, only exit statuses and its log's words about
# the fight and the reload. Self-contained; every IRQ's affinity, the channel
# count, eth0's RPS masks, eth1's rx-usecs and netdev_budget are put back at
# the end.
. /tnvm/lib.sh

S=/tmp/watch
P=$S/profile.json
LOG=$S/watch.log
IP=/usr/sbin/ip
rm -rf "$S"
mkdir -p "$S"
WPID='' TPID='' FPID=''
BUDGET0=$(cat /proc/sys/net/core/netdev_budget)

now_ds() { awk '{ printf "%d\n", $1 * 10 }' /proc/uptime; }
aff() { cat "/proc/irq/$1/smp_affinity_list" 2>/dev/null; }
# queue IRQs of eth0 (virtioN-input.Q / -output.Q) and eth1 (eth1-rx-0, -tx-0)
eth0_irqs() {
    local v
    v=$(basename "$(readlink -f /sys/class/net/eth0/device)")
    awk -v v="$v" '$1 ~ /^[0-9]+:$/ && $NF ~ ("^" v "-(input|output)\\.[0-9]+$") { sub(":", "", $1); print $1 }' /proc/interrupts
}
eth1_irqs() {
    awk '$1 ~ /^[0-9]+:$/ && $NF ~ /^eth1-(rx|tx)-[0-9]+$/ { sub(":", "", $1); print $1 }' /proc/interrupts
}
rps() { cat "/sys/class/net/eth0/queues/rx-$1/rps_cpus" 2>/dev/null; }
# coal IF KEY -> the value `ethtool -c` prints for KEY ("rx-usecs")
coal() { ethtool -c "$1" 2>/dev/null | awk -v k="$2" 'index($0, k ":") == 1 { print $2; exit }'; }
# as_planned: every IRQ of $S/planned at its planned affinity (eth1's by
# name: a reloaded driver has new numbers), each eth0 rx queue's RPS mask as
# planned, eth1's rx-usecs 100; the first one that is not in $bad
as_planned() {
    local i a n q
    bad=
    while read -r n a; do
        i=$(irq_by_name "$n")
        [ -n "$i" ] && [ "$(aff "$i")" = "$a" ] || { bad="$n=$(aff "$i") (want $a)"; return 1; }
    done < "$S/planned"
    for q in 0 1 2 3; do
        [ "$(rps $q)" = "$RPS" ] || { bad="eth0 rx-$q rps_cpus=$(rps $q) (want $RPS)"; return 1; }
    done
    [ "$(coal eth1 rx-usecs)" = 100 ] || { bad="eth1 rx-usecs=$(coal eth1 rx-usecs) (want 100)"; return 1; }
}
# wait_planned TENTHS: poll as_planned; the time taken in $waited (tenths)
wait_planned() {
    local t0
    t0=$(now_ds)
    while :; do
        as_planned && { waited=$(($(now_ds) - t0)); return 0; }
        waited=$(($(now_ds) - t0))
        [ "$waited" -ge "$1" ] && return 1
        sleep 0.1
    done
}
# step NAME: the guest time the last step took (tenths), for the README's figure
STEP0=$(now_ds)
step() { note "$1 took $(($(now_ds) - STEP0))/10 s"; STEP0=$(now_ds); }
verify0() {
    "$TUNER" verify -q --profile "$P" > "$S/verify.out" 2>&1
    check_eq "tuner verify exit ($1)" $? 0
}
cleanup() {
    [ -n "$FPID" ] && kill "$FPID" 2>/dev/null
    [ -n "$WPID" ] && kill -CONT "$WPID" 2>/dev/null && kill -TERM "$WPID" 2>/dev/null
    [ -n "$TPID" ] && kill "$TPID" 2>/dev/null
    ethtool -L eth0 combined 4 2>/dev/null
    for q in 0 1 2 3; do echo 0 > "/sys/class/net/eth0/queues/rx-$q/rps_cpus"; done 2>/dev/null
    [ -n "$USECS0" ] && ethtool -C eth1 rx-usecs "$USECS0" 2>/dev/null
    echo "$BUDGET0" > /proc/sys/net/core/netdev_budget
    if [ -f "$S/orig.aff" ]; then
        while read -r i a; do
            [ "$(aff "$i")" = "$a" ] || echo "$a" > "/proc/irq/$i/smp_affinity_list"
        done < "$S/orig.aff" 2>/dev/null
    fi
    wait 2>/dev/null
}
trap 'cleanup; [ "$FAILS" -gt 0 ] && { echo "---- watch log"; cat "$LOG" "$LOG.h" 2>/dev/null; }' EXIT

for d in /proc/irq/[0-9]*; do echo "${d##*/} $(aff "${d##*/}")"; done > "$S/orig.aff"
cat > "$P" <<'JSON'
{
  "name": "tnvm-watch",
  "description": "VM tier 13: eth0's queue IRQs on node 0 (virtio-net itself spreads them over every CPU), eth1's on CPU 3, tnvm-threads on CPU 2",
  "interfaces": [
    { "match": { "name": "eth0" }, "irq": { "cpus": "remote", "exclude": "" },
      "rps": { "cpus": "0-1" } },
    { "match": { "name": "eth1" }, "irq": { "cpus": { "list": "3" }, "exclude": "" },
      "coalesce": { "rx_usecs": 100 } }
  ],
  "sysctl": { "net.core.netdev_budget": { "min": 600 } },
  "processes": [
    { "match": { "comm": "tnvm-threads" }, "placement": { "cpus": "2" } }
  ]
}
JSON
"$TUNER" profile validate "$P" > /dev/null || fatal "profile does not validate"
$IP link set eth1 up
USECS0=$(coal eth1 rx-usecs)
[ "$USECS0" != 100 ] || fatal "eth1's rx-usecs is 100 already: the test would prove nothing"

# start_watch LOGFILE [OPTION...]: a watch of $P in the background ($WPID),
# waited for until its "watching" line
start_watch() {
    local log=$1
    shift
    "$TUNER" watch --profile "$P" --state-dir "$S/state" "$@" > /dev/null 2> "$log" &
    WPID=$!
    t0=$(now_ds)
    until grep -q 'watch: watching' "$log"; do
        kill -0 "$WPID" 2>/dev/null || { cat "$log"; fatal "tuner watch $* exited"; }
        [ $(($(now_ds) - t0)) -lt 150 ] || fatal "tuner watch $* did not start in 15 s"
        sleep 0.1
    done
    ok "tuner watch $* started in $(($(now_ds) - t0)) tenths of a second"
}
start_watch "$LOG"
grep -q 'proc connector not available' "$LOG" && fail "the proc connector is not available"
set -- $(eth0_irqs)
[ $# -eq 8 ] || fatal "eth0 has $# queue IRQs, want 8"
E0="$*"
: > "$S/planned"
for i in $E0 $(eth1_irqs); do echo "$(irq_name "$i") $(aff "$i")" >> "$S/planned"; done
RPS=$(rps 0)
[ "$RPS" = 3 ] || [ "$RPS" = 03 ] || fail "eth0 rx-0's rps_cpus is '$RPS' after the apply, want CPUs 0-1"
check_eq "eth1 rx-usecs after the apply (ethtool -c)" "$(coal eth1 rx-usecs)" 100
check_eq "netdev_budget after the apply" "$(cat /proc/sys/net/core/netdev_budget)" 600
cpulist_within "$(aff "$1")" 0-1 || fail "eth0's IRQ $1 is at $(aff "$1") after the apply, want within 0-1"
i=$(irq_by_name eth1-rx-0)
check_eq "eth1-rx-0 after the apply" "$(aff "$i")" 3
verify0 "after the first apply"
step "start"

# --- a. ethtool -L re-spreads virtio-net's IRQs ---------------------------
kill -STOP "$WPID"
ethtool -L eth0 combined 2 && ethtool -L eth0 combined 4 || fail "ethtool -L eth0"
as_planned && fail "ethtool -L did not move eth0's IRQs (the test proves nothing)" ||
    ok "ethtool -L moved them: $bad"
if [ "$(rps 3)" = "$RPS" ]; then
    note "ethtool -L left rx-3's RPS mask; cleared by hand for the watch to restore"
    echo 0 > /sys/class/net/eth0/queues/rx-3/rps_cpus
else
    ok "ethtool -L made rx-3 anew: rps_cpus $(rps 3)"
fi
kill -CONT "$WPID"
wait_planned 20 && ok "a. back as planned ${waited}/10 s after ethtool -L" ||
    fail "a. not as planned 2 s after ethtool -L: $bad"
verify0 "after ethtool -L"
step "a"

# --- b. e1000e reloaded ----------------------------------------------------
kill -STOP "$WPID"
rmmod e1000e && insmod /tnvm/modules/e1000e.ko || fail "rmmod/insmod e1000e"
t0=$(now_ds)
until [ -e /sys/class/net/eth1 ] || [ $(($(now_ds) - t0)) -gt 50 ]; do sleep 0.1; done
$IP link set eth1 up || fail "ip link set eth1 up"
i=$(irq_by_name eth1-rx-0)
[ -n "$i" ] && [ "$(aff "$i")" != 3 ] && ok "the reloaded e1000e's eth1-rx-0 (IRQ $i) is at $(aff "$i")" ||
    fail "the reloaded e1000e's eth1-rx-0 is at '$(aff "$i")' (IRQ '$i'): not moved, the test proves nothing"
u=$(coal eth1 rx-usecs)
[ "$u" != 100 ] && ok "the reloaded e1000e's rx-usecs is $u" ||
    fail "the reloaded e1000e kept rx-usecs 100: the test proves nothing"
kill -CONT "$WPID"
wait_planned 20 && ok "b. back as planned ${waited}/10 s after the driver reload" ||
    fail "b. not as planned 2 s after the driver reload: $bad"
verify0 "after the driver reload"
step "b"

# --- c. a link flap --------------------------------------------------------
$IP link set eth0 down; $IP link set eth1 down
$IP link set eth0 up; $IP link set eth1 up
as_planned && note "the flap left every IRQ in place" || note "the flap moved $bad"
wait_planned 20 && ok "c. as planned ${waited}/10 s after a link flap" ||
    fail "c. not as planned 2 s after a link flap: $bad"
verify0 "after a link flap"
step "c"

# --- d. a new target process -----------------------------------------------
tnvm-threads 4 60 > "$S/threads.out" 2>&1 &
TPID=$!
t0=$(now_ds)
while :; do
    waited=$(($(now_ds) - t0))
    n=0 on2=0
    for s in /proc/$TPID/task/*/status; do
        n=$((n + 1))
        [ "$(awk '/^Cpus_allowed_list:/ { print $2 }' "$s")" = 2 ] && on2=$((on2 + 1))
    done
    [ "$n" -ge 5 ] && [ "$on2" -eq "$n" ] && break
    [ "$waited" -ge 20 ] && break
    sleep 0.1
done
[ "$n" -ge 5 ] && [ "$on2" -eq "$n" ] && ok "d. tnvm-threads: its $n threads on CPU 2 after ${waited}/10 s" ||
    fail "d. tnvm-threads: $on2 of $n threads on CPU 2 after 2 s"
verify0 "after the new process"
step "d"

# --- e. a fight ------------------------------------------------------------
set -- $E0
F=$1
( while :; do echo 0-3 > "/proc/irq/$F/smp_affinity_list"; sleep 0.1; done ) &
FPID=$!
$IP link set eth0 down; $IP link set eth0 up
t0=$(now_ds)
until grep -q 'another tool is fighting' "$LOG" || [ $(($(now_ds) - t0)) -ge 80 ]; do sleep 0.2; done
grep -q 'another tool is fighting' "$LOG" &&
    ok "e. the fight over IRQ $F is found after $(($(now_ds) - t0))/10 s" ||
    fail "e. no fight reported 8 s after the flap"
# through the 5 s back-off: the next repair is no new report, and while it
# lasts no repair is made (without it, one a second: the rechecks)
n0=$(grep -c 'restored' "$LOG")
sleep 5.5
kill "$FPID"; wait "$FPID" 2>/dev/null; FPID=''
n=$(($(grep -c 'restored' "$LOG") - n0))
[ "$n" -le 2 ] && ok "e. backed off: $n repairs in the 5.5 s after the report" ||
    fail "e. not backed off: $n repairs in the 5.5 s after the report"

# the fighter's last word, put back by hand (the watch is backing off from it)
echo "$(awk -v n="$(irq_name "$F")" '$1 == n { print $2 }' "$S/planned")" > "/proc/irq/$F/smp_affinity_list"
n=$(grep -c 'another tool is fighting' "$LOG")
check_eq "e. fight reports" "$n" 1
grep 'another tool is fighting' "$LOG" | head -n 1
step "e"

# --- f. SIGHUP with a broken profile ---------------------------------------
cp "$P" "$S/good.json"
echo '{ "name": "broken", ' > "$P"
kill -HUP "$WPID"
t0=$(now_ds)
until grep -q 'keeping profile tnvm-watch' "$LOG" || [ $(($(now_ds) - t0)) -ge 30 ]; do sleep 0.1; done
grep -q 'keeping profile tnvm-watch' "$LOG" && ok "f. the broken profile is refused, the old one kept" ||
    fail "f. no 'keeping profile tnvm-watch' 3 s after SIGHUP"
kill -0 "$WPID" 2>/dev/null || fail "f. tuner watch exited after SIGHUP"
cp "$S/good.json" "$P"
set -- $E0
echo 0-3 > "/proc/irq/$2/smp_affinity_list"
$IP link set eth0 down; $IP link set eth0 up
wait_planned 20 && ok "f. the old profile still repairs (${waited}/10 s)" ||
    fail "f. not as planned 2 s after a flap under the kept profile: $bad"
verify0 "after the refused reload"
step "f"

# --- g. SIGTERM -------------------------------------------------------------
kill -TERM "$WPID"
wait "$WPID"
check_eq "g. tuner watch exit status after SIGTERM" $? 0
WPID=
as_planned && ok "g. the placement is left after SIGTERM" || fail "g. SIGTERM changed $bad"
step "g"

# --- h. --check-every: writers that send no event ---------------------------
start_watch "$LOG.h" --check-every 1
set -- $E0
echo 0-3 > "/proc/irq/$3/smp_affinity_list"
echo 300 > /proc/sys/net/core/netdev_budget
t0=$(now_ds)
while :; do
    waited=$(($(now_ds) - t0))
    as_planned && [ "$(cat /proc/sys/net/core/netdev_budget)" = 600 ] && break
    [ "$waited" -ge 30 ] && break
    sleep 0.1
done
as_planned && [ "$(cat /proc/sys/net/core/netdev_budget)" = 600 ] &&
    ok "h. IRQ $3 and netdev_budget, written with no event, as planned after ${waited}/10 s" ||
    fail "h. 3 s after silent writes: ${bad:-netdev_budget $(cat /proc/sys/net/core/netdev_budget)}"
grep 'check:' "$LOG.h" | head -n 1
verify0 "after the periodic check"
kill -TERM "$WPID"
wait "$WPID"
check_eq "h. tuner watch --check-every exit status after SIGTERM" $? 0
WPID=
step "h"
finish
