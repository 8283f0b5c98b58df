#!/usr/bin/env python3
"""Held IRQs (h4 review): rollback of journals an apply with a ring or channel
change leaves in the cases held.py does not make.

  - interrupted: the apply stopped (a crash, a power cut) after stage 1, where
    the driver re-spread the NIC's IRQs, before stage 2 recorded anything of
    them: rollback puts each held IRQ back as it was before the apply (it said
    'changed since the apply: tuner had left 1,3' and left all of them at the
    driver's spread, exit 0);
  - the same journal ended (the apply finished, no change of the IRQ after its
    held record): an IRQ found changed is someone else's doing, left alone;
  - an IRQ the driver put where the profile wants it (a change from and to
    that value, as apply records it now): put back as before, said once;
  - a journal that cannot be written (a full disk; RLIMIT_FSIZE here) stops
    the record, not the restores: the held IRQs are put back too (they were
    not: the held pass was skipped, eth0's IRQs stayed as the apply left them,
    their IRQ changes unrecorded; apply's undo goes through the same).

  h4_held.py TUNER SRCDIR WORKDIR
"""
import json, os, resource, signal, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
OP = "1,3"          # what the operator had set on eth0's IRQs
DRIVER = "0-23"     # where the driver put them at the channel change
ETH0 = range(48, 57)
prof = os.path.join(fx.work, "held.json")
with open(prof, "w") as fh:
    json.dump({"name": "held", "irqbalance": "ignore",
               "interfaces": [{"match": {"name": "eth0"}, "irq": {}}]}, fh)


def path(irq):
    return os.path.join(tree, f"proc/irq/{irq}/smp_affinity_list")


def aff(irq):
    with open(path(irq)) as fh:
        return fh.read().strip()


def put(irq, value):
    with open(path(irq), "w") as fh:
        fh.write(value + "\n")


def name(irq):
    with open(os.path.join(tree, f"sys/kernel/irq/{irq}/actions")) as fh:
        return fh.read().strip()


def tn(args):
    return tnlib.run(tuner, args + ["--state-dir", state] + g)


def held(k, irq):
    return {"seq": k, "kind": "irq_affinity", "target": str(irq), "key": "held", "before": OP,
            "after": OP, "label": name(irq), "reason": "as before eth0's rings or channels changed",
            "status": "pending"}


def journal(body):
    """A real apply's journal (for its header), its records replaced by body
    (dicts, as JSON lines); eth0's IRQs at OP again."""
    fx.fresh()
    for i in ETH0:
        put(i, OP)
    r = tn(["apply", "-q", "--profile", prof])
    check(r.returncode == 0, f"apply: exit {r.returncode} {r.stderr[-300:]}")
    (j,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    with open(os.path.join(state, j)) as fh:
        head = fh.readline()
    with open(os.path.join(state, j), "w") as fh:
        fh.write(head + "".join(json.dumps(l, separators=(",", ":")) + "\n" for l in body))
    for i in ETH0:
        put(i, OP)  # as the held records say, before what the case puts


def summary(r):
    return (r.stderr.splitlines() or [""])[-1]


# --- interrupted after stage 1: the driver's spread, nothing after the held --
journal([held(k, i) for k, i in enumerate(ETH0)])
for i in ETH0:
    put(i, DRIVER)
r = tn(["rollback", "--last", "--dry-run"])
check(r.returncode == 0 and all(aff(i) == DRIVER for i in ETH0) and
      ": 9 restored, 0 already as before, 0 never applied, 0 left alone" in r.stderr,
      f"interrupted, --dry-run: 9 would be restored, none written: {summary(r)}")
r = tn(["rollback", "--last"])
check(r.returncode == 0, f"interrupted: rollback exit {r.returncode}")
check(all(aff(i) == OP for i in ETH0), f"interrupted: eth0's IRQs at {OP}: {[aff(i) for i in ETH0]}")
check("changed since the apply" not in r.stderr and
      ": 9 restored, 0 already as before, 0 never applied, 0 left alone" in r.stderr,
      f"interrupted: 9 restored, none left alone: {summary(r)}")
check(f"tuner: irq 49 {name(49)}: {OP} (restored from {DRIVER}, as before eth0's rings or "
      "channels changed)" in r.stderr.splitlines(), "interrupted: IRQ 49 said restored")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and ": 0 restored," in r.stderr, f"a second rollback: {summary(r)}")

# --- the same, ended: changed since by someone else, left alone --------------
journal([held(k, i) for k, i in enumerate(ETH0)] + [{"end": "applied"}])
put(50, "7")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and aff(50) == "7" and all(aff(i) == OP for i in ETH0 if i != 50),
      f"ended: IRQ 50 left at 7: {[aff(i) for i in ETH0]}")
check(": 0 restored, 0 already as before, 0 never applied, 1 left alone" in r.stderr,
      f"ended: 1 left alone: {summary(r)}")

# --- put by the driver where the profile wants it: recorded, put back --------
n = len(ETH0)
journal([held(k, i) for k, i in enumerate(ETH0)] +
        [{"seq": n, "kind": "irq_affinity", "target": "49", "key": "smp_affinity_list",
          "before": "2", "after": "2", "label": name(49),
          "reason": "its driver put it where the profile wants it when eth0's rings or channels "
                    "changed", "status": "pending"},
         {"seq": n, "status": "applied"}, {"end": "applied"}])
put(49, "2")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and all(aff(i) == OP for i in ETH0), f"kept: eth0's IRQs at {OP}: "
      f"{[aff(i) for i in ETH0]}")
check([l for l in r.stderr.splitlines() if l.startswith("tuner: irq 49 ")] ==
      [f"tuner: irq 49 {name(49)}: {OP} (restored from 2, as before eth0's rings or channels "
       "changed)"], f"kept: IRQ 49 said once, restored\n{r.stderr}")
check(": 1 restored, 0 already as before" in r.stderr, f"kept: 1 restored: {summary(r)}")

# --- the journal cannot be written: the restores go on ----------------------
n = len(ETH0)
body = [held(k, i) for k, i in enumerate(ETH0)]
placed = {49: "2", 50: "4", 51: "6"}
for k, (i, v) in enumerate(placed.items()):
    body += [{"seq": n + k, "kind": "irq_affinity", "target": str(i), "key": "smp_affinity_list",
              "before": DRIVER, "after": v, "label": name(i), "reason": "placed",
              "status": "pending"}, {"seq": n + k, "status": "applied"}]
# IRQs gone since (their statuses, 'it no longer exists', fill the journal's
# 64 KiB buffer before the IRQs of eth0 are reached: its flush fails)
gone = range(2000, 4000)
base = n + len(placed)
for k, i in enumerate(gone):
    body += [{"seq": base + k, "kind": "irq_affinity", "target": str(i),
              "key": "smp_affinity_list", "before": "0-23", "after": "5", "label": f"gone-{i}",
              "status": "pending"}, {"seq": base + k, "status": "applied"}]
journal(body + [{"end": "applied"}])
for i, v in placed.items():
    put(i, v)
(jpath,) = [os.path.join(state, f) for f in os.listdir(state) if f.endswith(".journal")]
size = os.path.getsize(jpath)


def full():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


r = subprocess.run([tuner, "rollback", "--last", "--state-dir", state] + g, capture_output=True,
                   text=True, preexec_fn=full, restore_signals=False)
check("AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr,
      "full: no sanitizer report")
check(r.returncode == 1, f"full: exit 1 (the journal could not be written): {r.returncode}")
check(all(aff(i) == OP for i in ETH0), f"full: eth0's IRQs at {OP} all the same: "
      f"{[aff(i) for i in ETH0]}\n{r.stderr[-600:]}")
check(os.path.getsize(jpath) == size, "full: the journal as it was")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and all(aff(i) == OP for i in ETH0) and ": 0 restored," in r.stderr,
      f"full: a rollback after finds eth0's IRQs as before: {summary(r)}")
finish()
