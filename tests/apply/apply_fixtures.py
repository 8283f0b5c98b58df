#!/usr/bin/env python3
"""Apply on every fixture tree with every shipped profile that plans there:
each file of the tree changes exactly as the plan says and nothing else does;
verify then passes and a second plan is empty; rollback restores the whole tree
byte for byte, and a second rollback changes nothing.

  apply_fixtures.py TUNER SRCDIR WORKDIR
"""
import atexit, glob, json, os, shutil, subprocess, sys
from tnlib import check, finish, tree_sums, pristine_tree
import tnlib

tuner, src, work = sys.argv[1:4]


def run(args, **kw):
    return tnlib.run(tuner, args, **kw)


def expected_files(tree, change):
    """The files a change must rewrite in a tree."""
    k, t = change["kind"], change["target"]
    if k == "irq_affinity":
        return {f"proc/irq/{t}/smp_affinity_list"}
    if k == "sysctl":
        return {"proc/sys/" + t.replace(".", "/")}
    if k == "process_affinity":
        pid, files = tnlib.proc_ids(t)[0], set()
        for tid in os.listdir(os.path.join(tree, f"proc/{pid}/task")):
            files.add(f"proc/{pid}/task/{tid}/status")
        files.add(f"proc/{pid}/status")
        return files
    if k == "irqbalance":
        return set()  # a command to the daemon's socket, no file of the tree
    raise SystemExit(f"unexpected change kind {k} under a sysroot")


def content_ok(tree, change, path):
    data = open(os.path.join(tree, path)).read()
    if change["kind"] == "process_affinity":
        line = [l for l in data.splitlines() if l.startswith("Cpus_allowed_list:")][0]
        return line.split()[1] == change["after"]
    return " ".join(data.split()) == change["after"]


for spec in sorted(glob.glob(os.path.join(src, "tests/fixtures/specs/*.json"))):
    fx = os.path.basename(spec)[:-5]
    pristine, topo = pristine_tree(src, work, fx)
    for prof in sorted(glob.glob(os.path.join(src, "profiles/*.json"))):
        if prof.endswith("schema.json"):
            continue
        name = f"{fx}/{os.path.basename(prof)[:-5]}"
        tree = os.path.join(work, "tree")
        state = os.path.join(work, "state")
        shutil.rmtree(tree, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        shutil.copytree(pristine, tree, symlinks=True)
        g = ["--sysroot", tree, "--topology", topo]
        # a running irqbalance in the tree gets a control socket to talk to
        fake = None
        ib_state = os.path.join(work, "irqbalance.banned")
        for pid in os.listdir(os.path.join(tree, "proc")):
            comm = os.path.join(tree, "proc", pid, "comm")
            if pid.isdigit() and os.path.exists(comm) and open(comm).read().strip() == "irqbalance":
                args = open(os.path.join(tree, "proc", pid, "cmdline")).read().split("\0")
                initial = ",".join(a.split("=")[1] for a in args if a.startswith("--banirq="))
                fake = subprocess.Popen([sys.executable, os.path.join(src, "tests/apply/fake_irqbalance.py"),
                                         os.path.join(tree, f"run/irqbalance/irqbalance{pid}.sock"),
                                         initial, ib_state], stdout=subprocess.PIPE, text=True)
                atexit.register(fake.kill)
                fake.stdout.readline()
                initial_banned = open(ib_state).read().strip()
        plan = run(["plan", "--json", "--profile", prof] + g)
        if plan.returncode == 1:
            # a refusal (redis on a host with NICs on every node) must say why
            check("NUMA node" in plan.stderr, f"{name}: refused with a reason: "
                  f"{plan.stderr.strip().splitlines()[-1]}")
            continue
        changes = json.loads(plan.stdout)["changes"]
        before = tree_sums(tree)
        r = run(["apply", "--profile", prof, "--state-dir", state] + g)
        if not check(r.returncode == 0, f"{name}: apply exit {r.returncode}"):
            print(r.stderr)
            if fake:
                fake.kill()
            continue
        after = tree_sums(tree)
        changed = {p for p in after if after[p] != before.get(p)}
        if fake:
            ban = [c for c in changes if c["kind"] == "irqbalance"]
            want_ban = ban[0]["after"] if ban else initial_banned
            check(open(ib_state).read().strip() == want_ban,
                  f"{name}: irqbalance's banned IRQs are {want_ban!r} as planned")
        want = set()
        bad = []
        for c in changes:
            files = expected_files(tree, c)
            want |= files
            bad += [p for p in files if p in changed and not content_ok(tree, c, p)]
        check(changed == want, f"{name}: {len(changed)} files changed, exactly the "
              f"{len(want)} the plan names" + ("" if changed == want else
              f" (extra {sorted(changed - want)[:5]}, missing {sorted(want - changed)[:5]})"))
        check(not bad, f"{name}: every changed file holds the planned value {bad[:3]}")
        check(set(after) == set(before), f"{name}: no file created or removed")
        v = run(["verify", "--profile", prof] + g)
        check(v.returncode == 0, f"{name}: verify after apply exits {v.returncode}")
        p2 = run(["plan", "--profile", prof] + g)
        check(p2.returncode == 0, f"{name}: plan after apply is empty (exit {p2.returncode})")
        a2 = run(["apply", "--profile", prof, "--state-dir", state] + g)
        check(a2.returncode == 0 and "nothing to change" in a2.stderr,
              f"{name}: a second apply changes nothing")
        rb = run(["rollback", "--last", "--state-dir", state] + g)
        check(rb.returncode == 0, f"{name}: rollback exit {rb.returncode}")
        check(tree_sums(tree) == before, f"{name}: rollback restores the tree byte for byte")
        rb2 = run(["rollback", "--last", "--state-dir", state] + g)
        check(rb2.returncode == 0 and " 0 restored" in rb2.stderr and tree_sums(tree) == before,
              f"{name}: a second rollback changes nothing")
        if fake:
            check(open(ib_state).read().strip() == initial_banned,
                  f"{name}: irqbalance's banned IRQs are back to {initial_banned!r}")
        h = run(["history", "--json", "--state-dir", state])
        hist = json.loads(h.stdout) if h.returncode == 0 else []
        check(len(hist) == 1 and hist[0]["status"] == "rolled back",
              f"{name}: history shows one apply, rolled back")
        if fake:
            fake.kill()
            fake.wait()

finish()
