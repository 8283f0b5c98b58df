#!/usr/bin/env python3
"""What rollback (and apply's own undo) says it did, change by change
(hardening item 15). An apply killed midway leaves changes it never made in
its journal, as "pending"; rollback used to print "a -> b (restored)" for
them although it wrote nothing, while its summary counted them "already as
before". Each change must be reported as what happened to it:

  restored             "AFTER -> BEFORE (restored)"       the value was written back
  never applied        "BEFORE (never applied; nothing written)"
  already as before    "BEFORE (already as before; nothing written)"
  left alone           "left alone: changed since the apply: ..."
  restored over a later change (--force)
                       "BEFORE (restored from X, set since the apply (--force))"
  dry run              "AFTER -> BEFORE (would be restored)"; nothing written
  apply's undo         "AFTER -> BEFORE (undone)" for what it made, "never
                       applied (its write failed)" for the change that failed,
                       "never applied" for those after it; "undoing the N
                       changes made", or "no change was made: nothing to
                       undo" when the first one failed

and the summary counts each kind. On the 24em64t tree with the default
profile (sysctls and IRQs), with TUNER_FAULT (a test build's hook).

  e_rollback_wording.py TUNER SRCDIR WORKDIR
"""
import json, os, re, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, tree_sums, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g, fresh = fx.tuner, fx.tree, fx.state, fx.g, fx.fresh
profile = fx.profile("default")
pristine = tree_sums(fx.pristine)


def apply(fault=None):
    env = dict(os.environ)
    env.pop("TUNER_FAULT", None)
    if fault:
        env["TUNER_FAULT"] = fault
    return tnlib.run(tuner, ["apply", "--profile", profile, "--state-dir", state] + g, env=env)


def rollback(*extra):
    return tnlib.run(tuner, ["rollback", "--last", "--state-dir", state] + g + list(extra))


def changes():
    """The journal's change records, in seq order."""
    (name,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    lines = [json.loads(l) for l in open(os.path.join(state, name))]
    return [l for l in lines if "kind" in l and "seq" in l and "before" in l]


def what(c):
    return f"irq {c['target']} {c['label']}" if c["kind"] == "irq_affinity" else c["target"]


def said(stderr, c):
    """What the output says of change c: its lines, without 'tuner: WHAT: '."""
    head = f"tuner: {what(c)}: "
    return [l[len(head):] for l in stderr.splitlines() if l.startswith(head)]


def irq_file(c):
    return os.path.join(tree, "proc/irq", c["target"], "smp_affinity_list")


def judge(tag, stderr, want):
    """want(c) -> the exact line wanted for change c; one line per change."""
    bad = []
    for c in cs:
        got, w = said(stderr, c), want(c)
        if got != [w]:
            bad.append(f"{what(c)} (seq {c['seq']}): {got}, want [{w!r}]")
    check(not bad, f"{tag}: each of the {len(cs)} changes reported as what happened"
          + ("" if not bad else f"; {len(bad)} wrong:\n    " + "\n    ".join(bad[:6])))


def summary(tag, stderr, restored, as_before, never, left, skipped=0, failed=0):
    m = re.search(r"journal \S+: (\d+) restored, (\d+) already as before, (\d+) never applied, "
                  r"(\d+) left alone \(changed since\), (\d+) skipped, (\d+) failed$", stderr,
                  re.M)
    got = tuple(int(x) for x in m.groups()) if m else None
    want = (restored, as_before, never, left, skipped, failed)
    check(got == want, f"{tag}: summary {got}, want {want}"
          + ("" if m else f": {stderr.strip().splitlines()[-1:]}"))


restored = lambda c: f"{c['after']} -> {c['before']} (restored)"  # noqa: E731
never = lambda c: f"{c['before']} (never applied; nothing written)"  # noqa: E731

# (a) killed before its write at change K: 0..K-1 made, K.. never
fresh()
r = apply()
check(r.returncode == 0, f"a clean apply: exit {r.returncode}")
cs = changes()
n = len(cs)
check(n >= 10 and cs[0]["kind"] == "sysctl" and cs[-1]["kind"] == "irq_affinity",
      f"the plan: {n} changes, sysctls then IRQs")
for k, how in ((4, "exit"), (4, "exit-after"), (0, "exit")):
    fresh()
    r = apply(f"{k}:{how}")
    made = k + 1 if how == "exit-after" else k
    tag = f"(a) apply killed at change {k} ({how})"
    check(r.returncode == 99, f"{tag}: exit {r.returncode}")
    cs = changes()
    dj = rollback("--dry-run", "--json")
    res = json.loads(dj.stdout).get("result", {}) if dj.returncode == 0 else {}
    check(res.get("restored") == made and res.get("never_applied") == len(cs) - made and
          res.get("unchanged") == 0,
          f"{tag}: rollback --dry-run --json counts {made} restored, "
          f"{len(cs) - made} never applied: {res}")
    rb = rollback()
    check(rb.returncode == 0 and tree_sums(tree) == pristine,
          f"{tag}: rollback --last exit {rb.returncode}, the tree as before the apply")
    judge(tag, rb.stderr, lambda c: restored(c) if c["seq"] < made else never(c))
    summary(tag, rb.stderr, made, 0, len(cs) - made, 0)

# (b) applied; then one IRQ set back to its original by hand, one elsewhere
fresh()
apply()
cs = changes()
irqs = [c for c in cs if c["kind"] == "irq_affinity"]
back, moved = irqs[0], irqs[1]
open(irq_file(back), "w").write(back["before"] + "\n")
other = "0-1" if moved["after"] != "0-1" and moved["before"] != "0-1" else "2-3"
open(irq_file(moved), "w").write(other + "\n")
rb = rollback("--dry-run")
tag = "(b) rollback --dry-run"
check(rb.returncode == 0 and tree_sums(tree) != pristine, f"{tag}: exit {rb.returncode}, "
      "nothing written")


def dry(c):
    if c is back:
        return f"{c['before']} (already as before; nothing written)"
    if c is moved:
        return (f"left alone: changed since the apply: now {other}, tuner had set "
                f"{c['after']} (--force restores {c['before']})")
    return f"{c['after']} -> {c['before']} (would be restored)"


judge(tag, rb.stderr, dry)
summary(tag, rb.stderr, n - 2, 1, 0, 1)
rb = rollback()
tag = "(b) rollback"
judge(tag, rb.stderr, lambda c: restored(c) if c not in (back, moved) else dry(c))
summary(tag, rb.stderr, n - 2, 1, 0, 1)
rb = rollback("--force")
tag = "(b) then rollback --force"
check(rb.returncode == 0 and tree_sums(tree) == pristine,
      f"{tag}: exit {rb.returncode}, the tree as before the apply")
check(said(rb.stderr, moved) ==
      [f"{moved['before']} (restored from {other}, set since the apply (--force))"],
      f"{tag}: the IRQ changed since: {said(rb.stderr, moved)}")
summary(tag, rb.stderr, 1, 0, 0, 0)

# (c) apply's own undo after a failure at change K (EINVAL; an IRQ's EIO
# would be a kernel-managed IRQ, skipped)
k = next(c["seq"] for c in cs if c["kind"] == "irq_affinity") + 2
fresh()
r = apply(f"{k}:EINVAL")
tag = f"(c) apply failing at change {k}, undone"
check(r.returncode == 1 and tree_sums(tree) == pristine,
      f"{tag}: exit {r.returncode}, the tree as before")
cs = changes()  # the batches recorded: the sysctls, every IRQ


def undo(c):
    if c["seq"] < k:
        return [f"{c['before']} -> {c['after']}", f"{c['after']} -> {c['before']} (undone)"]
    if c["seq"] == k:
        # the failure that stops the apply is said once (issue #10: it was
        # said twice, "failed: ..." and "set ...: ...")
        return [f"set {c['after']}: Invalid argument: injected by TUNER_FAULT",
                f"{c['before']} (never applied (its write failed); nothing written)"]
    return [f"{c['before']} (never applied; nothing written)"]


bad = [f"{what(c)} (seq {c['seq']}): {said(r.stderr, c)}, want {undo(c)}"
       for c in cs if said(r.stderr, c) != undo(c)]
check(not bad, f"{tag}: each of the {len(cs)} journaled changes reported as what happened"
      + ("" if not bad else f"; {len(bad)} wrong:\n    " + "\n    ".join(bad[:6])))
check(f"tuner: undoing the {k} changes made" in r.stderr.splitlines(),
      f"{tag}: 'undoing the {k} changes made'")

# (d) the first change fails: nothing was made, and that is what is said
fresh()
r = apply("0:EINVAL")
tag = "(d) apply failing at its first change"
check(r.returncode == 1 and tree_sums(tree) == pristine,
      f"{tag}: exit {r.returncode}, the tree as before")
check("tuner: no change was made: nothing to undo" in r.stderr.splitlines()
      and "undoing the 0" not in r.stderr,
      f"{tag}: 'no change was made: nothing to undo', not 'undoing the 0 changes made'")

finish()
