#!/usr/bin/env python3
"""Held IRQs of a driver that gives its IRQs new numbers when its rings or
channels change (it frees and requests them anew: the kernel hands out the
numbers free then): rollback follows each held IRQ by its name (its record's
label) to its number now, among the IRQs of the NICs whose rings or channels
the journal changed, discovered again; a number that is another vector's now
is never written, and a name that is gone is said, not guessed. Before, a
held IRQ whose number had changed was skipped ("IRQ 49 is ... now" or "it no
longer exists"): the NIC's IRQs stayed where the driver had put them, not
where the operator had.

A tree has no ethtool netlink: the channel change of eth0 is in the journal
as the restore already made ("rolled back", as a rollback interrupted after it
leaves it), and the driver's renumbering is made by moving the IRQs'
directories (proc/irq/N, sys/kernel/irq/N, the function's msi_irqs/N, the
/proc/interrupts row) before the rollback.

  A. renumbered at the restore (48-56 -> 148-156; 50 is an nvme vector's now,
     56's name is gone and 56 an ahci vector's): each IRQ of eth0 put back on
     its new number, said with it (--dry-run writes nothing), 50 and 56 never
     written, 56 said; a second rollback restores nothing;
  B. renumbered at the apply too (the journal's IRQ changes are of 149-156,
     its held records of 48-56): those changes are left to their held record
     (linked by name, reported once, there); one changed since the apply is
     left alone and named with its values;
  C. not renumbered, but the rollback that restored the channels was stopped
     before it put the IRQs back: the next one finds the channels back as
     before, so the IRQs' values are the driver's: each is put back (they
     were all left alone as "changed since the apply");
  D. the name of a held IRQ's number cannot be read: not written, said.

  held_renumber.py TUNER SRCDIR WORKDIR
"""
import json, os, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
OP = "1,3"          # what the operator had set on eth0's IRQs
DRIVER = "0-23"     # where the driver put the IRQs it requested anew
ETH0 = range(48, 57)  # eth0 (48), eth0-TxRx-0..7 (49-56)
MSI = "sys/class/net/eth0/device/msi_irqs"
REASON = "as before eth0's rings or channels changed"
prof = os.path.join(fx.work, "held.json")
with open(prof, "w") as fh:
    json.dump({"name": "held", "irqbalance": "ignore",
               "interfaces": [{"match": {"name": "eth0"}, "irq": {}}]}, fh)


def t(rel):
    return os.path.join(tree, rel)


def aff(irq):
    with open(t(f"proc/irq/{irq}/smp_affinity_list")) as fh:
        return fh.read().strip()


def put(irq, value, f="proc/irq/{}/smp_affinity_list"):
    with open(t(f.format(irq)), "w") as fh:
        fh.write(value + "\n")


def name(irq):
    with open(t(f"sys/kernel/irq/{irq}/actions")) as fh:
        return fh.read().strip()


def tn(args):
    return tnlib.run(tuner, args + ["--state-dir", state] + g)


def journal():
    (j,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    return os.path.join(state, j)


def renumber(moves):
    """The driver requests the IRQs of moves {old: new} anew: each under its
    new number, at DRIVER; the old numbers are free."""
    with open(t("proc/interrupts")) as fh:
        rows = fh.read().splitlines(True)
    for old, new in moves.items():
        for d in ("proc/irq/{}", "sys/kernel/irq/{}"):
            os.rename(t(d.format(old)), t(d.format(new)))
        os.rename(t(f"{MSI}/{old}"), t(f"{MSI}/{new}"))
        rows = [r.replace(f"{old:>3}:", f"{new:>3}:", 1) if r.lstrip().startswith(f"{old}:")
                else r for r in rows]
        put(new, DRIVER)
    with open(t("proc/interrupts"), "w") as fh:
        fh.write("".join(rows))


def another(irq, who, value):
    """IRQ irq is a vector of another device now."""
    shutil.copytree(t("proc/irq/57"), t(f"proc/irq/{irq}"))
    shutil.copytree(t("sys/kernel/irq/57"), t(f"sys/kernel/irq/{irq}"))
    put(irq, who, "sys/kernel/irq/{}/actions")
    put(irq, value)


def craft(names, channels_at="rolled back"):
    """The apply's journal as one with a channel change of eth0 leaves it:
    held records of ETH0 (at OP, by their names then), the channel change
    (already restored: see above), then the apply's own records."""
    path = journal()
    lines = [json.loads(l) for l in open(path)]
    held = [{"kind": "irq_affinity", "target": str(i), "key": "held", "before": OP,
             "after": OP, "label": names[i], "reason": REASON} for i in ETH0]
    held.append({"kind": "channels", "target": "eth0", "key": "combined", "before": "4",
                 "after": "2"})
    out, placed = [lines[0]], {}
    for k, h in enumerate(held):
        out.append(dict(h, seq=k, status="pending"))
    for l in lines[1:]:
        if "seq" in l:
            l = dict(l, seq=l["seq"] + len(held))
        if l.get("kind") == "irq_affinity":
            placed[int(l["target"])] = l["after"]
        out.append(l)
    # its restore, recorded before the IRQs were put back
    out.append({"seq": len(held) - 1, "status": channels_at})
    with open(path, "w") as fh:
        fh.write("".join(json.dumps(l, separators=(",", ":")) + "\n" for l in out))
    return placed


def lines_of(r, irq):
    return [l for l in r.stderr.splitlines() if l.startswith(f"tuner: irq {irq} ")]


# --- A. renumbered when the rollback restored the channels -------------------
fx.fresh()
for i in ETH0:
    put(i, OP)
names = {i: name(i) for i in ETH0}
r = tn(["apply", "-q", "--profile", prof])
check(r.returncode == 0, f"A: apply: exit {r.returncode} {r.stderr[-300:]}")
placed = craft(names)
check(sorted(placed) == list(range(49, 57)), f"A: the apply placed eth0's 8 queue IRQs: {placed}")
renumber({i: i + 100 for i in ETH0})
put(153, "5")                       # the driver's own choice for one of them
shutil.rmtree(t(f"proc/irq/156"))   # eth0-TxRx-7 was not requested again
shutil.rmtree(t(f"sys/kernel/irq/156"))
os.unlink(t(f"{MSI}/156"))
another(50, "nvme0q1", "7")
another(56, "ahci", "6")
was = {i: aff(i + 100) for i in range(48, 56)}

r = tn(["rollback", "--last", "--dry-run"])
check(r.returncode == 0 and all(aff(i + 100) == v for i, v in was.items()) and
      aff(50) == "7" and aff(56) == "6", f"A: --dry-run: exit {r.returncode}, nothing written")
want = {i: [f"tuner: irq {i} {names[i]}: {OP} (would be restored from {was[i]} on IRQ {i + 100}, "
            f"its number now, {REASON})"] for i in range(48, 56)}
check(all(lines_of(r, i) == w for i, w in want.items()),
      f"A: --dry-run: each IRQ, what it would restore, on its number now\n{r.stderr}")

r = tn(["rollback", "--last"])
check(r.returncode == 0, f"A: rollback: exit {r.returncode} {r.stderr[-300:]}")
check(all(aff(i + 100) == OP for i in range(48, 56)),
      f"A: eth0's IRQs at {OP} on their new numbers: {[aff(i + 100) for i in range(48, 56)]}")
want = {i: [f"tuner: irq {i} {names[i]}: {OP} (restored from {was[i]} on IRQ {i + 100}, its "
            f"number now, {REASON})"] for i in range(48, 56)}
check(all(lines_of(r, i) == w for i, w in want.items()),
      f"A: one line per IRQ, restored on its number now\n{r.stderr}")
check(aff(50) == "7" and aff(56) == "6", f"A: IRQs 50 and 56, another device's now, not written: "
      f"{aff(50)} {aff(56)}")
check(lines_of(r, 56) == ["tuner: irq 56 eth0-TxRx-7: skipped: IRQ 56 is ahci now, not "
                          "eth0-TxRx-7 (its driver requested its IRQs anew), and no IRQ of eth0 "
                          "has that name: not restored"],
      f"A: eth0-TxRx-7, gone, said, not guessed: {lines_of(r, 56)}")
check(": 8 restored, 0 already as before, 0 never applied, 0 left alone (changed since), "
      "1 skipped, 0 failed" in r.stderr, f"A: summary {r.stderr.splitlines()[-1:]}")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and ": 0 restored," in r.stderr and
      all(aff(i + 100) == OP for i in range(48, 56)),
      f"A: a second rollback restores nothing: {r.stderr.splitlines()[-1:]}")

# --- B. renumbered at the apply, and again at the rollback ---------------------
fx.fresh()
for i in ETH0:
    put(i, OP)
names = {i: name(i) for i in ETH0}
renumber({i: i + 100 for i in ETH0})  # at the apply's channel change
r = tn(["apply", "-q", "--profile", prof])
check(r.returncode == 0, f"B: apply: exit {r.returncode} {r.stderr[-300:]}")
# the channels not restored yet (as "skipped": a tree can neither read nor
# restore them), so not back as before: the IRQs are as the apply left them
placed = craft(names, "skipped")
check(sorted(placed) == list(range(149, 157)), f"B: the apply placed 149-156: {placed}")
another(50, "nvme0q1", "7")
put(151, "9")                       # someone's, since the apply
r = tn(["rollback", "--last"])
check(r.returncode == 0, f"B: rollback: exit {r.returncode} {r.stderr[-300:]}")
check(aff(151) == "9" and aff(50) == "7", f"B: IRQ 151 left at 9, 50 not written: {aff(151)} {aff(50)}")
check(all(aff(i + 100) == OP for i in ETH0 if i != 51),
      f"B: the others at {OP}: {[aff(i + 100) for i in ETH0]}")
check(lines_of(r, 51) == [f"tuner: irq 51 {names[51]}: left alone: changed since the apply: now 9, "
                          f"tuner had left {placed[151]} (--force restores {OP})"],
      f"B: IRQ 51 (151 now) said once, left alone, with its three values: {lines_of(r, 51)}")
check(all(not lines_of(r, i) for i in placed),
      f"B: the apply's changes of 149-156 left to their held records\n{r.stderr}")
check(": 8 restored, 0 already as before, 0 never applied, 1 left alone" in r.stderr,
      f"B: summary {r.stderr.splitlines()[-1:]}")
r = tn(["rollback", "--last", "--force"])
check(r.returncode == 0 and aff(151) == OP, f"B: rollback --force: IRQ 151 at {OP}: {aff(151)}")

# --- C. a rollback stopped after it restored the channels ----------------------
# (killed: its statuses are written at its end; here one that got out, as a
# large journal's are every 64 KiB) and the driver re-spread eth0's IRQs then,
# same numbers: its next run found each at a value the apply never saw and
# left all nine alone ("changed since the apply"), exit 0
fx.fresh()
for i in ETH0:
    put(i, OP)
names = {i: name(i) for i in ETH0}
r = tn(["apply", "-q", "--profile", prof])
check(r.returncode == 0, f"C: apply: exit {r.returncode} {r.stderr[-300:]}")
placed = craft(names)
SPREAD = "0-11"                     # the driver's, at the channel restore
for i in ETH0:
    put(i, SPREAD)
r = tn(["rollback", "--last"])
check(r.returncode == 0 and all(aff(i) == OP for i in ETH0),
      f"C: rollback: exit {r.returncode}, eth0's IRQs at {OP}: {[aff(i) for i in ETH0]}")
want = {i: [f"tuner: irq {i} {names[i]}: {OP} (restored from {SPREAD}, {REASON})"] for i in ETH0}
check(all(lines_of(r, i) == w for i, w in want.items()) and "left alone:" not in r.stderr,
      f"C: each put back, none left alone\n{r.stderr}")

# --- D. the name of a held IRQ's number cannot be read -------------------------
# (its actions file is not a file): not known to be its IRQ still, it is not
# written (it was: only a name read and different stopped the write)
fx.fresh()
for i in ETH0:
    put(i, OP)
names = {i: name(i) for i in ETH0}
r = tn(["apply", "-q", "--profile", prof])
check(r.returncode == 0, f"D: apply: exit {r.returncode} {r.stderr[-300:]}")
placed = craft(names)
os.unlink(t("sys/kernel/irq/50/actions"))
os.mkdir(t("sys/kernel/irq/50/actions"))
r = tn(["rollback", "--last"])
check(aff(50) == placed[50] and all(aff(i) == OP for i in ETH0 if i != 50),
      f"D: IRQ 50 not written, the others at {OP}: {[aff(i) for i in ETH0]}")
check(len(lines_of(r, 50)) == 1 and lines_of(r, 50)[0].startswith(
      "tuner: irq 50 eth0-TxRx-1: skipped: the name of IRQ 50 could not be read (") and
      lines_of(r, 50)[0].endswith("): not restored"), f"D: said: {lines_of(r, 50)}")
finish()
