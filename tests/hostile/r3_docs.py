#!/usr/bin/env python3
"""The man page's SYNOPSIS names every command of 'tuner --help' and every form
of 'tuner show' and 'tuner diagnose' their --help gives (r3: what the user sees);
no line of any command's --help is wider than 80 columns.

  r3_docs.py TUNER MANPAGE"""
import re
import subprocess
import sys

tuner, man = sys.argv[1:3]
text = open(man).read()
synopsis = text.split(".SH SYNOPSIS", 1)[1].split(".SH DESCRIPTION", 1)[0]
forms = [f.replace("\\-", "-") for f in re.findall(r'\.SY "([^"]*)"\n((?:(?!\.YS).*\n)*)',
                                                      synopsis) for f in [" ".join(f)]]
failures = []
out = subprocess.run([tuner, "--help"], capture_output=True, text=True).stdout
cmds = re.findall(r"^  (\w+) ", out.split("Commands:", 1)[1].split("\n\n", 1)[0], re.M)
for c in cmds:
    if not any(f.startswith("tuner " + c) for f in forms):
        failures.append("SYNOPSIS: no 'tuner %s'" % c)
for c, opt in (("show", "--counters"), ("diagnose", "--from")):
    if not any(f.startswith("tuner " + c) and opt in f for f in forms):
        failures.append("SYNOPSIS: no 'tuner %s %s' form (its --help has one)" % (c, opt))
# every --help fits a terminal of 80 columns (they were up to 85)
for c in [None] + cmds:
    h = subprocess.run([tuner] + ([c] if c else []) + ["--help"], capture_output=True,
                       text=True).stdout
    for line in h.splitlines():
        if len(line) > 80:
            failures.append("tuner %s--help: a line of %d columns: %s" %
                            (c + " " if c else "", len(line), line))
for f in failures:
    print("FAIL " + f)
if failures:
    sys.exit(1)
print("ok   the SYNOPSIS has %d commands and their forms; every --help fits 80 columns" % len(cmds))
