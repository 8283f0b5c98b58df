#!/usr/bin/env python3
"""A journal that cannot be written whole (a full disk; here RLIMIT_FSIZE,
with SIGXFSZ ignored, so that write() fails with EFBIG after a short write).

An apply of some 1,900 IRQ changes fails at its 4th change (TUNER_FAULT), and
the journal has room for only part of what its undo appends. Before the fix:
  - the undo stopped at the first status line it could not write, leaving the
    changes it had made in place (the host half-changed);
  - the short write left half a line at the end of the journal, so
    `rollback --last`, which the undo's message points to, refused it as
    damaged ("the last line is truncated"), and history listed it damaged.
Now every change is undone whatever the journal, the journal is cut back to
its last whole line, history lists it and rollback finds the host restored.
A second case: the journal fills while the records of the IRQ batch are
written (before any of them is made): the sysctls are undone, and the journal
loads, with no status of a change it does not hold. A third: a batch refused
before it is recorded (a value a journal cannot hold) leaves a journal that
loads (the undo used to append statuses of its unrecorded changes). A fourth:
an apply whose journal header cannot be written leaves no journal behind. A
fifth: only the end record does not fit: exit 0 with a warning (it was an
error line after a success).

  txn_journal_full.py TUNER SRCDIR WORKDIR
"""
import json, os, resource, shutil, signal, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, Pristine  # noqa: E402

tuner, src, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
NQ = 1900  # more "rolled back" lines (about 36 bytes) than one 64 KiB batch of the journal
pristine = os.path.join(work, "host.pristine")
topo = os.path.join(work, "host.xml")
made = os.path.join(work, "host.made")
if not os.path.exists(made):  # built once per build tree: 30k small files
    shutil.rmtree(pristine, ignore_errors=True)
    subprocess.run([sys.executable, os.path.join(src, "tests/fixtures/mkfixture.py"),
                    "--synthetic", pristine, "--cpus", "8", "--nodes", "2", "--nics", "1",
                    "--queues", str(NQ)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["lstopo-no-graphics", "-f", "--input", "node:2 core:2 pu:2", "--of", "xml",
                    topo], check=True)
    open(made, "w").close()
base = Pristine(pristine)
tree, state = os.path.join(work, "tree"), os.path.join(work, "state")
g = ["--sysroot", tree, "--topology", topo, "--state-dir", state]


def fresh():
    shutil.rmtree(state, ignore_errors=True)
    os.mkdir(state, 0o700)
    base.restore(tree)


def run(args, fault=None, fsize=None):
    env = dict(os.environ)
    env.pop("TUNER_FAULT", None)
    if fault:
        env["TUNER_FAULT"] = fault

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    r = subprocess.run([tuner] + args + g, capture_output=True, text=True, env=env,
                       preexec_fn=limit, restore_signals=False)
    if "AddressSanitizer" in r.stderr or "runtime error" in r.stderr:
        check(False, f"sanitizer report from tuner {' '.join(args)}:\n{r.stderr[-2000:]}")
    return r


def journal():
    (name,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    return os.path.join(state, name)


def errors(r):
    return "\n".join(l for l in r.stderr.splitlines() if "warning" not in l)[-1500:]


def after_failure(tag, r):
    check(r.returncode == 1 and "journal: write: File too large" in r.stderr,
          f"{tag}: apply exits 1 naming the journal's write error: exit {r.returncode}\n"
          + errors(r))
    diff = base.changes(tree)
    check(not diff, f"{tag}: every change the apply made was undone "
          f"({len(diff)} files differ from the pristine tree)")
    with open(journal(), "rb") as fh:
        data = fh.read()
    check(data.endswith(b"\n"), f"{tag}: the journal ends with a whole line")
    h = run(["history", "--json"])
    st = json.loads(h.stdout)[0]["status"] if h.returncode == 0 else None
    check(st not in (None, "damaged"), f"{tag}: history lists the journal ({st})")
    rb = run(["rollback", "--last"])
    check(rb.returncode == 0 and not base.changes(tree),
          f"{tag}: rollback --last loads it and the tree stays pristine: exit "
          f"{rb.returncode}\n" + errors(rb))


# The clean run: where the IRQ batch's records end and its statuses begin.
fresh()
r = run(["apply", "-q"])
if not check(r.returncode == 0, "clean apply exit 0\n" + errors(r)):
    finish()
clean = open(journal(), "rb").read()
lines = clean.split(b"\n")
n = sum(1 for l in lines if b'"kind"' in l)
check(n >= NQ, f"the clean apply journaled {n} changes")
records_end = sum(len(l) + 1 for l in lines[:max(i for i, l in enumerate(lines)
                                                 if b'"kind"' in l) + 1])

# (a) a change fails at seq 3; the undo's lines do not fit.
fresh()
r = run(["apply", "-q"], fault="3:EINVAL")
check(r.returncode == 1, f"(a) the fault alone: exit 1 ({r.returncode})")
with open(journal(), "rb") as fh:
    text = fh.read()
undo_at = text.index(b'"status":"rolled back"')
undo_at = text.rindex(b"\n", 0, undo_at) + 1  # the first line the undo appended
fresh()
after_failure("(a) undo past a full journal",
              run(["apply", "-q"], fault="3:EINVAL", fsize=undo_at + 20))

# (b) the journal fills while the IRQ batch's records are written: none of
# them is made, the sysctls are undone.
fresh()
after_failure("(b) records of a batch past a full journal",
              run(["apply", "-q"], fsize=records_end - 5000))

# (c) a batch refused before it is recorded (a value the journal could not
# hold): its changes were never in the journal, and the undo used to append
# statuses of them, which made the journal one its loader refuses ("status of
# change 1, which is not recorded"): history said damaged, rollback --last
# failed.
fresh()
with open(os.path.join(tree, "proc/sys/net/ipv4/tcp_congestion_control"), "w") as fh:
    fh.write("cubic\n")
prof = os.path.join(work, "cc.json")
with open(prof, "w") as fh:
    json.dump({"name": "cc", "irqbalance": "ignore",
               "sysctl": {"net.core.netdev_budget": {"min": 600},
                          "net.ipv4.tcp_congestion_control": "cubic;reboot"}}, fh)
r = run(["apply", "--profile", prof])
check(r.returncode == 1 and "tuner cannot record it" in r.stderr,
      f"(c) a value the journal cannot hold: apply exits 1 ({r.returncode})\n" + errors(r))
check("never applied" not in r.stderr,
      "(c) the undo reports nothing of changes it never recorded\n" + errors(r))
h = run(["history", "--json"])
st = json.loads(h.stdout)[0] if h.returncode == 0 else {}
check(st.get("status") == "failed" and st.get("changes") == 0,
      f"(c) history lists the journal: failed, 0 changes ({st})")
rb = run(["rollback", "--last"])
check(rb.returncode == 0, f"(c) rollback --last loads it: exit {rb.returncode}\n" + errors(rb))

# (e) everything fits but the end record: every change is made and recorded,
# so the apply succeeds (exit 0) and says so with a warning, not an error line.
fresh()
r = run(["apply"], fsize=len(clean) - 5)
check(r.returncode == 0 and "warning: journal " in r.stderr and
      "end record was not written" in r.stderr and "tuner: journal: write" not in r.stderr,
      f"(e) the end record does not fit: exit 0 with a warning ({r.returncode})\n"
      + "\n".join(r.stderr.splitlines()[-3:]))
rb = run(["rollback", "--last"])
check(rb.returncode == 0 and not base.changes(tree),
      f"(e) rollback --last undoes it: exit {rb.returncode}\n" + errors(rb))

# (d) not even the journal's header fits: nothing is changed, and no headless
# journal is left behind for history to call damaged and rollback --last to
# take for the newest (the last apply stays the one it undoes).
fresh()
r = run(["apply", "-q"])
check(r.returncode == 0, "(d) a first apply: exit 0\n" + errors(r))
r = run(["apply", "-q", "--profile", os.path.join(src, "profiles/socket-buffers.json")],
        fsize=100)
check(r.returncode == 1 and "File too large" in r.stderr,
      f"(d) an apply whose journal header does not fit: exit 1 ({r.returncode})\n" + errors(r))
h = run(["history", "--json"])
hist = json.loads(h.stdout) if h.returncode == 0 else []
check([e["status"] for e in hist] == ["applied"], f"(d) history: the first apply only ({hist})")
rb = run(["rollback", "--last"])
check(rb.returncode == 0 and not base.changes(tree),
      f"(d) rollback --last undoes the first apply: exit {rb.returncode}\n" + errors(rb))
finish()
