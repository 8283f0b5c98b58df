#!/usr/bin/env python3
"""rollback --last, rollback without an ID, and history when the wall clock
steps back within a boot (NTP, date -s, a resumed VM).

A journal's name is made from the wall clock. Two applies on a sysroot tree,
A then B, each setting net.core.netdev_budget (300 -> 600 -> 900); then the
clock step is made as it would have happened: B's journal renamed (and its
header's id and time edited) to a name one hour before A's, as a clock
stepped back an hour between the two applies names it. Everything else in
the journals is what the tuner under test wrote. Then:

  - history lists B after A (B is the newest), text and --json alike;
  - rollback --last undoes B (netdev_budget back to 600), not A (which used to
    leave B's 900 "changed since" and the host half-changed); rollback with
    no ID does the same;
  - with no clock step nothing moves (history in name order, --last = B);
  - journals of an older tuner (no boottime_us) keep the name order;
  - a journal of another boot named newest is passed over for this boot's
    newest; with no journal of this boot, --last is the newest by name, and
    it is refused as another boot's without --force, as before;
  - a hostile boottime_us (negative, beyond 2^53 - 1, not an integer, a
    string) refuses that journal, naming the file, line and key; named
    newest, --last refuses it too (it may be the newest: no guess past it,
    as for a FIFO); named before the newest, --last is not drawn to it; a
    missing (or null) one is an older journal, accepted.

  h1_clock_step.py TUNER SRCDIR WORKDIR
"""
import datetime, json, os, re, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, Setup  # noqa: E402
import tnlib  # noqa: E402

fx = Setup()
tuner, tree, state, g = fx.tuner, fx.tree, fx.state, fx.g
BUDGET = os.path.join(tree, "proc/sys/net/core/netdev_budget")
BOOT = open(os.path.join(tree, "proc/sys/kernel/random/boot_id")).read().strip()
ID_RE = re.compile(r"^(\d{8}T\d{6})_(\d{3})Z-(\d+)$")


def profile(name, budget):
    path = os.path.join(fx.work, name + ".json")
    with open(path, "w") as fh:
        json.dump({"name": name, "sysctl": {"net.core.netdev_budget": budget}}, fh)
    return path


PA, PB = profile("h1-a", 600), profile("h1-b", 900)


def tuner_run(*args, jid=None):
    """tuner ARGS --state-dir STATE --sysroot TREE ... [JID]"""
    return tnlib.run(tuner, list(args) + ["--state-dir", state] + g + ([jid] if jid else []))


def budget():
    return open(BUDGET).read().strip()


def journals():
    names = os.listdir(state) if os.path.isdir(state) else []
    return sorted(f[:-len(".journal")] for f in names if f.endswith(".journal"))


def apply(prof):
    before = set(journals())
    r = tuner_run("apply", "--profile", prof)
    new = sorted(set(journals()) - before)
    check(r.returncode == 0 and len(new) == 1, f"apply {os.path.basename(prof)}: exit "
          f"{r.returncode}, one new journal ({new}) {r.stderr.strip()[-200:]}")
    return new[0] if new else None


def lines(jid):
    with open(os.path.join(state, jid + ".journal")) as fh:
        return fh.read().splitlines()


NULL = object()  # a JSON null, for edit_header


def edit_header(jid, new_id=None, **fields):
    """Rewrite jid's header with fields set (None: removed, NULL: null); rename
    it to new_id."""
    ls = lines(jid)
    h = json.loads(ls[0])
    for k, v in fields.items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = None if v is NULL else v
    if new_id:
        h["id"] = new_id
    ls[0] = json.dumps(h, separators=(",", ":"))
    dst = os.path.join(state, (new_id or jid) + ".journal")
    os.unlink(os.path.join(state, jid + ".journal"))
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(ls) + "\n")
    return new_id or jid


def stepped_back(later, earlier, hours=1):
    """The id and time 'later' would have had with the clock stepped back
    'hours' before 'earlier' was made: named before it."""
    m, e = ID_RE.match(later), ID_RE.match(earlier)
    t = datetime.datetime.strptime(e.group(1), "%Y%m%dT%H%M%S") - datetime.timedelta(hours=hours)
    return f"{t:%Y%m%dT%H%M%S}_{m.group(2)}Z-{m.group(3)}", f"{t:%Y-%m-%dT%H:%M:%S}Z"


def history_ids():
    r = tuner_run("history")
    rows = [l.split()[0] for l in r.stdout.splitlines()[1:] if l.strip()]
    rj = tuner_run("history", "--json")
    try:
        js = [o["journal"] for o in json.loads(rj.stdout)]
    except (ValueError, KeyError, TypeError):
        js = None
    check(r.returncode == 0 and rj.returncode == 0 and js == rows,
          f"history --json lists the journals in the text's order ({rows} / {js})")
    return rows, r.stdout


def rolled_back(r):
    """The journal a rollback's summary line names."""
    m = re.search(r"journal (\S+): \d+ restored", r.stderr)
    return m.group(1) if m else None


def two_applies():
    fx.fresh()
    a = apply(PA)
    b = apply(PB)
    check(budget() == "900", f"after both applies netdev_budget is B's 900 ({budget()})")
    return a, b


# ---- the clock stepped back an hour between A and B ----
for how in (["rollback", "--last"], ["rollback"]):
    a, b = two_applies()
    nb, ntime = stepped_back(b, a)
    b = edit_header(b, nb, time=ntime)
    check(journals() == [b, a], f"set-up: B's journal {b} is named before A's {a}")
    rows, text = history_ids()
    check(rows == [a, b], f"history: B ({b}) listed after A ({a}), as newest; got {rows}\n{text}")
    r = tuner_run(*how)
    check(r.returncode == 0 and rolled_back(r) == b,
          f"{' '.join(how)} undoes B, the newest apply ({b}), not A ({a}): rolled back "
          f"{rolled_back(r)}, exit {r.returncode}\n{r.stderr}")
    check(budget() == "600", f"{' '.join(how)}: netdev_budget back to A's 600 ({budget()})")
    check("left alone:" not in r.stderr, f"{' '.join(how)}: nothing left alone as changed since")

# ---- no clock step: nothing moves ----
a, b = two_applies()
rows, _ = history_ids()
check(rows == [a, b], f"no step: history in name order ({rows})")
r = tuner_run("rollback", "--last", "--dry-run")
check(r.returncode == 0 and rolled_back(r) == b, f"no step: --last is B ({rolled_back(r)})")

# ---- journals of an older tuner (no boottime_us): name order, as before ----
a, b = two_applies()
nb, ntime = stepped_back(b, a)
b = edit_header(b, nb, time=ntime, boottime_us=None)
a = edit_header(a, boottime_us=None)
rows, _ = history_ids()
check(rows == [b, a], f"older journals: history in name order ({rows})")
r = tuner_run("rollback", "--last", "--dry-run")
check(r.returncode == 0 and rolled_back(r) == a,
      f"older journals: --last is the newest by name ({rolled_back(r)}; {r.stderr.strip()})")

# ---- another boot's journal named newest; no journal of this boot ----
a, b = two_applies()
other = edit_header(a, stepped_back(a, b, hours=-5)[0], boot_id="0" * 8 + BOOT[8:])
r = tuner_run("rollback", "--last", "--dry-run")
check(r.returncode == 0 and rolled_back(r) == b,
      f"another boot's journal named newest ({other}): --last is this boot's newest, "
      f"{b} ({rolled_back(r)}; {r.stderr.strip()})")
b = edit_header(b, boot_id="1" * 8 + BOOT[8:])
r = tuner_run("rollback", "--last")
check(r.returncode == 1 and f"journal {other} was made during another boot" in r.stderr,
      f"no journal of this boot: --last is the newest by name, refused as another boot's "
      f"(exit {r.returncode}: {r.stderr.strip()})")
r = tuner_run("rollback", "--last", "--force", "--dry-run")
check(r.returncode == 0 and rolled_back(r) == other, f"... and taken with --force ({r.stderr})")

# ---- hostile boottime_us ----
HOSTILE = [(-1, "-1 is out of range"), (2 ** 53, "9007199254740992 is out of range"),
           (1e300, "is out of range"), (1.5, "expected an integer"),
           ("123", "expected an integer, found a string")]
for val, why in HOSTILE:
    a, b = two_applies()
    good = lines(b)[0]
    # the hostile journal, B, is the newest by name
    edit_header(b, boottime_us=val)
    want = f"{state}/{b}.journal:1: boottime_us: "
    r = tuner_run("rollback", "--dry-run", jid=b)
    check(r.returncode == 1 and want in r.stderr and why in r.stderr,
          f"boottime_us {val!r}: the journal is refused, naming file, line and key "
          f"({r.stderr.strip()})")
    rows, text = history_ids()
    check(re.search(re.escape(b) + r"\s+damaged: " + re.escape(want), text) is not None,
          f"boottime_us {val!r}: history shows it damaged, saying why\n{text}")
    # named after this boot's newest readable journal, it may be the newest:
    # --last refuses it, saying why, rather than undo A in its place
    r = tuner_run("rollback", "--last")
    check(r.returncode == 1 and want in r.stderr and why in r.stderr and budget() == "900",
          f"boottime_us {val!r}, named newest: --last refuses it, nothing written "
          f"(exit {r.returncode}, netdev_budget {budget()}: {r.stderr.strip()})")
    # named before the newest (A hostile, B as written): --last is not drawn to it
    with open(os.path.join(state, b + ".journal")) as fh:
        rest = fh.read().split("\n", 1)[1]
    with open(os.path.join(state, b + ".journal"), "w") as fh:
        fh.write(good + "\n" + rest)
    edit_header(a, boottime_us=val)
    r = tuner_run("rollback", "--last")
    check(r.returncode == 0 and rolled_back(r) == b and budget() == "600",
          f"boottime_us {val!r}, named before B: --last undoes B ({rolled_back(r)}: "
          f"{r.stderr.strip()})")

# a journal without boottime_us (or null, as everywhere in tuner's JSON) is an
# older tuner's: it loads, and as the only one of this boot it is --last's
for val in (None, NULL):
    fx.fresh()
    b = edit_header(apply(PB), boottime_us=val)
    r = tuner_run("rollback", "--dry-run", jid=b)
    check(r.returncode == 0 and rolled_back(r) == b,
          f"boottime_us {'null' if val else 'missing'}: accepted ({r.stderr.strip()})")
    r = tuner_run("rollback", "--last")
    check(r.returncode == 0 and rolled_back(r) == b and budget() == "300",
          f"boottime_us {'null' if val else 'missing'}: rolled back by --last ({r.stderr.strip()})")

finish()
