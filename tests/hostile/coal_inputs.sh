#!/bin/sh
# Issue 15 part B (interrupt coalescing, netdev-genl queue links): hostile
# snapshots (a coalescing value beyond u32, a flag as a number, an unknown
# parameter, a queue_source that is no source, a napi_id of 0) and profiles
# (a coalescing value as a string) are refused naming the file and the JSON
# path; a parameter the driver does not report is refused at plan time naming
# NIC and parameter; a NIC whose coalescing was not read is said, not planned.
# Snapshots and profiles only: no kernel is touched.
#   coal_inputs.sh TUNER WORKDIR [SRCDIR]
set -u
. "$(dirname "$0")/../apply/lib.sh"
golden=$src/tests/golden/32em64t.show.json
here=$src/tests/hostile

expect() {
	name=$1 want=$2 pattern=$3
	shift 3
	tn "$@"
	if [ "$rc" -ne "$want" ] || ! grep -Eq "$pattern" "$work/err" "$work/out"; then
		fail "$name: exit $rc (want $want), want a message matching /$pattern/; stderr:"
		{ head -c 600 "$work/err"; echo; } | show
	else
		ok "$name: $(grep -h -m 1 -E "$pattern" "$work/err" "$work/out" | cut -c 1-160)"
	fi
}

# snap NAME PYTHON: the golden snapshot with eth0 (nics[0]) changed by PYTHON
mksnap() {
	python3 - "$golden" "$work/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = d["nics"][0]
ok = {"rx_usecs": 3, "rx_frames": None, "tx_usecs": None, "adaptive_rx": None}
for m in d["nics"]:
    m["coalesce"] = dict(ok)
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
}

mksnap big 'n["coalesce"]["rx_usecs"] = 4294967296'
expect "rx_usecs beyond u32" 1 "big.json: nics\[0\]\.coalesce\.rx_usecs: .*4294967295" \
	show --state "$work/big.json"
mksnap flag 'n["coalesce"]["adaptive_rx"] = 1'
expect "adaptive_rx as a number" 1 "flag.json: nics\[0\]\.coalesce\.adaptive_rx: expected true or false" \
	show --state "$work/flag.json"
mksnap extra 'n["coalesce"]["tx_frames"] = 1'
expect "an unknown parameter" 1 "extra.json: .*tx_frames" show --state "$work/extra.json"
mksnap missing 'del n["coalesce"]["tx_usecs"]'
expect "a parameter left out" 1 "missing.json: nics\[0\]\.coalesce\.tx_usecs: missing" \
	show --state "$work/missing.json"
mksnap source 'n["queue_source"] = "guess"'
expect "a queue_source that is no source" 1 \
	"source.json: nics\[0\]\.queue_source: expected \"netdev-genl\" or \"irq_name\"" \
	show --state "$work/source.json"
mksnap napi 'n["irqs"][0]["napi_id"] = 0'
expect "a napi_id of 0" 1 "napi.json: nics\[0\]\.irqs\[0\]\.napi_id" show --state "$work/napi.json"

expect "a coalescing value as a string" 1 \
	"coal_profile_string.json:5:33: interfaces\[0\]\.coalesce\.rx_usecs: expected an integer 0 to 1000000" \
	profile validate "$here/coal_profile_string.json"

# i40e here reports rx_usecs only: adaptive_rx is refused, naming NIC and parameter
mksnap good 'pass'
expect "a parameter the driver does not report" 1 \
	"^tuner: eth0: coalesce\.adaptive_rx: the driver i40e does not support it \(interfaces\[0\]\)$" \
	plan --state "$work/good.json" --profile "$here/coal_profile_ok.json"
mksnap adaptive 'for m in d["nics"]: m["coalesce"]["adaptive_rx"] = False'
expect "the plan: eth0 and eth1 rx_usecs, adaptive_rx already off" 2 \
	"eth1 rx_usecs coalesce: 3 -> 100" \
	plan --state "$work/adaptive.json" --profile "$here/coal_profile_ok.json"
if grep -q adaptive_rx "$work/out"; then
	fail "adaptive_rx planned although already off"
	show "$work/out"
fi
mksnap unread 'del d["nics"][1]["coalesce"]; d["nics"][0]["coalesce"]["adaptive_rx"] = False'
expect "a NIC whose coalescing was not read" 2 \
	"eth1: interrupt coalescing not read \(netlink not asked or failed\); coalesce not planned" \
	plan --state "$work/unread.json" --profile "$here/coal_profile_ok.json"

finish
