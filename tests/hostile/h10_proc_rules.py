#!/usr/bin/env python3
"""Two process rules matching one process (defect hunt h10): each rule planned
it, so the plan moved redis-server twice (CPUs 1, then 3) and verify after the
apply found it off the first rule's CPUs for ever ('drift: ... expected 1,
found 3', exit 2), however often it was applied. The first rule whose match
fits a process places it, as for interfaces; a later rule whose processes all
follow earlier ones is a warning naming the process and that rule, or an
error when it is required.

  h10_proc_rules.py TUNER SRCDIR WORKDIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402
from tnlib import check  # noqa: E402

st = tnlib.Setup("24em64t")
t = st.tuner


def profile(name, procs):
    path = os.path.join(st.work, name + ".json")
    with open(path, "w") as fh:
        json.dump({"name": name, "processes": procs}, fh)
    os.chmod(path, 0o644)
    return ["--profile", path]


by_comm = {"match": {"comm": "redis-server"}, "placement": {"cpus": "1"}}
by_pid = {"match": {"pid": 1187}, "placement": {"cpus": "3"}}
two = profile("two", [by_comm, by_pid])

# the plan: one change of pid 1187, the first rule's
r = tnlib.run(t, ["plan", "--json"] + st.g + two)
plan = json.loads(r.stdout) if r.stdout else {"changes": []}
procs = [c for c in plan["changes"] if c["kind"] == "process_affinity"]
check(r.returncode == 2 and len(procs) == 1 and procs[0]["after"] == "1",
      f"plan: one process_affinity change, to CPU 1 (exit {r.returncode}, "
      f"{[(c['target'], c['after']) for c in procs]})")
check(any("processes[1] (pid 1187): every process it matches follows an earlier rule "
          "(pid 1187 redis-server: processes[0])" in w for w in plan.get("warnings", [])),
      f"plan: the second rule's warning names the process and the first rule "
      f"({plan.get('warnings')})")

# apply, then verify: the host matches (it drifted for ever before)
st.fresh()
r = tnlib.run(t, ["apply", "-q"] + st.g + ["--state-dir", st.state] + two)
check(r.returncode == 0, f"apply (exit {r.returncode}) {r.stderr.strip()}")
r = tnlib.run(t, ["verify"] + st.g + two)
check(r.returncode == 0 and "ok: this host matches profile two" in r.stdout,
      f"verify after apply: matches, exit 0 (exit {r.returncode}: {r.stdout.strip()})")
r = tnlib.run(t, ["verify", "--json"] + st.g + two)
doc = json.loads(r.stdout) if r.stdout else {}
check(r.returncode == 0 and doc.get("matches") is True and doc.get("changes") == [],
      f"verify --json after apply: matches (exit {r.returncode})")

# the other order: the pid rule first places it on CPU 3
r = tnlib.run(t, ["verify"] + st.g + profile("pid_first", [by_pid, by_comm]))
check(r.returncode == 2 and "expected 3, found 1" in r.stdout and r.stdout.count("drift:") == 1,
      f"verify, the pid rule first: one drift, to CPU 3 (exit {r.returncode}: "
      f"{r.stdout.strip()})")

# a required second rule that places nothing is an error, saying why
req = dict(by_pid, required=True)
r = tnlib.run(t, ["plan"] + st.g + profile("req", [by_comm, req]))
check(r.returncode == 1 and "processes[1] (pid 1187) is required but every process it "
      "matches follows an earlier rule (pid 1187 redis-server: processes[0])" in r.stderr,
      f"a required rule taken by an earlier one: exit 1, said (exit {r.returncode}: "
      f"{r.stderr.strip()})")
# and one that matches nothing still says so (the host is as the apply left it)
r = tnlib.run(t, ["plan"] + st.g + profile("none", [by_comm, {"match": {"pid": 4242}}]))
check(r.returncode == 0 and "processes[1] (pid 4242): no process matches" in r.stderr,
      f"a rule matching no process: the same warning as before (exit {r.returncode})")
st.fresh()
tnlib.finish()
