#!/usr/bin/env python3
"""profiles/schema.json and the parser agree (defect hunt h10): every shipped
profile and a set of good and bad ones go through 'tuner profile validate'
and a JSON Schema 2020-12 validator, and each verdict is the one expected.
Where they differ on purpose the schema's description says so (checks only
the parser can make; null taken as a key left out), and the case is marked.

Found disagreeing: allow_sysctls took "net.core.x" (schema) and "vm" (parser,
a directory); memory "bind" with a {"cpus": ...} placement (schema); a user
"4294967295" or of 11 digits (schema); "$schema": 5 (parser); a sysctl
9007199254740993 (both: the parser set 9007199254740992).

  h10_schema.py TUNER SRCDIR WORKDIR
"""
import json
import os
import sys

tuner, src, work = sys.argv[1:4]
try:
    from jsonschema import Draft202012Validator
except ImportError:
    print("SKIP: python3-jsonschema is not installed (scripts/deps.sh test installs it)")
    sys.exit(77)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402
from tnlib import check  # noqa: E402

schema = json.load(open(os.path.join(src, "profiles", "schema.json")))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
B = '{"name": "x", %s}'
I = B % '"interfaces": [{"match": "all", %s}]'
P = B % '"processes": [{"match": {"comm": "a"%s}%s}]'
# (name, text, valid): valid is True, False, "parser" (the schema accepts
# what only the parser can refuse) or "null" (the parser takes null as absent)
CASES = [
    ("count 1e3", I % '"irq": {"count": 1e3}', True),
    ("count 4.0", I % '"irq": {"count": 4.0}', True),
    ("ring 0", I % '"rings": {"rx": 0}', False),
    ("empty rings", I % '"rings": {}', True),
    ("coalesce empty", I % '"coalesce": {}', False),
    ("adaptive_rx 1", I % '"coalesce": {"adaptive_rx": 1}', False),
    ("match pci upper case", B % '"interfaces": [{"match": {"pci": "0000:0A:00.0"}}]', True),
    ("match pci 3-digit domain", B % '"interfaces": [{"match": {"pci": "000:0a:00.0"}}]', False),
    ("name of 127 bytes", '{"name": "%s"}' % ("a" * 127), True),
    ("name of 128 bytes", '{"name": "%s"}' % ("a" * 128), False),
    ("name of 64 two-byte characters", '{"name": "%s"}' % ("\u00e9" * 64), "parser"),
    ("UTF-8 name", '{"name": "r\u00e9seau \u2603"}', True),
    ("extends empty", B % '"extends": ""', False),
    ("$schema a number", B % '"$schema": 5', True),
    ("sysctl 2^53-1", B % '"sysctl": {"net.ipv4.tcp_mem": 9007199254740991}', True),
    ("sysctl 2^53+1", B % '"sysctl": {"net.ipv4.tcp_mem": 9007199254740993}', False),
    ("sysctl -2^53", B % '"sysctl": {"net.ipv4.tcp_mem": [1, -9007199254740992]}', False),
    ("sysctl 2^53+1 as a string", B % '"sysctl": {"net.ipv4.tcp_mem": "9007199254740993"}', True),
    ("sysctl -0", B % '"sysctl": {"net.core.x": -0}', True),
    ("sysctl 1.5", B % '"sysctl": {"net.core.x": 1.5}', False),
    ("sysctl four numbers", B % '"sysctl": {"net.core.x": [1, 2, 3, 4]}', False),
    ("sysctl 1e3", B % '"sysctl": {"net.core.netdev_budget": 1e3}', True),
    ("sysctl without a dot", B % '"sysctl": {"net": 1}, "allow_sysctls": ["net"]', False),
    ("allow_sysctls without a dot", B % '"allow_sysctls": ["vm"]', False),
    ("allow_sysctls net.*", B % '"allow_sysctls": ["net.core.x"]', False),
    ("allow_sysctls core_pattern", B % '"allow_sysctls": ["kernel.core_pattern"]', False),
    ("sysctl outside net.*", B % '"sysctl": {"vm.swappiness": 1}', "parser"),
    ("sysctl outside net.*, allowed",
     B % '"sysctl": {"vm.swappiness": 1}, "allow_sysctls": ["vm.swappiness"]', True),
    ("tcp_rmem descending", B % '"sysctl": {"net.ipv4.tcp_rmem": "3 2 1"}', "parser"),
    ("rmem_max below tcp_rmem",
     B % '"sysctl": {"net.core.rmem_max": 4096, "net.ipv4.tcp_rmem": [1, 2, 8192]}', "parser"),
    ("min without numbers", B % '"sysctl": {"net.core.x": {"min": "abc"}}', False),
    ("sysctl value of 300 bytes", B % ('"sysctl": {"net.core.x": "%s"}' % ("a" * 300)), False),
    ("user 4294967294", P % (', "user": "4294967294"', ""), True),
    ("user 4294967295", P % (', "user": "4294967295"', ""), False),
    ("user of 11 digits", P % (', "user": "12345678901"', ""), False),
    ("user 0000000042", P % (', "user": "0000000042"', ""), True),
    ("user 4294967294 as a number", P % (', "user": 4294967294', ""), True),
    ("user redis", P % (', "user": "redis"', ""), True),
    ("user ending in $", P % (', "user": "host$"', ""), True),
    ("user -x", P % (', "user": "-x"', ""), False),
    ("pid 1e3", B % '"processes": [{"match": {"pid": 1e3}}]', True),
    ("memory bind, placement cpus", P % ("", ', "placement": {"cpus": "1"}, "memory": "bind"'),
     False),
    ("memory keep, placement cpus", P % ("", ', "placement": {"cpus": "1"}, "memory": "keep"'),
     True),
    ("memory bind, placement nodes", P % ("", ', "placement": {"nodes": [0]}, "memory": "bind"'),
     True),
    ("nodes with placement local", P % ("", ', "placement": "local", "nodes": [0]'), False),
    ("cpus 5-3", P % ("", ', "placement": {"cpus": "5-3"}'), "parser"),
    ("cpus 8192", P % ("", ', "placement": {"cpus": "8192"}'), False),
    ("flow_limit table_len 3", B % '"flow_limit": {"cpus": "irq", "table_len": 3}', "parser"),
    ("rps none with flow entries", I % '"rps": {"cpus": "none", "flow_entries": 8}', "parser"),
    ("xps without cpus", I % '"xps": {}', False),
    ("description null", B % '"description": null', "null"),
    ("sysctl null", B % '"sysctl": null', "null"),
    ("irq.count null", I % '"irq": {"count": null}', "null"),
    ("irqbalance null", B % '"irqbalance": null', False),
    ("unknown key", B % '"interface": []', False),
]

os.makedirs(work, exist_ok=True)
files, want = [], []
for p in sorted(os.listdir(os.path.join(src, "profiles"))):
    if p.endswith(".json") and p != "schema.json":
        files.append(os.path.join(src, "profiles", p))
        want.append(("shipped " + p, True))
for i, (name, text, valid) in enumerate(CASES):
    path = os.path.join(work, f"case{i}.json")
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o644)
    files.append(path)
    want.append((name, valid))

r = tnlib.run(tuner, ["profile", "validate", "--json"] + files)
verdicts = [o["valid"] for o in json.loads(r.stdout)]
check(len(verdicts) == len(files), f"profile validate --json: one object per file "
      f"({len(verdicts)} of {len(files)})")
for path, (name, valid), parsed in zip(files, want, verdicts):
    with open(path) as fh:
        doc = json.load(fh)
    errors = list(validator.iter_errors(doc))
    by_schema = not errors
    want_parser = valid is True or valid == "null"
    want_schema = valid is True or valid == "parser"
    note = {"parser": " (parser-only check)", "null": " (null: absent to the parser)"}
    check(parsed == want_parser and by_schema == want_schema,
          f"{name}: tuner {'accepts' if parsed else 'refuses'}, the schema "
          f"{'accepts' if by_schema else 'refuses'}{note.get(valid, '')}"
          + ("" if by_schema == want_schema else f" [{errors[0].message if errors else ''}]"))
tnlib.finish()
