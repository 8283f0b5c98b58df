#!/usr/bin/env python3
"""Drift after an apply, on the 24em64t tree with redis-numa-split: an IRQ, a
sysctl and a thread of redis-server changed by hand. verify exits 2 and names
each of them (text and --json). A value that still satisfies an only-raise
minimum (netdev_max_backlog raised further) is not drift for verify, but it
was changed since the apply, so rollback leaves all four hand changes alone,
naming them, and restores everything else; rollback --force then restores
them too, and the tree is byte for byte as before the apply.

  drift.py TUNER SRCDIR WORKDIR
"""
import glob, json, os, re
from tnlib import check, finish, tree_sums, Setup
import tnlib

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
profile = fx.profile("redis-numa-split")
before = tree_sums(tree)


def tn(*args):
    return tnlib.run(tuner, list(args) + g)


def put(rel, text):
    with open(os.path.join(tree, rel), "w") as f:
        f.write(text + "\n")


r = tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g)
check(r.returncode == 0, f"apply exit {r.returncode}")
(jpath,) = glob.glob(os.path.join(state, "*.journal"))
changes = [json.loads(l) for l in open(jpath)]
changes = [c for c in changes if "before" in c]
irq = next(c for c in changes if c["kind"] == "irq_affinity")
thread = next(c for c in changes if c["kind"] == "process_affinity" and "/" in c["target"]
              and len(set(tnlib.proc_ids(c["target"]))) == 2)
pid, tid = tnlib.proc_ids(thread["target"])
v = tn("verify", "--profile", profile)
check(v.returncode == 0, f"verify right after the apply: exit {v.returncode}")

# by hand: one IRQ to CPUs 0-3, one thread to CPU 0, netdev_budget below the
# profile's minimum, netdev_max_backlog above it (still fine: only-raise)
put(f"proc/irq/{irq['target']}/smp_affinity_list", "0-3")
st = os.path.join(tree, f"proc/{pid}/task/{tid}/status")
text = open(st).read()
text = re.sub(r"(?m)^Cpus_allowed_list:.*$", "Cpus_allowed_list:\t0", text)
text = re.sub(r"(?m)^Cpus_allowed:(\s*).*$", r"Cpus_allowed:\g<1>000001", text)
open(st, "w").write(text)
put("proc/sys/net/core/netdev_budget", "100")
put("proc/sys/net/core/netdev_max_backlog", "100000")

v = tn("verify", "--profile", profile)
out = v.stdout
check(v.returncode == 2, f"verify after the changes by hand: exit {v.returncode} (want 2)")
check(f"irq {irq['target']}" in out and "found 0-3" in out,
      f"verify names irq {irq['target']} and what it found")
check("net.core.netdev_budget" in out and "found 100" in out,
      "verify names net.core.netdev_budget and what it found")
check(f"{tid} (on 0)" in out, f"verify names thread {tid} of pid {pid} and where it is")
check("netdev_max_backlog" not in out, "a value above an only-raise minimum is not drift")
vj = tn("verify", "--json", "--profile", profile)
try:
    doc = json.loads(vj.stdout)
    targets = {tnlib.proc_ids(c["target"])[0] if c["kind"].startswith("process") else c["target"]
               for c in doc["changes"]}
    check(vj.returncode == 2 and doc["matches"] is False and
          {irq["target"], "net.core.netdev_budget"} <= targets and
          pid in targets and
          any(f"{tid} (on 0)" in c.get("hint", "") for c in doc["changes"]),
          f"verify --json: exit {vj.returncode}, the IRQ, the sysctl and the process listed, the thread in a hint: {sorted(targets)}")
except (ValueError, KeyError) as e:
    check(False, f"verify --json output: {e}: {vj.stdout[:200]}")

rb = tnlib.run(tuner, ["rollback", "--last", "--state-dir", state] + g)
err = rb.stderr
check(rb.returncode == 0, f"rollback exit {rb.returncode}")
check(err.count("left alone: changed since the apply") == 4 and "4 left alone" in err,
      "rollback leaves the four hand changes alone and says so")
now = tree_sums(tree)
diff = {p for p in now if now[p] != before[p]}
want = {f"proc/irq/{irq['target']}/smp_affinity_list", f"proc/{pid}/task/{tid}/status",
        "proc/sys/net/core/netdev_budget", "proc/sys/net/core/netdev_max_backlog"}
check(diff == want, f"after rollback only the hand-changed files differ: {sorted(diff)}")
check(open(os.path.join(tree, f"proc/irq/{irq['target']}/smp_affinity_list")).read().strip()
      == "0-3", "the hand-set IRQ affinity is kept")
rf = tnlib.run(tuner, ["rollback", "--last", "--force", "--state-dir", state] + g)
check(rf.returncode == 0 and " 4 restored" in rf.stderr,
      f"rollback --force restores the four: {rf.stderr.strip().splitlines()[-1:]}")
check(tree_sums(tree) == before, "after rollback --force the tree is byte for byte as before")
finish()
