#!/bin/sh
# 07-irqbalance: `irqbalance: ban` (the profile default) against the real
# Debian 12 irqbalance (1.9.2), running in the guest with a 1 s interval.
#  a. control: eth0's IRQs written by hand to CPU 0 (off eth0's node 1) before
#     the daemon starts; it moves every one back to node 1 (its placement).
#  b. `tuner apply` of a profile placing eth0's queue IRQs on the other node
#     (`cpus: "remote"`, node 0: a placement irqbalance itself never makes,
#     see a.) exits 0; irqbalance keeps its pid, and its "setup" reply lists
#     its --banirq IRQ plus every eth0 queue IRQ as banned.
#  c. eth0's config IRQ (not placed by the profile, so not banned) written by
#     hand to CPU 0 and a SIGHUP (a full rescan: every IRQ not banned is
#     placed again): irqbalance moves the config IRQ back to node 1, and over
#     3 more intervals leaves every queue IRQ where tuner put it.
#  d. `tuner verify` exits 0 while irqbalance runs.
#  e. `tuner rollback --last` exits 0: the daemon's banned list is what it was
#     before the apply, the queue IRQs are back at its own placement, the
#     pid is the same, and the daemon moves those IRQs again (as in a.).
#  f. irqbalance stopped (SIGTERM), every IRQ's affinity as at the start.
# Every assertion is from the kernel (/proc/irq, /proc/PID) or the daemon
# (its control socket, asked with tnvm-irqb: tests/vm/guest/irqb.c); only
# tuner's exit status is looked at. Self-contained (own state directory and
# profile); needs no other scenario, leaves no daemon behind.
. /tnvm/lib.sh

S=/tmp/irqb
SD=$S/state
P=$S/profile.json
IRQB=/usr/sbin/irqbalance
rm -rf "$S"
mkdir -p "$S"
IPID=

now_ds() { awk '{ printf "%d\n", $1 * 10 }' /proc/uptime; }   # tenths of a second
# aff IRQ -> its smp_affinity_list
aff() { cat "/proc/irq/$1/smp_affinity_list"; }
# affs IRQS... -> "N=LIST N=LIST ..."
affs() { local i; for i in "$@"; do printf '%s=%s ' "$i" "$(aff "$i")"; done; echo; }
# all_within CPUS IRQS...: true if every IRQ's affinity is within CPUS
all_within() {
    local c=$1 i; shift
    for i in "$@"; do cpulist_within "$(aff "$i")" "$c" || return 1; done
}
# wait_within SECS CPUS IRQS...: poll until all_within; the time taken (in
# tenths of a second) in $waited
wait_within() {
    local lim=$(($1 * 10)) t0 c=$2; shift 2
    t0=$(now_ds)
    while :; do
        waited=$(($(now_ds) - t0))
        all_within "$c" "$@" && return 0
        [ $waited -ge $lim ] && return 1
        sleep 0.2
    done
}
# ib_alive: the daemon we started still runs, the only irqbalance there is
ib_alive() {
    [ -n "$IPID" ] && [ "$(cat "/proc/$IPID/comm" 2>/dev/null)" = irqbalance ] &&
        [ "$(pidof irqbalance)" = "$IPID" ]
}
SOCK() { echo "/run/irqbalance/irqbalance$IPID.sock"; }
# ib_banned: the IRQs the daemon's "setup" reply lists as banned, ascending,
# space-separated ("none" for none); "ERROR" when it did not answer. The raw
# reply is in $S/setup.reply.
ib_banned() {
    if ! tnvm-irqb "$(SOCK)" setup > "$S/setup.reply" 2>&1 ||
        ! grep -q '^SLEEP [0-9]* .*BANNED ' "$S/setup.reply"; then
        echo ERROR; return 1
    fi
    awk '{ for (i = 1; i < NF; i++) if ($i == "IRQ") print $(i + 1) }' "$S/setup.reply" |
        sort -n | tr '\n' ' ' | sed -e 's/ $//' -e 's/^$/none/'
}
# sorted IRQS... -> ascending, space-separated
sorted() { printf '%s\n' "$@" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# stop the daemon and put every IRQ back where it was (also on a fatal exit)
cleanup() {
    if [ -n "$IPID" ] && kill -0 "$IPID" 2>/dev/null; then
        kill -TERM "$IPID" 2>/dev/null
        wait "$IPID" 2>/dev/null
    fi
    if [ -f "$S/orig.aff" ]; then
        while read -r i a; do
            [ "$(aff "$i" 2>/dev/null)" = "$a" ] || echo "$a" > "/proc/irq/$i/smp_affinity_list"
        done < "$S/orig.aff" 2>/dev/null
    fi
}
trap 'cleanup; [ "$FAILS" -gt 0 ] && [ -f "$S/irqbalance.log" ] && { echo "---- irqbalance -d output (tail)"; tail -n 30 "$S/irqbalance.log"; }' EXIT

[ -x "$IRQB" ] || fatal "no $IRQB in the initramfs (run.sh could not fetch Debian's irqbalance)"
[ -x /usr/bin/tnvm-irqb ] || fatal "no tnvm-irqb in the initramfs"

# --- the machine ---------------------------------------------------------------
N0=$(node_cpus 0)
N1=$(node_cpus 1)
check_eq "eth0's NUMA node (sysfs)" "$(nic_numa eth0)" 1
V=$(basename "$(readlink -f /sys/class/net/eth0/device)")
QIRQS=$(awk -v v="$V" '$1 ~ /^[0-9]+:$/ && $NF ~ ("^" v "-(input|output)\\.[0-9]+$") { sub(":", "", $1); print $1 }' /proc/interrupts)
QIRQS=$(sorted $QIRQS)
CFG=$(irq_by_name "$V-config")
PRE=$(irq_by_name eth1)          # e1000e's link vector: banned on irqbalance's command line
set -- $QIRQS
[ $# -eq 8 ] || fatal "eth0 has $# queue IRQs in /proc/interrupts, want 8: $QIRQS"
[ -n "$CFG" ] && [ -n "$PRE" ] || fatal "no $V-config or eth1 IRQ in /proc/interrupts"
note "eth0 queue IRQs $QIRQS, config IRQ $CFG; node 0 CPUs $N0, node 1 CPUs $N1"
for d in /proc/irq/[0-9]*; do echo "${d##*/} $(aff "${d##*/}")"; done > "$S/orig.aff"

cat > "$P" <<'JSON'
{
  "name": "tnvm-irqbalance",
  "description": "VM tier 07: eth0's queue IRQs on the node irqbalance would not choose; irqbalance ban (the default)",
  "interfaces": [
    { "match": { "name": "eth0" }, "required": true, "irq": { "cpus": "remote", "exclude": "" } }
  ]
}
JSON
"$TUNER" profile validate "$P" > /dev/null || fatal "profile does not validate"

# --- a. irqbalance starts and moves what sits off its node -------------------
for i in $QIRQS $CFG; do echo 0 > "/proc/irq/$i/smp_affinity_list" || fatal "cannot write IRQ $i"; done
all_within 0 $QIRQS $CFG || fatal "eth0's IRQs are not on CPU 0 after writing them by hand"
# -f foreground, -d debug (its log, shown on failure), -t 1: a 1 s interval,
# -i: one IRQ banned from the start, so the list to restore is not empty.
# timeout(1) (busybox: the daemon keeps timeout's pid) ends it with the
# scenario's own time limit, should this script be killed before cleanup.
lim=60
for a in $(cat /proc/cmdline); do case "$a" in tnvm.timeout=*) lim=${a#tnvm.timeout=} ;; esac; done
mkdir -p /run/irqbalance
timeout -s TERM "$lim" "$IRQB" -f -d -t 1 -i "$PRE" > "$S/irqbalance.log" 2>&1 &
IPID=$!
i=0
while [ $i -lt 100 ]; do
    [ "$(cat "/proc/$IPID/comm" 2>/dev/null)" = irqbalance ] && [ -S "$(SOCK)" ] && break
    kill -0 "$IPID" 2>/dev/null || break
    sleep 0.1; i=$((i + 1))
done
[ -S "$(SOCK)" ] || fatal "irqbalance (pid $IPID) made no control socket $(SOCK) in 10 s"
ok "irqbalance runs, pid $IPID, control socket $(SOCK) after $i/10 s"
ib_alive || fatal "pidof irqbalance: '$(pidof irqbalance)', want $IPID"
if wait_within 10 "$N1" $QIRQS $CFG; then
    ok "control: irqbalance moved eth0's IRQs from CPU 0 to node 1 within $waited/10 s: $(affs $QIRQS $CFG)"
else
    fail "control: irqbalance did not move eth0's IRQs off CPU 0 in 10 s: $(affs $QIRQS $CFG)"
fi
PLACED=$(affs $QIRQS)

B0=$(ib_banned)
check_eq "banned IRQs irqbalance reports before the apply" "$B0" "$PRE"
tnvm-irqb -n "$(SOCK)" setup > "$S/setup-n.reply" 2>&1
cmp -s "$S/setup-n.reply" "$S/setup.reply" &&
    note "irqbalance answers \"setup\" alike without explicit SCM_CREDENTIALS (its SO_PASSCRED)" ||
    note "without explicit SCM_CREDENTIALS: '$(cat "$S/setup-n.reply")'"

# --- b. apply: the daemon keeps running, with eth0's queue IRQs banned -------
"$TUNER" apply --profile "$P" --state-dir "$SD" > "$S/apply.out" 2> "$S/apply.err"
rc=$?
check_eq "tuner apply: exit status" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/    | /' "$S/apply.out"; sed 's/^/    ! /' "$S/apply.err"; }
ib_alive && ok "irqbalance still runs with pid $IPID after the apply" ||
    fatal "irqbalance after the apply: pid $IPID comm '$(cat "/proc/$IPID/comm" 2>/dev/null)', pidof '$(pidof irqbalance)'"
B1=$(ib_banned)
check_eq "banned IRQs irqbalance reports after the apply" "$B1" "$(sorted $PRE $QIRQS)"
[ "$B1" = ERROR ] && cat "$S/setup.reply"
if all_within "$N0" $QIRQS; then
    ok "eth0's queue IRQs are on node 0 after the apply: $(affs $QIRQS)"
else
    fail "eth0's queue IRQs not all within node 0 ($N0) after the apply: $(affs $QIRQS)"
fi
APPLIED=$(affs $QIRQS)
t_apply=$(now_ds)

# --- c. a rescan: irqbalance re-places what is not banned, nothing else ------
echo 0 > "/proc/irq/$CFG/smp_affinity_list" || fail "cannot write IRQ $CFG"
kill -HUP "$IPID"
if wait_within 10 "$N1" "$CFG"; then
    ok "irqbalance moved the config IRQ $CFG (not banned) back to node 1 within $waited/10 s of a SIGHUP: $(aff "$CFG")"
else
    fail "irqbalance did not move the config IRQ $CFG off CPU 0 within 10 s of a SIGHUP: $(aff "$CFG")"
fi
sleep 3
check_eq "eth0's queue IRQs $(( ($(now_ds) - t_apply) / 10 )) s after the apply (a rescan and 3 intervals later)" \
    "$(affs $QIRQS)" "$APPLIED"
ib_alive || fail "irqbalance (pid $IPID) is gone or not the only one: pidof '$(pidof irqbalance)'"

# --- d. verify while irqbalance runs -------------------------------------------
"$TUNER" verify --profile "$P" > "$S/verify.out" 2>&1
rc=$?
check_eq "tuner verify while irqbalance runs: exit status" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/    | /' "$S/verify.out"

# --- e. rollback: the daemon's own list again, and it moves them again -------
"$TUNER" rollback --last --state-dir "$SD" > "$S/rollback.out" 2> "$S/rollback.err"
rc=$?
AFTER_RB=$(affs $QIRQS)
check_eq "tuner rollback --last: exit status" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/    | /' "$S/rollback.out"; sed 's/^/    ! /' "$S/rollback.err"; }
check_eq "banned IRQs irqbalance reports after the rollback" "$(ib_banned)" "$B0"
ib_alive && ok "irqbalance still runs with pid $IPID after the rollback" ||
    fail "irqbalance after the rollback: pid $IPID comm '$(cat "/proc/$IPID/comm" 2>/dev/null)', pidof '$(pidof irqbalance)'"
# irqbalance rescans one interval after a ban change and places only at the
# next one: right after the rollback the values are still tuner's restores
check_eq "eth0's queue IRQs right after the rollback (irqbalance's placement before the apply)" \
    "$AFTER_RB" "$PLACED"
for i in $QIRQS; do echo 0 > "/proc/irq/$i/smp_affinity_list" || fail "cannot write IRQ $i"; done
kill -HUP "$IPID"
if wait_within 10 "$N1" $QIRQS; then
    ok "after the rollback irqbalance moves eth0's queue IRQs again (CPU 0 -> node 1 within $waited/10 s of a SIGHUP)"
else
    fail "after the rollback irqbalance left eth0's queue IRQs on CPU 0 for 10 s: $(affs $QIRQS)"
fi

# --- f. stop the daemon, leave the IRQs as they were -------------------------
kill -TERM "$IPID"
wait "$IPID"
rc=$?
check_eq "irqbalance exit status after SIGTERM" "$rc" 0
[ -z "$(pidof irqbalance)" ] && ok "no irqbalance left" || fail "irqbalance still running: $(pidof irqbalance)"
[ -e "$(SOCK)" ] && fail "irqbalance left its socket $(SOCK)"
IPID=
cleanup
while read -r i a; do
    [ -e "/proc/irq/$i" ] || continue
    case " $QIRQS $CFG $(ls "/sys/bus/pci/devices/$(nic_pci eth1)/msi_irqs" | tr '\n' ' ') " in
        *" $i "*) check_eq "IRQ $i ($(irq_name "$i")) smp_affinity_list restored" "$(aff "$i")" "$a" ;;
    esac
done < "$S/orig.aff"
finish
