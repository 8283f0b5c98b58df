#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The shape issue 10 asked of tuner/: no source file over 800 lines, no
function over 80 (the lines between its opening and closing brace, which the
house style puts alone in column 0). Prints each offender; exits 1 if any."""
import pathlib
import re
import sys

FILE_MAX, FUNC_MAX = 800, 80
root = pathlib.Path(sys.argv[1])
bad, funcs = [], 0
for f in sorted(root.glob("tuner/**/*.[ch]")):
    rel = f.relative_to(root)
    lines = f.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) > FILE_MAX:
        bad.append(f"{rel}: {len(lines)} lines (at most {FILE_MAX})")
    start = name = None
    for i, line in enumerate(lines):
        if line == "{":
            start, j = i, i - 1
            while j >= 0 and "(" not in lines[j]:
                j -= 1
            m = re.search(r"(\w+)\s*\(", lines[j]) if j >= 0 else None
            name = m.group(1) if m else f"line {i + 1}"
        elif line.startswith("}") and start is not None:
            funcs += 1
            if i - start - 1 > FUNC_MAX:
                bad.append(f"{rel}:{start + 1}: {name}: {i - start - 1} lines (at most {FUNC_MAX})")
            start = None
if funcs < 500:
    # the scan itself broke (a style change): a check that finds nothing must not pass
    bad.append(f"only {funcs} functions found in tuner/: the scan no longer reads the sources")
print("\n".join(bad) if bad else f"ok: {funcs} functions, every file <= {FILE_MAX} lines")
sys.exit(1 if bad else 0)
