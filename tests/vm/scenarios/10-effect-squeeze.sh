# Effect scenario 2, the softirq squeeze (the microburst incident): the
# set-up of 09 with 200 sockets and 10 bursts of 300 datagrams 500 ms apart:
# time_squeeze grows, nothing is dropped. The bursts fit netdev_budget 300
# (the backlog's weight is 64) but one round outlasts the time limit: diagnose
# must say time, not packets, ran out, and recommend netdev_budget_usecs only,
# within its bound (8000 us). On 6.12 that is already the kernel's default,
# so tuner's profile cannot clear it; raising netdev_budget (the write-up's
# hand fix, and the microburst profile) changes nothing either. What clears it
# in this TCG guest is far beyond any host's bound: TCG_USECS below (64
# jiffies), set by the test only to show that time is what binds. Measured at
# 128000 us: 1 to 17 squeezes left of 50-60 (a loaded host slows the guest),
# hence 256000 and a margin of half.
. /tnvm/lib.sh
SCN=squeeze
. /tnvm/scenarios/effect.inc
trap eff_cleanup EXIT
eff_save
eff_netns 2
sctl net.core.netdev_max_backlog 1000
sctl net.core.netdev_budget 300
TCG_USECS=256000

# load: LOSS = softnet_stat time_squeeze over the bursts (drops: DROPS)
load() {
    $IP netns exec B tnvm-load udp-sink 9000 200 30 > "$EFF/sink.out" 2>&1 &
    local sp=$! q0 d0
    wait_ready "$EFF/sink.out" || return 1
    q0=$(softnet_sum 3); d0=$(softnet_sum 2)
    $IP netns exec A taskset -c 0 tnvm-load udp-send 192.0.2.255 9000 300 64 10 500 33554432 > /dev/null
    sleep 1
    LOSS=$(( $(softnet_sum 3) - q0 )); DROPS=$(( $(softnet_sum 2) - d0 ))
    kill "$sp"; wait "$sp" 2>/dev/null
}

usecs0=$(sctl net.core.netdev_budget_usecs)
eff_diagnose 9 squeeze --profile default
sleep 1
load; before=$LOSS
eff_diag_wait squeeze
at_least "time_squeeze at netdev_budget 300, usecs $usecs0" "$before" 20
check_eq "dropped (the backlog is large enough)" "$DROPS" 0
ev=$(diag_field squeeze softirq_budget evidence)
case "$ev" in
    *"ran out of time, not packets"*) ok "diagnose: time, not packets: $ev" ;;
    *) fail "diagnose does not say time ran out: '$ev'" ;;
esac
check_eq "diagnose recommends netdev_budget" "$(diag_knob squeeze softirq_budget net.core.netdev_budget)" ""
want=$(diag_knob squeeze softirq_budget net.core.netdev_budget_usecs)
if [ "$usecs0" -lt 8000 ]; then
    check_eq "diagnose: netdev_budget_usecs" "$want" 8000
else
    check_eq "diagnose: netdev_budget_usecs (already at the bound)" "$want" ""
fi
eff_apply "$EFF/squeeze.profile.json"
got=$(sctl net.core.netdev_budget_usecs)
load; tuner=$LOSS
eff_rollback
check_eq "netdev_budget_usecs after rollback" "$(sctl net.core.netdev_budget_usecs)" "$usecs0"
load; back=$LOSS
at_least "time_squeeze after rollback" "$back" 20
# the hand fix (netdev_budget raised) and the shipped microburst profile
sctl net.core.netdev_budget 600; load; hand=$LOSS; sctl net.core.netdev_budget 300
eff_apply /tnvm/profiles/microburst.json; load; prof=$LOSS; eff_rollback
# the time limit is what binds: a limit long enough for a burst clears it
sctl net.core.netdev_budget_usecs $TCG_USECS; load; tcg=$LOSS
sctl net.core.netdev_budget_usecs "$usecs0"
at_most "time_squeeze at netdev_budget_usecs $TCG_USECS (before: $before)" "$tcg" $((before / 2))
at_least "time_squeeze with netdev_budget 600 (packets do not bind)" "$hand" $((before / 3))
effect_row softirq_budget "$before" "$tuner" "$hand" "$prof" "$back" \
    "netdev_budget_usecs $usecs0 -> $got (diagnose: ${want:-at its bound}); $TCG_USECS: $tcg"
finish
