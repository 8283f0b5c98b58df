# Effect scenario 2, the softirq squeeze (the microburst incident): the
# set-up of 09 with 200 sockets and 10 bursts of 300 datagrams 300 ms apart:
# time_squeeze grows, nothing is dropped. The bursts fit netdev_budget 300
# (the backlog's weight is 64) but one round outlasts the time limit: diagnose
# must say time, not packets, ran out, and recommend netdev_budget_usecs only.
# Within tuner's own bound (8000 us, both kernels' default already) nothing clears it
# in this TCG guest: its emulated CPUs are slower than any host's and are
# descheduled by the host for tens of ms at a time while jiffies run on. So the
# test states a larger bound, TCG_USECS, with diagnose --max-budget-usecs, and
# applies what diagnose emitted with it; the same samples diagnosed without
# the option must keep to 8000. Raising netdev_budget (the write-up's hand
# fix, and the microburst profile) changes nothing: packets do not bind.
. /tnvm/lib.sh
SCN=squeeze
. /tnvm/scenarios/effect.inc
trap eff_cleanup EXIT
eff_save
eff_netns 2
sctl net.core.netdev_max_backlog 1000
sctl net.core.netdev_budget 300
# the smallest limits that cleared the squeeze in every measured run: 128000
# on 6.12, 384000 on 6.1 (256000 left 2 of ~50 on a loaded host; README):
# 512000 for a margin
TCG_USECS=512000

# load: LOSS = softnet_stat time_squeeze over the bursts (drops: DROPS)
load() {
    $IP netns exec B tnvm-load udp-sink 9000 200 30 > "$EFF/sink.out" 2>&1 &
    local sp=$! q0 d0
    wait_ready "$EFF/sink.out" || return 1
    q0=$(softnet_sum 3); d0=$(softnet_sum 2)
    $IP netns exec A taskset -c 0 tnvm-load udp-send 192.0.2.255 9000 300 64 10 300 33554432 > /dev/null
    eff_settle
    LOSS=$(( $(softnet_sum 3) - q0 )); DROPS=$(( $(softnet_sum 2) - d0 ))
    kill "$sp"; wait "$sp" 2>/dev/null
}

usecs0=$(sctl net.core.netdev_budget_usecs)
"$TUNER" show -q --counters --json > "$EFF/sq-a.json" || fatal "tuner show --counters failed"
eff_diagnose 7 squeeze --profile default --max-budget-usecs "$TCG_USECS"
sleep 1
load; before=$LOSS
eff_diag_wait squeeze
"$TUNER" show -q --counters --json > "$EFF/sq-b.json" || fatal "tuner show --counters failed"
at_least "time_squeeze at netdev_budget 300, usecs $usecs0" "$before" 20
check_eq "dropped (the backlog is large enough)" "$DROPS" 0
ev=$(diag_field squeeze softirq_budget evidence)
case "$ev" in
    *"ran out of time, not packets"*) ok "diagnose: time, not packets: $ev" ;;
    *) fail "diagnose does not say time ran out: '$ev'" ;;
esac
check_eq "diagnose recommends netdev_budget" "$(diag_knob squeeze softirq_budget net.core.netdev_budget)" ""
want=$(diag_knob squeeze softirq_budget net.core.netdev_budget_usecs)
check_eq "diagnose --max-budget-usecs $TCG_USECS: netdev_budget_usecs" "$want" "$TCG_USECS"
# the same load diagnosed within tuner's own bound (the samples taken around it)
"$TUNER" diagnose -q --from "$EFF/sq-a.json" --to "$EFF/sq-b.json" --json > "$EFF/sq8000.json" 2> "$EFF/sq8000.err"
check_eq "diagnose --from/--to: exit status (loss found)" "$?" 2
w8000=$(diag_knob sq8000 softirq_budget net.core.netdev_budget_usecs)
if [ "$usecs0" -lt 8000 ]; then
    check_eq "diagnose without the option: netdev_budget_usecs" "$w8000" 8000
else
    check_eq "diagnose without the option: netdev_budget_usecs (already at its bound)" "$w8000" ""
fi
eff_apply "$EFF/squeeze.profile.json"
got=$(sctl net.core.netdev_budget_usecs)
check_eq "netdev_budget_usecs after tuner's profile" "$got" "$TCG_USECS"
load; tuner=$LOSS
# 0 in every measured run; the host may still deschedule a vCPU for longer
# than the limit on a loaded machine: a residual is named, and bounded
if [ "$tuner" -eq 0 ]; then
    ok "time_squeeze after tuner's profile (netdev_budget_usecs $got) = 0"
else
    note "residual after tuner's profile (netdev_budget_usecs $got): $tuner of $before (the host descheduled the emulated CPU for longer than the limit)"
    at_most "time_squeeze after tuner's profile (netdev_budget_usecs $got)" "$tuner" $((before / 10))
fi
eff_rollback
check_eq "netdev_budget_usecs after rollback" "$(sctl net.core.netdev_budget_usecs)" "$usecs0"
load; back=$LOSS
at_least "time_squeeze after rollback" "$back" 20
# the hand fix (netdev_budget raised) and the shipped microburst profile
sctl net.core.netdev_budget 600; load; hand=$LOSS; sctl net.core.netdev_budget 300
eff_apply /tnvm/profiles/microburst.json; load; prof=$LOSS; eff_rollback
at_least "time_squeeze with netdev_budget 600 (packets do not bind)" "$hand" $((before / 3))
effect_row softirq_budget "$before" "$tuner" "$hand" "$prof" "$back" \
    "netdev_budget_usecs $usecs0 -> $got (diagnose --max-budget-usecs $TCG_USECS; within 8000: ${w8000:-at its bound})"
finish
