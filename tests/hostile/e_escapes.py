#!/usr/bin/env python3
"""Terminal escapes in human-readable output (hardening item 4).

Names and values tuner prints come from the host and from files, and may hold
bytes a terminal acts on (ESC sequences retitle the window, clear the screen;
a newline forges a line). Every human-readable output must show them escaped
(\\xNN): C0 controls, DEL, C1 controls and bytes that are not valid UTF-8.

Hostile inputs (tests/hostile/):
  e-escape-tree.json     a mkfixture spec: escapes in the host name, kernel
                         release, a sysctl value, a process's comm, cgroup and
                         thread names; this test adds raw non-UTF-8 bytes to a
                         thread name and an ESC sequence to an IRQ name
  e-escape-plan.json     a profile whose name and interface glob hold escapes
  e-escape-key.json      a profile with an unknown key holding escapes
  e-escape-sysctl.json   a profile with a sysctl name holding escapes
and a process this test starts, whose comm (set through /proc/self/comm)
holds ESC and BEL, shown by 'show --process' on this host (read only).

For each command: stdout and stderr are valid UTF-8 with no control character
but newline, and the hostile text is there in its escaped form (so a command
that printed nothing would not pass).

  e_escapes.py TUNER SRCDIR WORKDIR
"""
import json, os, shutil, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish  # noqa: E402
import tnlib  # noqa: E402

tuner, src, work = sys.argv[1:4]
hostile = os.path.join(src, "tests", "hostile")
topodir = os.path.join(src, "..", "shared", "fixtures", "topology")
topo = os.path.join(topodir, "24em64t-2n6c2t-pci.xml")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

# What the hostile strings look like once escaped.
TITLE = r"\x1b]0;pwned\x07"                       # OSC: set the window title
COMM = TITLE + r"\x1b[2Jredis-server"             # ... then clear the screen
THREAD = r"bio\xc2\x9b31m\x1bc\xff\x9b"           # C1 CSI as UTF-8, RIS, raw bytes
IRQ = r"eth0-TxRx-0\x1b]0;x\x07"
NAME = r"esc\x1b]0;pwned\x07\x1b[2J"              # e-escape-plan.json's "name"


def bad_bytes(data):
    """'' when data is valid UTF-8 without controls but newline, else why not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"not valid UTF-8 at byte {e.start}: {data[max(0, e.start - 20):e.start + 20]!r}"
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch != "\n") or 0x7f <= o <= 0x9f:
            return f"control character U+{o:04X} at {i}: {text[max(0, i - 30):i + 30]!r}"
    return ""


def tn(args, **kw):
    r = subprocess.run([tuner] + args, capture_output=True, **kw)
    err = r.stderr.decode("utf-8", "replace")
    if "AddressSanitizer" in err or "runtime error" in err:
        print(err, file=sys.stderr)
        check(False, f"sanitizer report from tuner {' '.join(args)}")
    return r


def expect(what, r, rcs, want):
    """r's outputs are clean and hold every string of want (escaped forms)."""
    out = r.stdout + r.stderr
    problems = []
    if r.returncode not in rcs:
        problems.append(f"exit {r.returncode}, want {rcs}")
    for name, data in (("stdout", r.stdout), ("stderr", r.stderr)):
        why = bad_bytes(data)
        if why:
            problems.append(f"{name}: {why}")
    text = out.decode("utf-8", "replace")
    for w in want:
        if w not in text:
            problems.append(f"{w!r} not in the output")
    check(not problems, what + ("" if not problems else ": " + "; ".join(problems)))
    if problems:
        print("    " + text[-1500:].replace("\n", "\n    "))


# ---- the hostile tree ----
tree = os.path.join(work, "tree")
subprocess.run([sys.executable, os.path.join(src, "tests/fixtures/mkfixture.py"),
                "--topology-dir", topodir, os.path.join(hostile, "e-escape-tree.json"), tree],
               check=True, stdout=subprocess.DEVNULL)
# raw bytes JSON cannot carry: a thread name that is not UTF-8, an IRQ name
with open(os.path.join(tree, "proc/4242/task/4243/comm"), "wb") as f:
    f.write(b"bio\xc2\x9b31m\x1bc\xff\x9b\n")
p = os.path.join(tree, "proc/interrupts")
data = open(p, "rb").read()
check(b" eth0-TxRx-0\n" in data, "the tree's /proc/interrupts names eth0-TxRx-0")
open(p, "wb").write(data.replace(b" eth0-TxRx-0\n", b" eth0-TxRx-0\x1b]0;x\x07\n"))
g = ["--sysroot", tree, "--topology", topo]

r = tn(["show", "--process", "pid:4242"] + g)
expect("show --sysroot: host name, kernel, sysctl value, IRQ name, comm, cgroup, threads",
       r, [0], ["mirage" + TITLE, r"5.15.0-91\x1b[2J", r"212992\x1b[2J", IRQ, "4242 " + COMM,
                r"x\x1b[31m.service", "thread 4242 " + COMM, "thread 4243 " + THREAD])

snap = os.path.join(work, "snap.json")
r = tn(["show", "--json", "--process", "pid:4242"] + g)
check(r.returncode == 0 and b"\x1b" not in r.stdout, "show --json: no raw ESC (JSON escapes it)")
open(snap, "wb").write(r.stdout)
r = tn(["show", "--state", snap])
expect("show --state: the same, from a snapshot", r, [0],
       ["mirage" + TITLE, IRQ, "4242 " + COMM, "thread 4243 " + THREAD])

plan = os.path.join(hostile, "e-escape-plan.json")
r = tn(["plan", "--profile", plan] + g)
expect("plan --sysroot: the process's name in its change, the profile name, the rule's glob",
       r, [2], ["4242 " + COMM + " CPUs", "for profile " + NAME, r"eth0\x1b[2J*"])
r = tn(["plan", "--profile", plan, "--state", snap])
expect("plan --state", r, [2], ["4242 " + COMM + " CPUs", "for profile " + NAME])

r = tn(["profile", "validate", plan])
expect("profile validate: the profile's name", r, [0], ['(profile "' + NAME + '"'])
key = os.path.join(hostile, "e-escape-key.json")
for cmd in (["profile", "validate", key], ["plan", "--profile", key] + g):
    r = tn(cmd)
    expect(f"{' '.join(cmd[:2])} e-escape-key.json: the key in the error", r, [1],
           [r'["\x1b]0;pwned\x07\x1b[2Jkey"]: unknown key'])
r = tn(["plan", "--profile", os.path.join(hostile, "e-escape-sysctl.json")] + g)
expect("plan e-escape-sysctl.json: the sysctl name in the error", r, [1],
       [r"net.core.x\x1b]0;pwned\x07\x1b[2J"])

# apply, verify, history and rollback on a copy of the tree
state = os.path.join(work, "state")
r = tn(["apply", "--profile", plan, "--state-dir", state] + g)
expect("apply --sysroot: each change as it is made, the process by its name", r, [0],
       [COMM + " 4242/4242 CPUs", COMM + " 4242/4243 CPUs"])
r = tn(["verify", "--profile", plan] + g)
expect("verify: the profile's name", r, [0], ["matches profile " + NAME])
r = tn(["history", "--state-dir", state])
expect("history: the profile's name", r, [0], [NAME])
r = tn(["rollback", "--last", "--state-dir", state] + g)
expect("rollback: each change restored, the process by its name", r, [0],
       [COMM + " 4242/4243 CPUs"])
bad = os.path.join(state, "x\x1b]0;pwned\x07.journal")
fd = os.open(bad, os.O_WRONLY | os.O_CREAT, 0o600)
os.close(fd)
r = tn(["history", "--state-dir", state])
expect("history: a journal file whose name holds escapes", r, [0], ["x" + TITLE])
r = tn(["rollback", "--state-dir", state] + g + ["x\x1b]0;pwned\x07"])
expect("rollback ID: an ID that holds escapes, in the error", r, [1], ["x" + TITLE])
expect("an unknown command-line word with escapes, echoed in the usage error",
       tn(["\x1b]0;pwned\x07"]), [64], ["'" + TITLE + "'"])

# ---- a process this test starts, on this host (show reads, changes nothing) ----
child = subprocess.Popen(
    [sys.executable, "-c",
     "import sys; open('/proc/self/comm', 'wb').write(b'\\x1b]0;pw\\x07\\x1b[2Jr');"
     "print('ready', flush=True); sys.stdin.read()"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
try:
    ready = child.stdout.readline().strip() == b"ready"
    comm = open(f"/proc/{child.pid}/comm", "rb").read()
    check(ready and comm == b"\x1b]0;pw\x07\x1b[2Jr\n",
          f"the child {child.pid} set its comm to {comm!r}")
    r = tn(["show", "--process", f"pid:{child.pid}"])
    expect("show --process pid:N on this host: the child's comm", r, [0],
           [f"{child.pid} " + r"\x1b]0;pw\x07\x1b[2Jr (1 threads)"])
finally:
    child.stdin.close()
    child.wait(timeout=10)

finish()
