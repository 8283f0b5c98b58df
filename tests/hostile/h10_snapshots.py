#!/usr/bin/env python3
"""Snapshots (defect hunt h10).

1. Round trip: on every fixture tree (the three shared topologies), for every
   shipped profile and one that uses every rule kind the trees can show,
   'plan --state' of the tree's 'show --json' gives the same plan, warnings
   and exit status as planning from the tree itself.
2. Hostile snapshots: what discovery never produces is refused naming the
   JSON path (exit 1), where it was planned: an IRQ listed twice in a NIC
   (two changes of IRQ 49, to CPUs 2 and 4, so verify could never match), a
   pid twice (the process moved twice), a thread twice, CPUs beyond
   topology.cpus (online, a node's, a core's: a plan on CPUs the host does
   not have) and a core's node that is no node. An IRQ two NICs list (an
   IPoIB child beside its parent) is still accepted.

  h10_snapshots.py TUNER SRCDIR WORKDIR
"""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402
from tnlib import check  # noqa: E402

tuner, src, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
profiles = [os.path.join(src, "profiles", p) for p in sorted(os.listdir(os.path.join(src, "profiles")))
            if p.endswith(".json") and p != "schema.json"]
every = os.path.join(work, "every.json")
with open(every, "w") as fh:
    json.dump({"name": "every", "interfaces": [
        {"match": {"driver": "igb"}, "irq": {"count": 4, "smt": "allow"},
         "rps": {"cpus": "none"}, "xps": {"cpus": "none"}},
        {"match": "all", "irq": {"count": 2}, "rings": {"rx": "max"},
         "rps": {"cpus": "local", "flow_entries": 4096}, "xps": {"cpus": "irq"}}],
        "flow_limit": {"cpus": "irq", "table_len": 4096},
        "sysctl": {"net.core.netdev_budget": {"min": 600}},
        "processes": [{"match": {"comm": "redis-server"}, "placement": "local"}],
        "irqbalance": "stop"}, fh)
os.chmod(every, 0o644)
profiles.append(every)


def plan(args):
    """(exit status, the JSON plan or None, standard error)"""
    r = tnlib.run(tuner, ["plan", "--json"] + args)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = None
    return r.returncode, doc, r.stderr


snaps = {}
for fx in ("24em64t", "32em64t", "16intel64"):
    tree, topo = tnlib.pristine_tree(src, work, fx)
    g = ["--sysroot", tree, "--topology", topo]
    r = tnlib.run(tuner, ["show", "--json", "--process", "comm:redis-server"] + g)
    snap = os.path.join(work, fx + ".snap.json")
    with open(snap, "w") as fh:
        fh.write(r.stdout)
    snaps[fx] = snap
    check(r.returncode == 0, f"{fx}: show --json (exit {r.returncode})")
    for p in profiles:
        a, b = plan(g + ["--profile", p]), plan(["--state", snap, "--profile", p])
        check((a[1] is not None or a[0] == 1) and a == b,
              f"{fx} {os.path.basename(p)}: the plan from its snapshot is the plan from "
              f"the tree (exit {a[0]} and {b[0]})")

with open(snaps["24em64t"]) as fh:
    base = json.load(fh)
prof = ["--profile", os.path.join(src, "profiles", "redis-numa-split.json")]


def hostile(name, mutate, want):
    s = copy.deepcopy(base)
    mutate(s)
    path = os.path.join(work, name + ".json")
    with open(path, "w") as fh:
        json.dump(s, fh)
    for cmd in (["plan"], ["verify"], ["show"]):
        r = tnlib.run(tuner, cmd + ["--state", path] + (prof if cmd != ["show"] else []))
        check(r.returncode == 1 and f"tuner: {path}: {want}" in r.stderr and not r.stdout,
              f"{cmd[0]} --state {name}: refused, exit 1, '{want}' (exit {r.returncode}: "
              f"{r.stderr.strip().splitlines()[-1:] if r.stderr else ''})")


def irq_twice(s):
    q = copy.deepcopy(s["nics"][0]["irqs"][2])
    s["nics"][0]["irqs"][2]["irq"] = s["nics"][0]["irqs"][1]["irq"]
    s["nics"][0]["irqs"].append(q)


hostile("irq_twice", irq_twice, "nics[0].irqs[2].irq: IRQ 49 is listed twice (also irqs[1])")
hostile("irq_copied", lambda s: s["nics"][1]["irqs"].append(copy.deepcopy(s["nics"][1]["irqs"][3])),
        "nics[1].irqs[9].irq: IRQ 60 is listed twice (also irqs[3])")
hostile("pid_twice", lambda s: s["processes"].append(copy.deepcopy(s["processes"][0])),
        "processes[1].pid: pid 1187 is listed twice (also processes[0])")
hostile("tid_twice",
        lambda s: s["processes"][0]["threads"].append(copy.deepcopy(s["processes"][0]["threads"][2])),
        "processes[0].threads[4].tid: thread 1191 is listed twice (also threads[2])")
hostile("online_beyond", lambda s: s["topology"].update(online="0-31"),
        "topology.online: CPUs 24-31 are not in topology.cpus (the host's CPUs)")


def node_beyond(s):
    s["topology"]["online"] = "0-23"
    s["topology"]["cpus"] = "0-23"
    s["topology"]["nodes"][1]["cpus"] += ",100"


hostile("node_beyond", node_beyond,
        "topology.nodes[1].cpus: CPU 100 is not in topology.cpus (the host's CPUs)")
hostile("core_beyond", lambda s: s["topology"]["cores"][3].update(cpus="6,18,4000"),
        "topology.cores[3].cpus: CPU 4000 is not in topology.cpus (the host's CPUs)")
hostile("core_node", lambda s: s["topology"]["cores"][0].update(node=3),
        "topology.cores[0].node: node 3 is not in topology.nodes")

# an IRQ two NICs list (one device's netdevs) is not refused: placed once
s = copy.deepcopy(base)
s["nics"][1]["irqs"].append(copy.deepcopy(s["nics"][0]["irqs"][1]))
shared = os.path.join(work, "shared.json")
with open(shared, "w") as fh:
    json.dump(s, fh)
code, doc, _ = plan(["--state", shared] + prof)
irq49 = [c for c in (doc or {}).get("changes", []) if c["target"] == "49"]
check(code == 2 and len(irq49) == 1,
      f"an IRQ of two NICs: accepted, one change of it (exit {code}, {len(irq49)} changes)")
tnlib.finish()
