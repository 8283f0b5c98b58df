# Effect scenario 3, the UDP receive buffer (the socket-buffer incident): a
# receiver in B that does not read until the sender is done, 2000 datagrams
# of 1000 bytes from A: Udp RcvbufErrors (B's /proc/net/snmp) 1907 at
# rmem_default 212992. diagnose --netns B sizes rmem_default/rmem_max by what
# was dropped over what was delivered; applied, nothing is dropped. A receiver
# that sets SO_RCVBUF 16 MiB itself is capped by rmem_max: its own row, before
# (1815), after tuner's profile, the write-up's, and after rollback. Side by
# side: the write-up's rmem_max (socket-buffers profile, which is also the
# hand fix: it leaves rmem_default alone, so the plain receiver still drops).
. /tnvm/lib.sh
SCN=udp
. /tnvm/scenarios/effect.inc
trap eff_cleanup EXIT
eff_save
eff_netns ""
sctl net.core.rmem_default 212992
sctl net.core.rmem_max 212992

# load [RCVBUF]: LOSS = B's Udp RcvbufErrors over one run. The receiver reads
# only once woken (SIGUSR1) after every datagram was processed (eff_settle),
# or after 3 s: the same count as a fixed 3 s sleep, without the wait.
load() {
    $IP netns exec B tnvm-load udp-recv 9100 3 "${1:-0}" 20 > "$EFF/recv.out" 2>&1 &
    local rp=$! e0
    wait_ready "$EFF/recv.out" || return 1
    e0=$(ns_stat B snmp Udp RcvbufErrors)
    $IP netns exec A tnvm-load udp-send 192.0.2.2 9100 2000 1000 1 0 0 > /dev/null
    eff_settle
    kill -USR1 "$rp" 2>/dev/null
    wait "$rp"
    LOSS=$(( $(ns_stat B snmp Udp RcvbufErrors) - e0 ))
}

eff_diagnose 4 udp --profile default --netns B
sleep 1.5
load; before=$LOSS
eff_diag_wait udp
at_least "RcvbufErrors at rmem_default 212992" "$before" 1000
want=$(diag_knob udp udp_rcvbuf net.core.rmem_default)
[ -n "$want" ] && ok "diagnose: udp_rcvbuf, rmem_default -> $want" ||
    fail "diagnose names no udp_rcvbuf finding with rmem_default: $(cat "$EFF/udp.json")"
load 16777216; before_so=$LOSS
at_least "RcvbufErrors of a SO_RCVBUF 16 MiB receiver at rmem_max 212992" "$before_so" 1000
eff_apply "$EFF/udp.profile.json"
got="$(sctl net.core.rmem_default)/$(sctl net.core.rmem_max)"
load; tuner=$LOSS
check_eq "RcvbufErrors after tuner's profile (rmem_default/max $got)" "$tuner" 0
load 16777216; tuner_so=$LOSS
check_eq "RcvbufErrors of the SO_RCVBUF receiver after tuner's profile" "$tuner_so" 0
eff_rollback
check_eq "rmem_default after rollback" "$(sctl net.core.rmem_default)" 212992
check_eq "rmem_max after rollback" "$(sctl net.core.rmem_max)" 212992
load; back=$LOSS
at_least "RcvbufErrors after rollback" "$back" 1000
load 16777216; back_so=$LOSS
at_least "RcvbufErrors of the SO_RCVBUF receiver after rollback" "$back_so" 1000
eff_apply /tnvm/profiles/socket-buffers.json
load; prof=$LOSS
load 16777216; prof_so=$LOSS
eff_rollback
effect_row udp_rcvbuf "$before" "$tuner" "$prof" "$prof" "$back" \
    "rmem_default/rmem_max 212992/212992 -> $got"
SCN=udp-so_rcvbuf
effect_row udp_rcvbuf "$before_so" "$tuner_so" "$prof_so" "$prof_so" "$back_so" \
    "a receiver's SO_RCVBUF 16 MiB, capped by rmem_max 212992 -> $(echo "$got" | cut -d/ -f2)"
finish
