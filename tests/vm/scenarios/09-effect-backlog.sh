# Effect scenario 1, the per-CPU backlog (the OpenStack/veth incident): a
# burst of 5000 broadcast datagrams from namespace A, RPS steering vB to CPU 1,
# 100 bound never-read sockets in B (each datagram cloned to each). With
# netdev_max_backlog 1000 softnet_stat column 2 grows by thousands; diagnose
# names the backlog and sizes netdev_max_backlog from the drops; its profile
# (extending default) applied, the same burst drops nothing; rolled back, the drops are back. Side by side: the hand fix
# (CSC: 3000) and the shipped network-node profile.
. /tnvm/lib.sh
SCN=backlog
. /tnvm/scenarios/effect.inc
trap eff_cleanup EXIT
eff_save
eff_netns 2
sctl net.core.netdev_max_backlog 1000

# load: LOSS = softnet_stat dropped over one burst. A datagram is dropped
# when the sender's sendto() queues it to CPU 1's full backlog, so the count
# is final when the sender returns (measured: the same 1 s later); the sink
# is closed at once, and what is still queued is freed without its clones.
load() {
    $IP netns exec B tnvm-load udp-sink 9000 100 20 > "$EFF/sink.out" 2>&1 &
    local sp=$! d0
    wait_ready "$EFF/sink.out" || return 1
    d0=$(softnet_sum 2)
    $IP netns exec A taskset -c 0 tnvm-load udp-send 192.0.2.255 9000 5000 64 1 0 33554432 > /dev/null
    LOSS=$(( $(softnet_sum 2) - d0 ))
    kill "$sp"; wait "$sp" 2>/dev/null
}

# 1+2: the load under the defaults, diagnose spanning it
eff_diagnose 4 backlog --profile default
sleep 1
load; before=$LOSS
eff_diag_wait backlog
at_least "dropped at netdev_max_backlog 1000" "$before" 500
want=$(diag_knob backlog backlog net.core.netdev_max_backlog)
[ -n "$want" ] && ok "diagnose: backlog, netdev_max_backlog -> $want" ||
    fail "diagnose names no backlog finding with netdev_max_backlog: $(cat "$EFF/backlog.json")"
# 3: apply what diagnose emitted, the same load: diagnose sizes the backlog
# from the drops (1000 + the most one CPU dropped, half as much again, a power
# of two: 8192 for the 2000-3400 measured), deeper than the whole burst (5000),
# so nothing may drop
eff_apply "$EFF/backlog.profile.json"
got=$(sctl net.core.netdev_max_backlog)
check_eq "netdev_max_backlog after tuner's profile (diagnose's value)" "$got" "$want"
load; tuner=$LOSS
check_eq "dropped after tuner's profile (netdev_max_backlog $got)" "$tuner" 0
# 4: rolled back, the loss is back
eff_rollback
check_eq "netdev_max_backlog after rollback" "$(sctl net.core.netdev_max_backlog)" 1000
load; back=$LOSS
at_least "dropped after rollback" "$back" 500
# side by side: the hand fix, the shipped profile
sctl net.core.netdev_max_backlog 3000; load; hand=$LOSS; sctl net.core.netdev_max_backlog 1000
eff_apply /tnvm/profiles/network-node.json; load; prof=$LOSS; eff_rollback
at_most "tuner's profile against the hand fix (3000: $hand)" "$tuner" "$hand"
effect_row backlog "$before" "$tuner" "$hand" "$prof" "$back" "netdev_max_backlog 1000 -> $got (diagnose: $want)"
finish
