#!/usr/bin/env python3
"""diagnose --emit-profile over a profile that the --profile extends further
up its chain (h4 review of h2's fix, which refused only the --profile's own
file): mine.json extends base.json, and --emit-profile base.json replaced
base.json with a profile extending mine.json, a cycle (both profiles then
refused: 'extends ...: a cycle'), exit 2. It is now refused before sampling,
exit 64, base.json left as it was; the --profile's own file still is, and
another file is still written.

  h4_diag_emit.py TUNER SRCDIR WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

tuner, src, work = sys.argv[1:4]
data = os.path.join(src, "tests", "diagnose", "data")
topo_dir = os.path.join(src, "..", "shared", "fixtures", "topology")
topo = os.path.join(topo_dir, "16intel64-manyVFs.xml")
failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what + ("" if cond or not detail else ": " + detail))
    if not cond:
        failures.append(what)


def run(args):
    return subprocess.run([tuner] + args, capture_output=True, text=True, timeout=120)


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
tree = os.path.join(work, "tree")
subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "mkfixture.py"),
                "--topology-dir", topo_dir,
                os.path.join(src, "tests", "fixtures", "specs", "16intel64.json"), tree],
               check=True, stdout=subprocess.DEVNULL)
for f in ("netstat", "snmp", "snmp6"):
    shutil.copy(os.path.join(data, f + "-6.1.txt"), os.path.join(tree, "proc", "net", f))
    os.chmod(os.path.join(tree, "proc", "net", f), 0o644)
r = run(["--sysroot", tree, "--topology", topo, "show", "--counters", "-q"])
if r.returncode != 0:
    sys.exit("show --counters on the tree: exit %d: %s" % (r.returncode, r.stderr))
a, b = json.loads(r.stdout), json.loads(r.stdout)
b["time_us"] += 10 * 1000 * 1000
for s in (a, b):
    for c in s["softnet"]:
        c["dropped"] = 0
b["softnet"][0]["dropped"] = 5000        # backlog drops: a finding to emit
pa, pb = os.path.join(work, "a.json"), os.path.join(work, "b.json")
for path, doc in ((pa, a), (pb, b)):
    with open(path, "w") as f:
        json.dump(doc, f)
    os.chmod(path, 0o644)

base = os.path.join(work, "base.json")
mine = os.path.join(work, "mine.json")
shutil.copy(os.path.join(src, "profiles", "socket-buffers.json"), base)
with open(mine, "w") as f:
    json.dump({"name": "mine", "extends": base}, f)
for p in (base, mine):
    os.chmod(p, 0o644)
keep_base, keep_mine = open(base).read(), open(mine).read()

r = run(["diagnose", "--from", pa, "--to", pb, "--profile", mine, "--emit-profile", base])
check(r.returncode == 64 and open(base).read() == keep_base,
      "--emit-profile over the profile's parent: refused (exit 64), left as it was",
      "exit %d: %s; base.json now %s" % (r.returncode, r.stderr.strip(), open(base).read()[:160]))
check(("--emit-profile %s is a profile that %s extends" % (base, mine)) in r.stderr,
      "the refusal names both files", r.stderr.strip())
r = run(["profile", "validate", mine])
check(r.returncode == 0, "mine.json still loads", r.stderr.strip())

grand = os.path.join(work, "grand.json")
with open(grand, "w") as f:
    json.dump({"name": "grand", "extends": mine}, f)
os.chmod(grand, 0o644)
r = run(["diagnose", "--from", pa, "--to", pb, "--profile", grand, "--emit-profile", base])
check(r.returncode == 64 and open(base).read() == keep_base,
      "two levels up: refused too", "exit %d: %s" % (r.returncode, r.stderr.strip()))
r = run(["diagnose", "--from", pa, "--to", pb, "--profile", mine, "--emit-profile", mine])
check(r.returncode == 64 and "is the profile it extends" in r.stderr and
      open(mine).read() == keep_mine, "the --profile's own file: refused as before",
      "exit %d: %s" % (r.returncode, r.stderr.strip()))
other = os.path.join(work, "emitted.json")
r = run(["diagnose", "--from", pa, "--to", pb, "--profile", mine, "--emit-profile", other])
check(r.returncode == 2 and os.path.exists(other) and json.load(open(other))["extends"] == mine,
      "another file: written, extending the profile",
      "exit %d: %s" % (r.returncode, r.stderr.strip()))
print("%d failed" % len(failures) if failures else "all passed")
sys.exit(1 if failures else 0)
