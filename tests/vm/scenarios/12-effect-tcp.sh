# Effect scenario 4, TCP prune and collapse (the socket-buffer incident):
# 10000 one-byte writes (TCP_NODELAY) from A into a receiver in B that reads
# only once the sender is done, initcwnd 20000 on A's route (otherwise the sender coalesces). With
# tcp_rmem "4096 131072 6291456" B's TcpExt PruneCalled and TCPRcvCollapsed
# grow by thousands. tcp_rmem is per network namespace: diagnose --netns B
# reads it there, and its tcp_rmem is applied inside B (ip netns exec), the
# rest of its profile on the host. Raising only the maximum makes it prune
# more (shown below); diagnose raises the default with it. Side by side: the
# write-up's tcp_rmem (the socket-buffers profile, which is also the hand fix).
. /tnvm/lib.sh
SCN=tcp
. /tnvm/scenarios/effect.inc
trap eff_cleanup EXIT
eff_save
eff_netns ""
$IP -n A route replace 192.0.2.0/24 dev vA proto kernel scope link src 192.0.2.1 initcwnd 20000 ||
    fatal "cannot set initcwnd on A's route"
RMEM0="4096 131072 6291456"
rmem_b() {
    if [ $# -gt 0 ]; then $IP netns exec B sh -c "echo '$1' > /proc/sys/net/ipv4/tcp_rmem"
    else $IP netns exec B cat /proc/sys/net/ipv4/tcp_rmem | tr -s ' \t' '  '; fi
}
rmem_b "$RMEM0"
printf '{ "name": "effect-base", "description": "no rules: the emitted profile holds exactly what diagnose recommends" }\n' \
    > "$EFF/base.json"

# load: PRUNE, COLLAPSE = B's TcpExt counters over one run; LOSS = both. The
# receiver reads once woken (SIGUSR1) after the sender is done and the
# receive path is idle (eff_settle), or after 3 s: the same counts as a fixed
# 3 s sleep (measured: 1505/4914 on 6.1 either way), without the wait.
load() {
    $IP netns exec B tnvm-load tcp-recv 9200 3 20 > "$EFF/trecv.out" 2>&1 &
    local rp=$! p0 c0
    wait_ready "$EFF/trecv.out" || return 1
    p0=$(ns_stat B netstat TcpExt PruneCalled); c0=$(ns_stat B netstat TcpExt TCPRcvCollapsed)
    $IP netns exec A tnvm-load tcp-send 192.0.2.2 9200 10000 > /dev/null
    eff_settle
    kill -USR1 "$rp" 2>/dev/null
    wait "$rp"
    check_eq "bytes received" "$(tail -n1 "$EFF/trecv.out")" 10000 > /dev/null
    PRUNE=$(( $(ns_stat B netstat TcpExt PruneCalled) - p0 ))
    COLLAPSE=$(( $(ns_stat B netstat TcpExt TCPRcvCollapsed) - c0 ))
    LOSS="$PRUNE/$COLLAPSE"
}

eff_diagnose 5 tcp --profile "$EFF/base.json" --netns B
sleep 1
load; before=$LOSS
eff_diag_wait tcp
at_least "PruneCalled at tcp_rmem $RMEM0" "$PRUNE" 500
at_least "TCPRcvCollapsed at tcp_rmem $RMEM0" "$COLLAPSE" 1000
want=$(diag_knob tcp tcp_rcvbuf net.ipv4.tcp_rmem)
[ -n "$want" ] && ok "diagnose: tcp_rcvbuf, tcp_rmem -> $want" ||
    fail "diagnose names no tcp_rcvbuf finding with tcp_rmem: $(cat "$EFF/tcp.json")"
# the maximum alone: prunes more (why the default must rise too)
max_only="$(echo "$RMEM0" | cut -d' ' -f1-2) $(echo "$want" | awk '{print $3}')"
rmem_b "$max_only"; load; maxonly=$LOSS; maxonly_prune=$PRUNE; rmem_b "$RMEM0"
# tuner's profile: tcp_rmem inside B, the rest on the host
jq '{name: "effect-tcp-netns", sysctl: {"net.ipv4.tcp_rmem": .sysctl["net.ipv4.tcp_rmem"]}}' \
    "$EFF/tcp.profile.json" > "$EFF/tcp-ns.json" &&
    jq 'del(.sysctl["net.ipv4.tcp_rmem"])' "$EFF/tcp.profile.json" > "$EFF/tcp-host.json" ||
    fatal "cannot split the emitted profile: $(cat "$EFF/tcp.profile.json")"
eff_apply "$EFF/tcp-host.json"
$IP netns exec B "$TUNER" apply --profile "$EFF/tcp-ns.json" > "$EFF/apply-ns.out" 2>&1 ||
    fail "tuner apply in B failed: $(tail -n 3 "$EFF/apply-ns.out")"
got=$(rmem_b)
load; tuner=$LOSS
check_eq "PruneCalled/TCPRcvCollapsed after tuner's profile (tcp_rmem in B: $got)" "$tuner" 0/0
$IP netns exec B "$TUNER" rollback --last > "$EFF/rollback-ns.out" 2>&1 ||
    fail "tuner rollback in B failed: $(tail -n 3 "$EFF/rollback-ns.out")"
eff_rollback
check_eq "tcp_rmem in B after rollback" "$(rmem_b)" "$RMEM0"
load; back=$LOSS
at_least "TCPRcvCollapsed after rollback" "$COLLAPSE" 1000
# the write-up's tcp_rmem (socket-buffers profile) in B
jq '{name: "effect-socket-buffers", sysctl: {"net.ipv4.tcp_rmem": .sysctl["net.ipv4.tcp_rmem"]}}' \
    /tnvm/profiles/socket-buffers.json > "$EFF/sb-ns.json"
$IP netns exec B "$TUNER" apply --profile "$EFF/sb-ns.json" > "$EFF/apply-ns.out" 2>&1 ||
    fail "tuner apply of socket-buffers' tcp_rmem in B failed: $(tail -n 3 "$EFF/apply-ns.out")"
load; prof=$LOSS
$IP netns exec B "$TUNER" rollback --last > "$EFF/rollback-ns.out" 2>&1 || fail "rollback in B failed"
at_least "PruneCalled with the maximum alone raised ($max_only)" "$maxonly_prune" 500
effect_row tcp_rcvbuf "$before" "$tuner" "$prof" "$prof" "$back" \
    "tcp_rmem (in B) $RMEM0 -> $got; the maximum alone: $maxonly"
finish
