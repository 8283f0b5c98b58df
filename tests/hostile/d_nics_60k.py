#!/usr/bin/env python3
"""Hardening (area d), item 10: a snapshot of 60,000 NICs took over a minute,
in the "listed twice" check (each NIC compared with every one before it) and
in the de-duplication of warnings (each warning compared with every earlier
one): both are O(n log n) now. Loads and plans such a snapshot, each NIC of
unknown node with one queue IRQ and unknown rings (two warnings per NIC),
and a copy of it with one NIC listed twice; then 65,536 NICs over 1024
nodes and 8192 cores. Prints the times; asserts the results, not the times.

  d_nics_60k.py TUNER SRCDIR WORKDIR
"""
import json, os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402
from tnlib import check, finish  # noqa: E402

N = 60000
tuner, src, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
nics = [{"name": "n%d" % i, "numa_node": None, "ring": None,
         "irqs": [{"irq": 100 + i, "name": "n%d-TxRx-0" % i, "kind": "txrx", "queue": 0,
                   "affinity": "0-3"}]} for i in range(N)]
state = {"schema_version": 1, "kind": "state",
         "topology": {"cpus": "0-3", "online": "0-3", "nodes": [{"id": 0, "cpus": "0-3"}]},
         "nics": nics}
snap = os.path.join(work, "nics60k.json")
with open(snap, "w") as f:
    json.dump(state, f)
profile = os.path.join(work, "all.json")
with open(profile, "w") as f:
    json.dump({"name": "all", "interfaces": [{"match": "all", "irq": {"exclude": ""},
                                              "rings": {"rx": "max"}}],
               "irqbalance": "ignore"}, f)

t = time.monotonic()
r = tnlib.run(tuner, ["plan", "--json", "--state", snap, "--profile", profile])
print(f"time: plan of {N} NICs: {time.monotonic() - t:.2f} s")
ok = r.returncode == 2
check(ok, f"plan exit {r.returncode} (2: changes){'' if ok else ': ' + r.stderr[-300:]}")
plan = json.loads(r.stdout) if ok else {"changes": [], "warnings": []}
check(len(plan["changes"]) == N, f"{len(plan['changes'])} IRQ changes, one per NIC")
unknown = [w for w in plan["warnings"] if "NUMA node unknown" in w]
rings = [w for w in plan["warnings"] if "ring" in w]
check(len(unknown) == N and len(set(unknown)) == N, f"{len(unknown)} node warnings, each once")
check(len(rings) == N and len(set(rings)) == N, f"{len(rings)} ring warnings, each once")

state["nics"].append(dict(nics[17]))
dup = os.path.join(work, "nics60k-dup.json")
with open(dup, "w") as f:
    json.dump(state, f)
t = time.monotonic()
r = tnlib.run(tuner, ["plan", "--state", dup, "--profile", profile])
print(f"time: refusing {N + 1} NICs with one twice: {time.monotonic() - t:.2f} s")
check(r.returncode == 1 and f'{dup}: nics[{N}]: NIC "n17" is listed twice' in r.stderr,
      f"a NIC listed twice: exit {r.returncode}: {r.stderr.strip()[-200:]}")
# The same spread over the widest host a snapshot may describe: 65,536 NICs
# over 1024 nodes of 8 CPUs (8192 cores). Each NIC ordered the candidate
# CPUs again over every core (over 5 minutes); the order of a node is now
# worked out once.
nodes = [{"id": k, "cpus": "%d-%d" % (8 * k, 8 * k + 7)} for k in range(1024)]
cores = [{"node": c // 8, "cpus": str(c)} for c in range(8192)]
wide = {"schema_version": 1, "kind": "state",
        "topology": {"cpus": "0-8191", "online": "0-8191", "nodes": nodes, "cores": cores},
        "nics": [{"name": "n%d" % i, "numa_node": i % 1024,
                  "irqs": [{"irq": 100 + i, "name": "n%d-TxRx-0" % i, "kind": "txrx",
                            "queue": 0, "affinity": "0-8191"}]} for i in range(65536)]}
snap = os.path.join(work, "wide.json")
with open(snap, "w") as f:
    json.dump(wide, f)
t = time.monotonic()
r = tnlib.run(tuner, ["plan", "--json", "--state", snap, "--profile", profile])
print(f"time: plan of 65536 NICs over 1024 nodes and 8192 cores: {time.monotonic() - t:.2f} s")
ok = r.returncode == 2
check(ok, f"plan exit {r.returncode}{'' if ok else ': ' + r.stderr[-300:]}")
plan = json.loads(r.stdout) if ok else {"changes": []}
node1 = [c for c in plan["changes"] if c["target"] in ("101", "1125")]  # n1, n1025: node 1
check(len(plan["changes"]) == 65536 and len(node1) == 2
      and all(8 <= int(c["after"]) <= 15 for c in node1) and node1[0]["after"] != node1[1]["after"],
      "65536 IRQ changes; two NICs of node 1 on two of its CPUs")
finish()
