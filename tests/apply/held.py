#!/usr/bin/env python3
"""Held IRQs: rollback puts each IRQ of a NIC whose rings or channels an apply
changed back as it was before that apply, last, after the rings and channels
(drivers reset IRQ affinity when those change: virtio-net spreads its queue
IRQs again, both ways; the VM tier's 17-stage1-irqs shows it on real
kernels). Rings and channels are set through ethtool netlink, so a tree has
none: the journal an apply would leave is made here from a real apply's, as
stage 1 would have written it: held records of eth0's 9 IRQs (an operator's
"1,3") and of eth1's first (as it is), then the IRQ changes, whose "before"
is what the driver had put there after stage 1 ("0-23").

  - rollback: each placed IRQ back to 1,3 (not to the driver's 0-23, which
    its own change recorded), reported once ("restored from P, as before
    eth0's rings or channels changed"); the unplaced ones, as before, are not
    mentioned; a second rollback restores nothing;
  - --dry-run says the same and writes nothing;
  - an IRQ changed by someone since the apply is left alone (named once, with
    the three values), and restored with --force;
  - an IRQ whose number is another vector's now (its actions file) is not
    written: skipped, saying whose it is;
  - history and --json count the IRQ changes, the held records apart.

  held.py TUNER SRCDIR WORKDIR
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
OP = "1,3"          # what the operator had set on eth0's IRQs
DRIVER = "0-23"     # where the driver put them after the channel change
ETH0 = range(48, 57)
prof = os.path.join(fx.work, "held.json")
with open(prof, "w") as fh:
    json.dump({"name": "held", "irqbalance": "ignore",
               "interfaces": [{"match": {"name": "eth0"}, "irq": {}}]}, fh)


def aff(irq):
    with open(os.path.join(tree, f"proc/irq/{irq}/smp_affinity_list")) as fh:
        return fh.read().strip()


def put(irq, value, f="proc/irq/{}/smp_affinity_list"):
    with open(os.path.join(tree, f.format(irq)), "w") as fh:
        fh.write(value + "\n")


def name(irq):
    with open(os.path.join(tree, f"sys/kernel/irq/{irq}/actions")) as fh:
        return fh.read().strip()


def tn(args):
    return tnlib.run(tuner, args + ["--state-dir", state] + g)


def journal():
    (j,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    return os.path.join(state, j)


def setup():
    """A fresh tree, eth0's IRQs at OP, applied, and its journal made as an
    apply with a channel change of eth0 leaves it. Returns {irq: value set}."""
    fx.fresh()
    for i in ETH0:
        put(i, OP)
    r = tn(["apply", "-q", "--profile", prof])
    check(r.returncode == 0, f"apply: exit {r.returncode} {r.stderr[-300:]}")
    path = journal()
    lines = [json.loads(l) for l in open(path)]
    held = [{"kind": "irq_affinity", "target": str(i), "key": "held", "before": OP, "after": OP,
             "label": name(i), "reason": "as before eth0's rings or channels changed"}
            for i in ETH0]
    held.append({"kind": "irq_affinity", "target": "57", "key": "held", "before": aff(57),
                 "after": aff(57), "label": name(57),
                 "reason": "as before eth1's rings or channels changed"})
    out, placed = [lines[0]], {}
    for k, h in enumerate(held):
        out.append(dict(h, seq=k, status="pending"))
    for l in lines[1:]:
        if "seq" in l:
            l = dict(l, seq=l["seq"] + len(held))
        if l.get("kind") == "irq_affinity":
            placed[int(l["target"])] = l["after"]
            l["before"] = DRIVER
        out.append(l)
    with open(path, "w") as fh:
        fh.write("".join(json.dumps(l, separators=(",", ":")) + "\n" for l in out))
    check(len(placed) == 8 and all(aff(i) == v for i, v in placed.items()),
          f"the apply placed eth0's 8 queue IRQs: {placed}")
    return placed


def lines_of(r, irq):
    return [l for l in r.stderr.splitlines() if l.startswith(f"tuner: irq {irq} ")]


# --- rollback: every IRQ back to what the operator had -----------------------
placed = setup()
r = tn(["rollback", "--last", "--dry-run"])
check(r.returncode == 0 and all(aff(i) == v for i, v in placed.items()),
      f"--dry-run: exit {r.returncode}, nothing written")
want = {i: [f"tuner: irq {i} {name(i)}: {OP} (would be restored from {v}, as before eth0's "
            f"rings or channels changed)"] for i, v in placed.items()}
check(all(lines_of(r, i) == w for i, w in want.items()),
      f"--dry-run: one line per placed IRQ, what it would restore\n{r.stderr}")
check(": 8 restored, 0 already as before" in r.stderr, f"--dry-run: 8 would be restored: {r.stderr.splitlines()[-1:]}")
r = tn(["rollback", "--last"])
check(r.returncode == 0, f"rollback: exit {r.returncode}")
check(all(aff(i) == OP for i in ETH0), f"rollback: eth0's IRQs at {OP}: {[aff(i) for i in ETH0]}")
want = {i: [f"tuner: irq {i} {name(i)}: {OP} (restored from {v}, as before eth0's rings or "
            f"channels changed)"] for i, v in placed.items()}
check(all(lines_of(r, i) == w for i, w in want.items()),
      f"rollback: one line per placed IRQ, restored from what apply set\n{r.stderr}")
check(DRIVER not in r.stderr, "rollback: nothing restored to the driver's value the IRQ changes recorded")
check(not lines_of(r, 48) and not lines_of(r, 57), "rollback: the IRQs as they were are not mentioned")
check(": 8 restored, 0 already as before, 0 never applied, 0 left alone (changed since), "
      "0 skipped, 0 failed" in r.stderr, f"rollback: summary {r.stderr.splitlines()[-1:]}")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and ": 0 restored," in r.stderr and all(aff(i) == OP for i in ETH0),
      f"a second rollback restores nothing: {r.stderr.splitlines()[-1:]}")
r = tn(["history", "--json"])
hist = json.loads(r.stdout) if r.returncode == 0 else []
check([h.get("changes") for h in hist] == [8], f"history counts the 8 IRQ changes: {r.stdout[:300]}")
r = tn(["rollback", "--last", "--json", "--dry-run"])
doc = json.loads(r.stdout) if r.returncode == 0 else {}
check(len(doc.get("changes", [])) == 8 and len(doc.get("held", [])) == 10 and
      all(h["key"] == "held" and h["status"] == "rolled back" for h in doc.get("held", [])),
      f"--json: 8 changes, 10 held records apart: {r.stdout[:300]}")

# --- changed by someone since the apply: left alone, --force restores --------
placed = setup()
put(49, "7")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and aff(49) == "7" and all(aff(i) == OP for i in ETH0 if i != 49),
      f"rollback: IRQ 49 left at 7, the others at {OP}")
check(lines_of(r, 49) == [f"tuner: irq 49 {name(49)}: left alone: changed since the apply: now 7, "
                          f"tuner had left {placed[49]} (--force restores {OP})"],
      f"rollback: IRQ 49 said once, left alone, with its three values: {lines_of(r, 49)}")
check(": 7 restored, 0 already as before, 0 never applied, 1 left alone" in r.stderr,
      f"rollback: summary {r.stderr.splitlines()[-1:]}")
r = tn(["rollback", "--last", "--force"])
check(r.returncode == 0 and aff(49) == OP, f"rollback --force: IRQ 49 at {OP}: {aff(49)}")

# --- the number is another vector's now: not written ------------------------
placed = setup()
put(50, "nvme0q1", "sys/kernel/irq/{}/actions")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and aff(50) == placed[50] and
      all(aff(i) == OP for i in ETH0 if i != 50), f"rollback: IRQ 50 not written: {aff(50)}")
check(lines_of(r, 50) == ["tuner: irq 50 eth0-TxRx-1: skipped: IRQ 50 is nvme0q1 now, not "
                          "eth0-TxRx-1 (its driver requested its IRQs anew): not restored"],
      f"rollback: IRQ 50 skipped, saying whose it is: {lines_of(r, 50)}")
finish()
