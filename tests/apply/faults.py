#!/usr/bin/env python3
"""Fault injection (TUNER_FAULT=K:WHAT) at every change K of an apply of
redis-numa-split on the 24em64t tree (30 journaled changes: sysctls, IRQs,
every thread of redis-server):
  EINVAL      the write fails: apply exits 1 and the tree is restored byte for
              byte by itself; history says "failed".
  EIO         the same, except at an IRQ, where EIO means a kernel-managed IRQ:
              that change is skipped, the rest applied (exit 0), and rollback
              restores the tree byte for byte.
  exit        tuner _exits before the write at K: the changes before K are in
              the tree; `rollback --last` restores it byte for byte.
  exit-after  tuner _exits after the write at K, before recording it: the
              change K is in the tree too, and rollback still restores it.

  faults.py TUNER SRCDIR WORKDIR

The tree is compared with the pristine one as a whole, but only the files
whose lstat changed are hashed, and only those are copied back between two
fault points (tnlib.Pristine): "restored" means no file differs.
"""
import json, os
from tnlib import check, finish, Setup
import tnlib

fx = Setup()
tuner, tree, state, g, fresh = fx.tuner, fx.tree, fx.state, fx.g, fx.fresh
profile = fx.profile("redis-numa-split")
before = {}  # fx.changes() of the pristine tree: no file differs


def apply(fault=None):
    env = dict(os.environ)
    env.pop("TUNER_FAULT", None)
    if fault:
        env["TUNER_FAULT"] = fault
    return tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g,
                     env=env)


def journal_changes():
    (name,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    lines = [json.loads(l) for l in open(os.path.join(state, name))]
    return [l for l in lines if "kind" in l and "seq" in l and "before" in l]


def history():
    h = tnlib.run(tuner, ["history", "--json", "--state-dir", state])
    return json.loads(h.stdout) if h.returncode == 0 else []


def rollback():
    return tnlib.run(tuner, ["rollback", "--last", "--state-dir", state] + g)


# The clean run: how many changes, of which kinds, and the applied tree.
fresh()
r = apply()
if not check(r.returncode == 0, f"clean apply exit {r.returncode}"):
    print(r.stderr)
    finish()
changes = journal_changes()
applied = fx.changes()
n = len(changes)
check(n >= 20, f"the plan has {n} journaled changes (at least 20 wanted)")
check(applied != before, "the clean apply changed the tree")

for what in ("EINVAL", "EIO", "exit", "exit-after"):
    bad = []
    for k in range(n):
        fresh()
        r = apply(f"{k}:{what}")
        kind = changes[k]["kind"]
        tag = f"{what} at change {k} ({kind} {changes[k]['target']})"
        if what in ("EINVAL", "EIO") and not (what == "EIO" and kind == "irq_affinity"):
            h = history()
            if r.returncode != 1:
                bad.append(f"{tag}: exit {r.returncode}, want 1")
            elif fx.changes() != before:
                bad.append(f"{tag}: the tree was not restored after the failure")
            elif not h or h[0]["status"] != "failed":
                bad.append(f"{tag}: history says {h[0]['status'] if h else 'nothing'}")
            elif rollback().returncode != 0 or fx.changes() != before:
                bad.append(f"{tag}: a rollback after the automatic undo changed the tree")
            continue
        if what == "EIO":
            now = fx.changes()
            irqfile = f"proc/irq/{changes[k]['target']}/smp_affinity_list"
            diff = {p for p in set(now) | set(applied) if now.get(p) != applied.get(p)}
            if r.returncode != 0 or "skipped" not in r.stderr:
                bad.append(f"{tag}: exit {r.returncode}, want 0 with the IRQ skipped: "
                           f"{r.stderr.strip()[-200:]}")
            elif diff != {irqfile} or irqfile in now:
                bad.append(f"{tag}: besides the skipped IRQ the tree is not as applied: "
                           f"{sorted(diff)[:3]}")
            elif rollback().returncode != 0 or fx.changes() != before:
                bad.append(f"{tag}: rollback did not restore the tree")
            continue
        # a crash
        now = fx.changes()
        if r.returncode != 99:
            bad.append(f"{tag}: exit {r.returncode}, want the injected 99")
            continue
        made = k + 1 if what == "exit-after" else k
        if made and now == before:
            bad.append(f"{tag}: the tree is unchanged, but {made} changes were made")
            continue
        rb = rollback()
        if rb.returncode != 0 or fx.changes() != before:
            bad.append(f"{tag}: rollback --last exit {rb.returncode}, tree "
                       f"{'restored' if fx.changes() == before else 'NOT restored'}: "
                       f"{rb.stderr.strip()[-300:]}")
        elif rollback().returncode != 0 or fx.changes() != before:
            bad.append(f"{tag}: a second rollback changed the tree")
    check(not bad, f"{what} at each of the {n} changes: "
          + ("handled" if not bad else f"{len(bad)} wrong:\n  " + "\n  ".join(bad)))

finish()
