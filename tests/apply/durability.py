#!/usr/bin/env python3
"""What a crash of the machine (not only of tuner) may lose, read from the
system calls themselves: apply and rollback run under strace on the 24em64t
tree with a profile of five batches (sysctls, IRQ affinity, RPS masks, flow
counts, XPS masks), and the trace is checked for the order the journal's
durability rests on:
  - the journal's header is synced, and its name (the state directory), before
    the first value is written;
  - no value is written before the record of its change is synced: at every
    write into the tree, the synced records number at least the files written;
  - the end record is written and synced after the last value;
  - one sync per batch, not two: a batch's statuses are written with the next
    batch's records, or with the end record (a crash before leaves them
    "pending", which rollback decides by the value); a rollback syncs once.
And what apply opens: each IRQ and queue file it writes is opened once, by
discovery, and read, checked, written and read back through that one open
file (sys/sysroot.h, keep mode); rollback opens each file it restores once.
A kill of tuner at each change is faults.py's and rps_apply.py's; a crash of
the whole VM is the VM tier's 05-crash.

  durability.py TUNER SRCDIR WORKDIR
"""
import json, os, re, shutil, subprocess, sys
from tnlib import check, finish, Setup
import tnlib

if not shutil.which("strace"):
    print("SKIP: strace is not installed (scripts/deps.sh installs it)")
    sys.exit(77)

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
profile = os.path.join(fx.work, "batches.json")
with open(profile, "w") as f:
    json.dump({"name": "batches", "irqbalance": "ignore",
               "interfaces": [{"match": {"name": "eth1"}, "irq": {},
                               "rps": {"cpus": "1-3", "flow_entries": 4096},
                               "xps": {"cpus": "irq"}}]}, f)
os.chmod(profile, 0o600)
real_tree = os.path.realpath(tree)
real_state = None  # known once the state directory exists

LINE = re.compile(r"^(\w+)\((\d+)<([^>]*)>(.*)\)\s+=\s+(-?\d+)")
OPEN = re.compile(r"^openat2?\(.*\)\s+=\s+\d+<([^>]*)>")


def traced(args, name):
    """Run tuner ARGS under strace; the calls that matter, as (call, path, rest, ret)."""
    log = os.path.join(fx.work, name + ".strace")
    cmd = ["strace", "-o", log, "-y", "-s", "4194304", "-e",
           "trace=write,pwrite64,writev,fdatasync,fsync,renameat,renameat2,rename,openat,openat2"]
    # LeakSanitizer cannot run under ptrace: the ASan build's leak check is off
    # here (the other tests run it)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
    r = tnlib.run(cmd[0], cmd[1:] + [tuner] + args + g, env=env)
    calls = []
    with open(log) as fh:
        for line in fh:
            m = LINE.match(line)
            o = OPEN.match(line)
            if o:
                calls.append(("open", o.group(1), "", 0))
            elif m:
                calls.append((m.group(1), m.group(3), m.group(4), int(m.group(5))))
    return r, calls


def opened_once(calls, what):
    """Every IRQ and queue file written was opened once."""
    written = {c[1] for c in calls if in_tree(c[1]) and c[0] in ("write", "pwrite64")}
    files = {p for p in written if "/proc/sys/" not in p}
    opens = {}
    for c in calls:
        if c[0] == "open" and c[1] in files:
            opens[c[1]] = opens.get(c[1], 0) + 1
    more = {os.path.relpath(p, real_tree): n for p, n in opens.items() if n != 1}
    check(files and not more,
          f"{what}: each of the {len(files)} IRQ and queue files written opened once: "
          f"{dict(list(more.items())[:3])}")


def journal(path):
    return path.endswith(".journal")


def in_tree(path):
    return path.startswith(real_tree + "/")


def records(rest):
    """The change records in the data of a journal write, as strace prints it."""
    if rest.rstrip().endswith('"...'):
        check(False, "strace cut a journal write short: raise -s")
    return rest.count('\\"target\\":')


def order(calls, what, header, synced=0):
    """Check the calls of one transaction, whose journal holds synced records
    already; returns the number of journal syncs and of files written."""
    written, pending, syncs = set(), 0, 0
    header_synced = dir_synced = not header
    first_bad = None
    for call, path, rest, ret in calls:
        if journal(path) and call in ("write", "writev"):
            pending += records(rest)
        elif journal(path) and call == "fdatasync":
            synced += pending
            pending = 0
            syncs += 1
            header_synced = True
        elif call == "fsync" and real_state and os.path.realpath(path) == real_state:
            dir_synced = header_synced
        elif in_tree(path) and call in ("write", "pwrite64", "writev"):
            written.add(path)
            if first_bad is None and (len(written) > synced or not dir_synced):
                first_bad = (path, len(written), synced, dir_synced)
    check(first_bad is None,
          f"{what}: every value written after its change's record and the journal's name "
          f"were synced: first exception {first_bad}")
    last_value = max((i for i, c in enumerate(calls) if in_tree(c[1]) and
                      c[0] in ("write", "pwrite64", "writev")), default=-1)
    tail = [c for c in calls[last_value + 1:] if journal(c[1])]
    ends = [i for i, c in enumerate(tail) if c[0] in ("write", "writev") and '\\"end\\":' in c[2]]
    check(bool(ends) and any(c[0] == "fdatasync" for c in tail[ends[-1]:]),
          f"{what}: the end record is written and synced after the last value")
    return syncs, len(written)


r = tnlib.run(tuner, ["plan", "--json", "--profile", profile] + g)
check(r.returncode == 2, f"plan exit {r.returncode} (2: changes pending): {r.stderr[-300:]}")
plan = json.loads(r.stdout)["changes"] if r.returncode == 2 else []
batches = len({c["kind"] for c in plan})
check(batches == 5, f"the plan has five batches (kinds): {sorted({c['kind'] for c in plan})}")

os.makedirs(state, mode=0o700, exist_ok=True)
real_state = os.path.realpath(state)
r, calls = traced(["apply", "-q", "--profile", profile, "--state-dir", state], "apply")
check(r.returncode == 0, f"apply exit {r.returncode}: {r.stderr[-300:]}")
syncs, n = order(calls, "apply", header=True)
check(n == len(plan), f"apply wrote {n} files for {len(plan)} changes")
opened_once(calls, "apply")
check(syncs == batches + 2,
      f"apply syncs the journal {syncs} times: the header, once per batch ({batches}), the end")

r, calls = traced(["rollback", "-q", "--last", "--state-dir", state], "rollback")
check(r.returncode == 0 and fx.changes() == {},
      f"rollback exit {r.returncode}, the tree as before: {sorted(fx.changes())[:3]}")
syncs, n = order(calls, "rollback", header=False, synced=len(plan))
check(n == len(plan), f"rollback wrote {n} files for {len(plan)} changes")
opened_once(calls, "rollback")
check(syncs == 1, f"rollback syncs the journal once, with its end record: {syncs}")
finish()
