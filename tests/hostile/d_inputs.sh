#!/bin/sh
# Hardening (area d): inputs that overflowed the planner or took gigabytes,
# each refused with a message that names it (and nothing written):
#   item 6:  a snapshot with irqbalance running and 30,000 banned IRQs, a
#            profile with "irqbalance": "ban" (the ban list overran the heap);
#   item 11: a 3 GiB sparse /proc/interrupts in a tree (read whole: 3.1 GB),
#            an hwloc XML whose one PU has os_index 2147483647 (265 MB), a
#            snapshot of 100,000 cores (2M took 2.5 GB), a sysctl of 2 MiB.
#   d_inputs.sh TUNER WORKDIR [SRCDIR]
set -u
. "$(dirname "$0")/../apply/lib.sh"
here=$src/tests/hostile
golden=$src/tests/golden/32em64t.show.json

# snapshot FILE PYTHON: the 32em64t golden snapshot changed by PYTHON (on s)
snapshot() {
	python3 - "$golden" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(s, open(sys.argv[2], "w"))
PY
}

# ---- item 6: the planner's irqbalance change ----
snapshot "$work/ban30k.json" 's["irqbalance"]["banned_irqs"] = list(range(1000, 31000))'
expect_refusal "30,000 banned IRQs" 1 \
	'irqbalance: the IRQs to keep it away from \(36 placed now, 30000 banned already\) do not fit in the one 500-byte command' \
	plan --state "$work/ban30k.json" --profile "$here/d_ban.json"
snapshot "$work/ban300.json" 's["irqbalance"]["banned_irqs"] = list(range(1000, 1300))'
expect_refusal "300 banned IRQs" 1 '\(36 placed now, 300 banned already\) do not fit' \
	plan --state "$work/ban300.json" --profile "$here/d_ban.json"
snapshot "$work/ban40.json" 's["irqbalance"]["banned_irqs"] = list(range(1000, 1040))'
tn plan --json --state "$work/ban40.json" --profile "$here/d_ban.json"
if [ "$rc" -eq 2 ] && python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
(c,) = [c for c in p["changes"] if c["kind"] == "irqbalance"]
want = ",".join(str(i) for i in range(1000, 1040))
sys.exit(not (c["before"] == want and c["after"].endswith("," + want)))' "$work/out"; then
	ok "40 banned IRQs: the ban change's before is the whole list, its after the union"
else
	fail "40 banned IRQs: exit $rc"
	{ head -c 600 "$work/err"; echo; } | show
fi

# ---- item 11: sizes and counts ----
tree=$work/tree
rm -rf "$tree"
if ! python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" \
	"$src/tests/fixtures/specs/24em64t.json" "$tree" >"$work/mkfixture.log" 2>&1; then
	fail "mkfixture"
	show "$work/mkfixture.log"
	finish
fi
expect_refusal "hwloc XML: a PU with os_index 2147483647" 1 \
	'd_topology_pu_2147483647.xml: line 7: PU os_index 2147483647: tuner supports numbers below 8192; refused$' \
	show --sysroot "$tree" --topology "$here/d_topology_pu_2147483647.xml"
# a --sysroot of 600 characters: the journal kept 511 of them, and rollback
# then refused the journal as made for another tree
long=$work/$(printf 'l%.0s' $(seq 200))/$(printf 'o%.0s' $(seq 200))/$(printf 'n%.0s' $(seq 200))
rm -rf "$work/l"*
mkdir -p "$long" && cp -a "$tree" "$long/tree"
snap "$long/tree" >"$work/snap.long.0"
tn apply -q --sysroot "$long/tree" --topology "$topo" --state-dir "$work/state-long"
check "$rc" "a ${#long}-character --sysroot: apply exit $rc"
tn rollback -q --last --sysroot "$long/tree" --topology "$topo" --state-dir "$work/state-long"
check "$rc" "a ${#long}-character --sysroot: rollback exit $rc"
[ "$rc" -eq 0 ] || { head -c 600 "$work/err"; echo; } | show
snap "$long/tree" >"$work/snap.long.1"
cmp -s "$work/snap.long.0" "$work/snap.long.1"
check $? "a ${#long}-character --sysroot: the tree is as before the apply"
rm -rf "$work/l"*
# the real text, then a hole to 3 GiB: what the reader saw was accepted
truncate -s 3G "$tree/proc/interrupts"
expect_refusal "3 GiB sparse /proc/interrupts" 1 \
	"^tuner: $tree/proc/interrupts: larger than 64 MiB \(a real one is a few MB\); refused$" \
	show --sysroot "$tree" --topology "$topo"
rm -rf "$tree"
snapshot "$work/cores.json" \
	's["topology"]["cores"] = [{"cpus": "0"}] * 100000'
expect_refusal "100,000 cores in a snapshot" 1 \
	'cores.json: topology.cores: 100000 cores: more than the 8192 tuner accepts$' \
	plan --state "$work/cores.json"
snapshot "$work/sysctl.json" \
	's["sysctls"]["net.core.rmem_max"] = "7" * (2 << 20)'
expect_refusal "a sysctl of 2 MiB in a snapshot" 1 \
	'sysctl.json: sysctls\["net.core.rmem_max"\]: value longer than 1048575 bytes$' \
	plan --state "$work/sysctl.json"
finish
