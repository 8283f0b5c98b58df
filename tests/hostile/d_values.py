#!/usr/bin/env python3
"""Hardening (area d), item 8: no value is cut. On a 4096-CPU host whose two
nodes are numbered alternately (d_mkhost4096.py), every CPU list naming one
node is "0,2,4,...,4094" (9,700 characters): eth0's IRQ affinities, the
Cpus_allowed_list of redis-server's threads; and a sysctl holds 4,000
characters. Plan, apply on the sysroot tree, then rollback: the plan and the
journal carry each value whole, and the tree comes back byte for byte.
(Before: values were cut at 1,023 characters, or the plan refused a CPU list
"too long to record"; lines were read 8 KiB at a time; sysctls kept 255
characters.)

  d_values.py TUNER SRCDIR WORKDIR
"""
import glob, json, os, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402
from tnlib import check, finish, tree_sums  # noqa: E402

tuner, src, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
host = os.path.join(work, "host4096")
t0 = time.monotonic()
if not os.path.isfile(host + ".xml"):
    subprocess.run([sys.executable, os.path.join(src, "tests/hostile/d_mkhost4096.py"), host],
                   check=True)
print(f"host built in {time.monotonic() - t0:.1f} s")
tree = os.path.join(work, "tree")
state = os.path.join(work, "state")
g = ["--sysroot", tree, "--topology", host + ".xml"]
even = ",".join(str(c) for c in range(0, 4096, 2))
odd = ",".join(str(c) for c in range(1, 4096, 2))
ports = ",".join(str(p) for p in range(10001, 12401, 2))


def tail(r):
    return f": {r.stderr[-300:]}" if r.returncode not in (0, 2) else ""


def flow(name, with_process):
    """plan, apply, rollback with tests/hostile/NAME.json on a fresh tree"""
    print(f"== {name}")
    subprocess.run(["rm", "-rf", tree, state], check=True)
    subprocess.run(["cp", "-a", host, tree], check=True)
    profile = os.path.join(src, "tests/hostile", name + ".json")
    pristine = tree_sums(tree)

    r = tnlib.run(tuner, ["plan", "--json", "--profile", profile] + g)
    check(r.returncode == 2, f"plan exit {r.returncode} (2: changes){tail(r)}")
    plan = json.loads(r.stdout) if r.returncode == 2 else {"changes": []}
    by = {}
    for c in plan["changes"]:
        by.setdefault(c["kind"], []).append(c)
    irqs = by.get("irq_affinity", [])
    check(len(irqs) == 4 and all(c["before"] == odd for c in irqs),
          "plan: the 4 IRQs' before is node 1's list, whole (9,700 characters)")
    procs = by.get("process_affinity", [])
    if with_process:
        check(len(procs) == 1 and procs[0]["before"] == even and procs[0]["after"] == odd,
              "plan: redis-server from node 0's list to node 1's, both whole")
    sysctls = by.get("sysctl", [])
    check(len(sysctls) == 1 and sysctls[0]["before"] == ports,
          "plan: the sysctl's before whole (4,000 characters)")

    r = tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g)
    check(r.returncode == 0, f"apply exit {r.returncode}{tail(r)}")
    check(tree_sums(tree) != pristine, "apply changed the tree")
    journals = glob.glob(os.path.join(state, "*.journal"))
    lines = [json.loads(l) for l in open(journals[0])] if journals else []
    records = [c for c in lines if "before" in c]
    if with_process:
        threads = [c for c in records if c["kind"] == "process_affinity"]
        check(len(threads) == 4 and all(c["before"] == even and c["after"] == odd
                                        for c in threads),
              "journal: each of the 4 threads' before and after whole")
        with open(os.path.join(tree, "proc/1187/task/1190/status")) as f:
            check(f"Cpus_allowed_list:\t{odd}\n" in f.read(),
                  "apply: thread 1190 on node 1's CPUs")
    check(sorted(c["before"] for c in records if c["kind"] == "irq_affinity") == [odd] * 4,
          "journal: each IRQ's before whole")
    check([c["before"] for c in records if c["kind"] == "sysctl"] == [ports],
          "journal: the sysctl's before whole")

    r = tnlib.run(tuner, ["rollback", "--last", "--state-dir", state] + g)
    check(r.returncode == 0, f"rollback exit {r.returncode}{tail(r)}")
    after = tree_sums(tree)
    diff = sorted(k for k in set(pristine) | set(after) if pristine.get(k) != after.get(k))
    check(not diff, "rollback: the tree is byte for byte as before the apply"
          + (f" (differs: {diff[:5]})" if diff else ""))


flow("d_values_4096_no_process", False)
flow("d_values_4096", True)
finish()
