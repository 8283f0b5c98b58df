#!/bin/sh
# 17-stage1-irqs: an IRQ affinity set by someone else survives a channel
# change that tuner makes and undoes. virtio-net re-spreads its queue IRQs
# (virtnet_set_affinity) whenever its channels change, both kernels: so an
# apply of `channels.combined` moved IRQs the profile never named, and the
# rollback of it moved them again, to the driver's spread, not to what the
# operator had set. tuner records the affinity of the NIC's IRQs before it
# changes its rings or channels and puts back what the driver reset: at
# apply for the IRQs the profile does not place, at rollback for all.
#  a. every eth0 queue IRQ set to CPUs 1,3 by hand (no driver spreads so);
#  b. apply of channels.combined 2 alone: combined 2, each IRQ still 1,3,
#     verify exits 0; rollback: combined 4, each IRQ 1,3 again;
#  c. the same with eth0's IRQs placed by the profile: placed as planned
#     (verify 0); rollback: combined 4, each IRQ 1,3 again; a second
#     rollback changes nothing;
#  d. as c., the channels restored by hand before the rollback (a rollback
#     stopped after its channel restore leaves them so): each IRQ 1,3 again.
# Leaves the host as it found it.
. /tnvm/lib.sh

W=/tmp/st1
SD=$W/state
rm -rf "$W"
mkdir -p "$W"
mkdir -m 700 "$SD"
CUSTOM=1,3
vdev=$(basename "$(readlink -f /sys/class/net/eth0/device)")

tn() {
    o=$1; shift
    echo "+ tuner $*"
    "$TUNER" "$@" > "$W/$o.out" 2> "$W/$o.err"
    rc=$?
    sed 's/^/    | /' "$W/$o.out"
    sed 's/^/    ! /' "$W/$o.err"
    echo "    exit $rc"
}
combined() { ethtool -l eth0 2>/dev/null | awk '/^Current hardware/ {s=1} s && /^Combined:/ {print $2; exit}'; }
# the queue IRQs of eth0, "IRQ NAME" a line
qirqs() {
    for n in 0 1 2 3; do
        for d in input output; do
            i=$(irq_by_name "$vdev-$d.$n")
            [ -n "$i" ] && echo "$i $vdev-$d.$n"
        done
    done
}
# each_is WHAT LIST: every queue IRQ's smp_affinity_list is LIST
each_is() {
    bad=
    while read -r i nm; do
        a=$(cat "/proc/irq/$i/smp_affinity_list")
        [ "$a" = "$2" ] || bad="$bad $nm=$a"
    done < "$W/irqs"
    if [ -z "$bad" ]; then ok "$1: each eth0 queue IRQ at $2"; else fail "$1: not $2:$bad"; fi
}

qirqs > "$W/irqs"
check_eq "eth0 queue IRQs" "$(wc -l < "$W/irqs" | tr -d ' ')" 8
check_eq "eth0 combined channels" "$(combined)" 4
while read -r i nm; do echo "$i $(cat /proc/irq/$i/smp_affinity_list)"; done < "$W/irqs" > "$W/orig"
cleanup() {
    ethtool -L eth0 combined 4 2>/dev/null
    while read -r i a; do echo "$a" > "/proc/irq/$i/smp_affinity_list"; done < "$W/orig" 2>/dev/null
}
trap cleanup EXIT

# --- a. the operator's placement ---------------------------------------------
while read -r i nm; do echo "$CUSTOM" > "/proc/irq/$i/smp_affinity_list"; done < "$W/irqs"
each_is "a. set by hand" "$CUSTOM"
# the test proves something only where the driver does move them
ethtool -L eth0 combined 2 && ethtool -L eth0 combined 4 || fail "ethtool -L eth0"
bad=$(while read -r i nm; do
    [ "$(cat /proc/irq/$i/smp_affinity_list)" = "$CUSTOM" ] || echo "$nm"; done < "$W/irqs")
[ -n "$bad" ] && ok "ethtool -L moves the IRQs: $(echo $bad)" ||
    fatal "ethtool -L left every IRQ at $CUSTOM: this kernel proves nothing here"
# virtio-net requests its vectors once, at probe: ethtool -L keeps their
# numbers (a driver that requests them anew is followed by name at rollback:
# apply/held_renumber shows it on a tree)
qirqs > "$W/irqs2"
cmp -s "$W/irqs" "$W/irqs2" && ok "ethtool -L keeps the IRQ numbers" ||
    fail "ethtool -L renumbered eth0's IRQs: $(cat "$W/irqs2" | tr '\n' ' ')"
while read -r i nm; do echo "$CUSTOM" > "/proc/irq/$i/smp_affinity_list"; done < "$W/irqs"

# --- b. channels alone -------------------------------------------------------
cat > "$W/p1.json" <<'JSON'
{"name": "vm-stage1", "irqbalance": "ignore",
 "interfaces": [{"match": {"name": "eth0"}, "channels": {"combined": 2}}]}
JSON
tn b-apply apply --profile "$W/p1.json" --state-dir "$SD"
check_eq "b. apply exit" "$rc" 0
check_eq "b. combined after the apply" "$(combined)" 2
each_is "b. after the apply" "$CUSTOM"
tn b-verify verify --profile "$W/p1.json"
check_eq "b. verify exit" "$rc" 0
tn b-rb rollback --last --state-dir "$SD"
check_eq "b. rollback exit" "$rc" 0
check_eq "b. combined after the rollback" "$(combined)" 4
each_is "b. after the rollback" "$CUSTOM"

# --- c. channels and the IRQs placed -----------------------------------------
cat > "$W/p2.json" <<'JSON'
{"name": "vm-stage1-irq", "irqbalance": "ignore",
 "interfaces": [{"match": {"name": "eth0"}, "channels": {"combined": 2}, "irq": {}}]}
JSON
tn c-apply apply --profile "$W/p2.json" --state-dir "$SD"
check_eq "c. apply exit" "$rc" 0
check_eq "c. combined after the apply" "$(combined)" 2
tn c-verify verify --profile "$W/p2.json"
check_eq "c. verify exit (IRQs as planned)" "$rc" 0
tn c-rb rollback --last --state-dir "$SD"
check_eq "c. rollback exit" "$rc" 0
check_eq "c. combined after the rollback" "$(combined)" 4
each_is "c. after the rollback" "$CUSTOM"
tn c-rb2 rollback --last --state-dir "$SD"
check_eq "c. second rollback exit" "$rc" 0
grep -q ": 0 restored," "$W/c-rb2.err" && ok "c. second rollback restored nothing" ||
    fail "c. second rollback: $(tail -n 1 "$W/c-rb2.err")"
each_is "c. after the second rollback" "$CUSTOM"

# --- d. a rollback stopped after it restored the channels ----------------------
# The channels are back (ethtool -L by hand, as a rollback killed before its
# held pass leaves them; its statuses are written at its end) and the driver
# spread the IRQs again: the next rollback found each at a value the apply
# never saw and left them all there ("changed since the apply"), exit 0.
tn d-apply apply --profile "$W/p2.json" --state-dir "$SD"
check_eq "d. apply exit" "$rc" 0
ethtool -L eth0 combined 4 || fail "ethtool -L eth0 combined 4"
tn d-rb rollback --last --state-dir "$SD"
check_eq "d. rollback exit" "$rc" 0
check_eq "d. combined after the rollback" "$(combined)" 4
each_is "d. after the rollback" "$CUSTOM"
grep -q "left alone:" "$W/d-rb.err" && fail "d. rollback left IRQs alone" ||
    ok "d. no IRQ left alone"
finish
