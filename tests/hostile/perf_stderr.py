#!/usr/bin/env python3
"""Issue 10, plan and apply speed (area f): the CLI writes each message to
stderr whole, one write() per message, not one per byte (stderr is not
buffered). Runs 'tuner plan' on the 24em64t fixture, whose default plan warns
about every NIC's rings, under strace, and checks that the writes to fd 2 are
no more than the lines on stderr and that each write ends a line; and that the
text is what it was (the lines come whole, in order).

usage: perf_stderr.py TUNER SRCDIR WORKDIR   (exit 77: strace missing, skipped)"""
import os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402


def main():
    tuner, src, work = sys.argv[1:4]
    if not shutil.which("strace"):
        print("SKIP: strace is not installed")
        return 77
    os.makedirs(work, exist_ok=True)
    tree, topo = tnlib.pristine_tree(src, work, "24em64t")
    trace = os.path.join(work, "strace.txt")
    cmd = [tuner, "plan", "--sysroot", tree, "--topology", topo,
           "--profile", os.path.join(src, "profiles", "default.json")]
    # LeakSanitizer cannot run under ptrace (it stops the process and fails at
    # exit): an ASan build is traced with leak checks off, in both runs alike
    # (the other tests check leaks)
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=write", "-e", "signal=none",
                        "-s", "4096", "-o", trace] + cmd, capture_output=True, text=True, env=env)
    plain = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = r.stderr.count("\n")
    writes = [ln for ln in open(trace) if re.match(r"(\d+ +)?write\(2, ", ln)]
    fails = []
    if r.returncode != plain.returncode or r.stderr != plain.stderr:
        fails.append("stderr or exit status differ under strace")
    if lines < 3:
        fails.append(f"expected warnings on stderr, got {lines} lines: {r.stderr!r}")
    if len(writes) > lines:
        fails.append(f"{len(writes)} writes to stderr for {lines} lines")
    bad = [w for w in writes if not re.search(r'\\n"(\.\.\.)?, \d+\) += \d+$', w.rstrip())]
    if bad:
        fails.append(f"{len(bad)} writes do not end a line, e.g. {bad[0].rstrip()!r}")
    for f in fails:
        print("FAIL:", f)
    if not fails:
        print(f"ok: {lines} lines on stderr in {len(writes)} writes")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
