#!/usr/bin/env python3
"""Rollback's report of a value left alone (changed since the apply) names
the three values whole: what is there now, what tuner had set, what --force
restores. Values are not bounded by a message's size (a sysctl of thousands
of characters, a CPU list of 4096 CPUs); the line was built in a buffer of
1,152 bytes, so with long values it stopped in the middle of the first one
and never said what --force restores. The journal's status keeps a bounded
error (its loader caps it), and still loads: rollback --force restores the
original afterwards.

On the 24em64t tree: net.ipv4.ip_local_reserved_ports, a list of 1,500 ports
in the tree, set by a profile to 8000, then changed in the tree to another
list of 1,500 ports, then rolled back (--dry-run, plain, then --force).

  txn_left_whole.py TUNER SRCDIR WORKDIR
"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
KEY = "proc/sys/net/ipv4/ip_local_reserved_ports"
orig = ",".join(str(p) for p in range(20001, 23001, 2))   # 1,500 ports: 8,999 characters
mine = "8000"  # a profile's value is bounded (4 KiB); what the host holds is not
theirs = ",".join(str(p) for p in range(40001, 43001, 2))
prof = os.path.join(fx.work, "ports.json")
with open(prof, "w") as fh:
    json.dump({"name": "ports", "irqbalance": "ignore",
               "sysctl": {"net.ipv4.ip_local_reserved_ports": mine}}, fh)


def tn(args):
    return tnlib.run(tuner, args + ["--state-dir", state] + g)


def put(value):
    with open(os.path.join(tree, KEY), "w") as fh:
        fh.write(value + "\n")


def get():
    with open(os.path.join(tree, KEY)) as fh:
        return fh.read().strip()


fx.fresh()
put(orig)
r = tn(["apply", "-q", "--profile", prof])
check(r.returncode == 0 and get() == mine, f"apply: exit {r.returncode}\n{r.stderr[-500:]}")
put(theirs)
want = (f"net.ipv4.ip_local_reserved_ports: left alone: changed since the apply: now {theirs}, "
        f"tuner had set {mine} (--force restores {orig})")
for extra in (["--dry-run"], []):
    r = tn(["rollback", "--last"] + extra)
    lines = [l for l in r.stderr.splitlines() if "left alone: changed" in l]
    check(r.returncode == 0 and lines == ["tuner: " + want],
          f"rollback {' '.join(extra)}: the left-alone line names the three values whole "
          f"(exit {r.returncode}; line of {len(lines[0]) if lines else 0} characters, "
          f"want {len('tuner: ' + want)})")
    check(get() == theirs, f"rollback {' '.join(extra)}: the value is left alone")
r = tn(["rollback", "--last", "--force"])
check(r.returncode == 0 and get() == orig,
      f"rollback --force: the journal loads and the original is restored (exit {r.returncode})"
      f"\n{r.stderr[-300:]}")
finish()
