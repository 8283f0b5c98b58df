#!/usr/bin/env python3
"""A reader of apply's (or rollback's) lines that goes away, as in
`tuner apply 2>&1 | head -3`: tuner used to die of SIGPIPE at its next line,
halfway through the transaction (the host half-changed, the journal
"interrupted", no undo). Now the lines are lost and the transaction ends as
it would: exit 0, the journal ends "applied" (then "rolled back"), the host
matches the profile (then the pristine tree).

On the 24em64t tree with redis-numa-split (30 journaled changes, one line each).

  txn_sigpipe.py TUNER SRCDIR WORKDIR
"""
import json, os, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, state, g = fx.tuner, fx.state, fx.g
profile = fx.profile("redis-numa-split")


def head(args):
    """tuner ARGS 2>&1 | head -0: stdout and stderr a pipe whose reader is gone
    before tuner writes its first line (not after: then the pipe's buffer may
    take every line and the test would depend on timing)."""
    r, w = os.pipe()
    os.close(r)
    p = subprocess.Popen([tuner] + args + ["--state-dir", state] + g, stdout=w, stderr=w,
                         restore_signals=True)
    os.close(w)
    return p.wait()


def end():
    h = tnlib.run(tuner, ["history", "--json", "--state-dir", state])
    return json.loads(h.stdout)[-1]["status"] if h.returncode == 0 else None


fx.fresh()
rc = head(["apply", "--profile", profile])
check(rc == 0, f"apply | head -0: exit {rc} (want 0, not killed by SIGPIPE)")
check(end() == "applied", f"apply | head -0: the journal ends applied ({end()})")
v = tnlib.run(tuner, ["verify", "--profile", profile] + g)
check(v.returncode == 0,
      f"apply | head -0: the host matches the profile (verify exit {v.returncode})")
rc = head(["rollback", "--last"])
check(rc == 0, f"rollback | head -0: exit {rc} (want 0, not killed by SIGPIPE)")
check(end() == "rolled back", f"rollback | head -0: the journal ends rolled back ({end()})")
check(not fx.changes(), "rollback | head -0: the tree is pristine again")
finish()
