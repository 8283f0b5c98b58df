#!/usr/bin/env python3
"""A sysctl whose value is a string with spaces is written as it is; only an
integer vector (tcp_rmem "4096 131072 6291456") gets the tabs the kernel
prints between its fields. net.ipv4.tcp_allowed_congestion_control takes
"reno cubic bbr" and splits it on spaces only (tcp_set_allowed_congestion_
control: strsep(" ")): every space was turned into a tab, which the kernel
refuses (ENOENT: no algorithm named "reno\\tcubic\\tbbr"), so such a profile
could never be applied, nor such a value rolled back. On a sysroot tree the
file then held tabs where the kernel prints spaces, and a rollback did not
give the original bytes back.

On the 24em64t tree (the file added to it), then tcp_rmem alongside: still
tab-separated, as the kernel prints it.

  txn_sysctl_string.py TUNER SRCDIR WORKDIR
"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
CC = "proc/sys/net/ipv4/tcp_allowed_congestion_control"
RMEM = "proc/sys/net/ipv4/tcp_rmem"
prof = os.path.join(fx.work, "cc.json")
with open(prof, "w") as fh:
    json.dump({"name": "cc", "irqbalance": "ignore",
               "sysctl": {"net.ipv4.tcp_allowed_congestion_control": "reno cubic bbr",
                          "net.ipv4.tcp_rmem": [4096, 131072, 2621440]}}, fh)


def tn(args):
    return tnlib.run(tuner, args + ["--state-dir", state] + g)


def get(rel):
    with open(os.path.join(tree, rel), "rb") as fh:
        return fh.read()


fx.fresh()
with open(os.path.join(tree, CC), "w") as fh:
    fh.write("reno cubic\n")
r = tn(["apply", "-q", "--profile", prof])
check(r.returncode == 0, f"apply: exit {r.returncode}\n{r.stderr[-400:]}")
check(get(CC) == b"reno cubic bbr\n",
      f"apply: the string written with its spaces, as the kernel takes it ({get(CC)!r})")
check(get(RMEM) == b"4096\t131072\t2621440\n",
      f"apply: the integer vector written with tabs, as the kernel prints it ({get(RMEM)!r})")
r = tn(["rollback", "--last"])
check(r.returncode == 0 and get(CC) == b"reno cubic\n",
      f"rollback: the original bytes back (exit {r.returncode}, {get(CC)!r})")
os.unlink(os.path.join(tree, CC))
check(not fx.changes(), "rollback: the tree is pristine again")
finish()
