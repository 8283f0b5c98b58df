#!/usr/bin/env python3
"""Profiles (defect hunt h10), through the CLI.

1. An "extends" cycle through another spelling of a path ("a.json" extending
   "./a.json", "../dir/c.json", a symlink to itself) is said to be a cycle: it
   was read eight times over ("././././././././a.json") and refused as
   'nested more than 8 deep'.
2. A sysctl given as the JSON number 9007199254740993 (2^53 + 1, which cJSON
   reads as 2^53) is refused saying to write it as a string: 'profile
   validate' accepted it and the plan set 9007199254740992. As a string, the
   plan sets it exactly.

  h10_profiles.py TUNER SRCDIR WORKDIR
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402
from tnlib import check  # noqa: E402

tuner, src, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
d = os.path.join(work, "dir")
os.makedirs(d)


def write(name, doc):
    path = os.path.join(d, name)
    with open(path, "w") as fh:
        json.dump(doc, fh)
    os.chmod(path, 0o644)
    return path


def validate(ref, cwd=d):
    return tnlib.run(tuner, ["profile", "validate", ref], cwd=cwd)


write("a.json", {"name": "a", "extends": "./a.json"})
write("c.json", {"name": "c", "extends": "e"})
write("e.json", {"name": "e", "extends": "../dir/c.json"})
write("s.json", {"name": "s", "extends": "self-link.json"})
os.symlink("s.json", os.path.join(d, "self-link.json"))
write("ok.json", {"name": "ok", "extends": "./base.json", "sysctl": {"net.core.x": "2"}})
write("base.json", {"name": "base", "extends": "default"})
for ref, cwd, want in [
        ("./a.json", d, './a.json: extends "./a.json": a cycle (././a.json is ./a.json, '
                        'read before)'),
        (os.path.join(d, "c.json"), d,
         f'{d}/e.json: extends "../dir/c.json": a cycle ({d}/../dir/c.json is {d}/c.json, '
         'read before)'),
        ("dir/s.json", work, 'dir/s.json: extends "self-link.json": a cycle '
                             '(dir/self-link.json is dir/s.json, read before)')]:
    r = validate(ref, cwd)
    check(r.returncode == 1 and r.stderr.strip() == "tuner: " + want,
          f"validate {ref}: a cycle, said so (exit {r.returncode}: {r.stderr.strip()})")
r = validate("./ok.json")
check(r.returncode == 0, f"a chain of other spellings without a cycle is valid "
      f"(exit {r.returncode}: {r.stderr.strip()})")

# 2^53 + 1
big = write("big.json", {"name": "big"})
with open(big, "w") as fh:
    fh.write('{"name": "big", "sysctl": {"net.ipv4.tcp_mem": 9007199254740993}}')
r = validate(big)
check(r.returncode == 1 and "sysctl[\"net.ipv4.tcp_mem\"]: an integer beyond 2^53-1 "
      "(9007199254740991), where a JSON number is not exact: write the value as a string "
      "of digits" in r.stderr, f"9007199254740993 as a number: refused (exit {r.returncode}: "
      f"{r.stderr.strip()})")
tree, topo = tnlib.pristine_tree(src, work, "24em64t")
snap = os.path.join(work, "snap.json")
s = json.loads(tnlib.run(tuner, ["show", "--json", "--sysroot", tree, "--topology", topo]).stdout)
s["sysctls"]["net.ipv4.tcp_mem"] = "1 2 3"
with open(snap, "w") as fh:
    json.dump(s, fh)
exact = write("exact.json", {"name": "exact",
                             "sysctl": {"net.ipv4.tcp_mem": "9007199254740993 1 18446744073"}})
r = tnlib.run(tuner, ["plan", "--json", "--state", snap, "--profile", exact])
after = [c["after"] for c in json.loads(r.stdout or '{"changes": []}')["changes"]
         if c["target"] == "net.ipv4.tcp_mem"]
check(r.returncode == 2 and after == ["9007199254740993 1 18446744073"],
      f"as a string: planned exactly (exit {r.returncode}, {after})")
r = tnlib.run(tuner, ["profile", "show", exact])
check(r.returncode == 0 and '"9007199254740993 1 18446744073"' in r.stdout,
      "profile show prints it as written")
tnlib.finish()
