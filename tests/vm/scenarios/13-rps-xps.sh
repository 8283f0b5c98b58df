#!/bin/sh
# 13-rps-xps: RPS, RFS, XPS and flow limits on a real kernel (issue 15).
# A profile on eth0 (virtio-net, 4 queue pairs, node 1 = CPUs 2-3): its queue
# IRQs placed, rps.cpus "0-1" with 4096 flow entries, xps.cpus "irq", and
# flow_limit on the IRQ CPUs with table_len 8192. After apply the kernel's own
# files must say so: each rx-N/rps_cpus holds CPUs 0-1, rps_flow_cnt 1024
# (4096 over 4 queues), each tx-N/xps_cpus the CPU of virtioX-output.N's IRQ,
# rps_sock_flow_entries 4096, flow_limit_cpu_bitmap the IRQ CPUs; verify is
# clean. `rollback --last` then restores every one of those files byte for
# byte (as the kernel prints them), and a second rollback changes nothing.
# Self-contained: its own state directory; leaves the host as it found it.
. /tnvm/lib.sh

SDR=/tmp/rps-sd
Q=/sys/class/net/eth0/queues
P=/tmp/rps.json
rm -rf "$SDR"
mkdir -m 700 "$SDR"
cat > "$P" <<'JSON'
{"name": "vm-rps-xps", "irqbalance": "ignore",
 "interfaces": [{"match": {"name": "eth0"}, "irq": {},
                 "rps": {"cpus": "0-1", "flow_entries": 4096}, "xps": {"cpus": "irq"}}],
 "flow_limit": {"cpus": "irq", "table_len": 8192}}
JSON
chmod 600 "$P"

# dump: every file the profile touches, "path|content" (content as read)
dump() {
    for f in $Q/rx-*/rps_cpus $Q/rx-*/rps_flow_cnt $Q/tx-*/xps_cpus \
             /proc/sys/net/core/rps_sock_flow_entries /proc/sys/net/core/flow_limit_cpu_bitmap \
             /proc/sys/net/core/flow_limit_table_len; do
        echo "$f|$(cat "$f" 2>&1)"
    done
}
# mask CPU... -> the hex mask of those CPUs, as wide as the kernel prints on 4 CPUs
mask() { m=0; for c in "$@"; do m=$((m | (1 << c))); done; printf '%x' "$m"; }

nq=$(ls -d $Q/rx-* | wc -l)
check_eq "eth0 rx queues" "$nq" 4
dump > /tmp/rps.before
cat /tmp/rps.before
vdev=$(basename "$(readlink -f /sys/class/net/eth0/device)")

start=$(date +%s)
if "$TUNER" apply --profile "$P" --state-dir "$SDR" > /tmp/rps.out 2> /tmp/rps.err; then
    ok "tuner apply: $(tail -n 1 /tmp/rps.err)"
else
    cat /tmp/rps.out /tmp/rps.err
    fatal "tuner apply exited non-zero"
fi
irqcpus=
for n in 0 1 2 3; do
    check_eq "rx-$n/rps_cpus" "$(cat $Q/rx-$n/rps_cpus)" "$(mask 0 1)"
    check_eq "rx-$n/rps_flow_cnt" "$(cat $Q/rx-$n/rps_flow_cnt)" 1024
    irq=$(irq_by_name "$vdev-output.$n")
    [ -n "$irq" ] || { fail "no IRQ $vdev-output.$n"; continue; }
    aff=$(cat /proc/irq/$irq/smp_affinity_list)
    check_eq "tx-$n/xps_cpus (the CPU of IRQ $irq $vdev-output.$n: $aff)" \
        "$(cat $Q/tx-$n/xps_cpus)" "$(mask $(cpulist_expand "$aff"))"
    irqcpus="$irqcpus $(cpulist_expand "$aff" | tr '\n' ' ')"
    inirq=$(irq_by_name "$vdev-input.$n")
    [ -n "$inirq" ] && irqcpus="$irqcpus $(cpulist_expand "$(cat /proc/irq/$inirq/smp_affinity_list)" | tr '\n' ' ')"
done
check_eq "net.core.rps_sock_flow_entries" "$(cat /proc/sys/net/core/rps_sock_flow_entries)" 4096
check_eq "net.core.flow_limit_table_len" "$(cat /proc/sys/net/core/flow_limit_table_len)" 8192
check_eq "net.core.flow_limit_cpu_bitmap (the queue IRQ CPUs:$irqcpus)" \
    "$(cat /proc/sys/net/core/flow_limit_cpu_bitmap)" "$(mask $irqcpus)"
"$TUNER" verify --profile "$P" > /tmp/rps.vout 2>&1
check_eq "tuner verify after apply: exit status" "$?" 0

"$TUNER" rollback --last --state-dir "$SDR" > /tmp/rps.rb 2>&1
check_eq "tuner rollback --last: exit status" "$?" 0
dump > /tmp/rps.after
if cmp -s /tmp/rps.before /tmp/rps.after; then
    ok "rollback restored every queue file and sysctl byte for byte"
else
    fail "rollback left differences:"
    diff /tmp/rps.before /tmp/rps.after
fi
"$TUNER" rollback --last --state-dir "$SDR" > /tmp/rps.rb2 2>&1
check_eq "a second rollback: exit status" "$?" 0
dump > /tmp/rps.after2
cmp -s /tmp/rps.before /tmp/rps.after2 && ok "a second rollback changed nothing" ||
    fail "a second rollback changed the files"
note "apply, verify and two rollbacks took $(($(date +%s) - start)) s"
finish
