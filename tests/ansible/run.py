#!/usr/bin/env python3
"""The Ansible module tuner.tuner.tuner (scripts/ansible), run for real by
ansible-playbook (Debian's ansible-core) against localhost aliases with
ansible_connection=local and --forks 5, each alias with its own sysroot tree
of a different fixture, its own state directory and its own profile:

  h24    24em64t, a profile by path (redis-numa-split)
  h32    32em64t, an inline profile (a dictionary in the inventory)
  hfault 16intel64, the default profile by name, TUNER_FAULT makes its apply fail
  hpartial  the same with keep_going: a partial apply
  hbad   24em64t, a profile with an error at a known line and column
  e_*    what the module refuses (untrusted binary, unknown schema_version, ...)

Checked against the trees' files (checksums, modes, links) and the module's
returned JSON (written to files by the playbook), never tuner's text:
check mode plans per host and changes nothing, --diff shows the changes,
apply changes exactly the files the plan named to the planned values, a
second apply is changed=false, verify passes, drift is reported (or fails),
rollback restores every tree byte for byte, a second rollback changes
nothing; a failing host does not stop the others. Results come from the
tuner_record callback (callback_plugins/). Also ansible-doc and
py_compile on the module, the example playbook's syntax, and that README's
Fleets section shows that playbook.

  run.py TUNER SRCDIR WORKDIR
"""
import glob, hashlib, json, os, re, shutil, stat, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
from tnlib import check, finish, pristine_tree  # noqa: E402

tuner, src, work = (os.path.abspath(a) for a in sys.argv[1:4])
os.umask(0o022)
start = time.time()
playbook_bin = shutil.which("ansible-playbook")
doc_bin = shutil.which("ansible-doc")
if not playbook_bin or not doc_bin:
    check(False, "ansible-playbook and ansible-doc are installed (Debian's ansible-core: "
          "scripts/deps.sh test installs it)")
    finish()
# the Python that ansible runs on, for the targets too (no interpreter discovery)
with open(playbook_bin) as f:
    interp = f.readline()[2:].strip().split()[0]

FIXTURES = {"h24": "24em64t", "h32": "32em64t", "hfault": "16intel64", "hpartial": "16intel64",
            "hbad": "24em64t", "edge": "24em64t"}
FLEET = ("h24", "h32", "hfault", "hpartial", "hbad")
HEALTHY = ("h24", "h32")
# (its tree has an irqbalance without a control socket: "ignore" it)
INLINE = {"name": "fleet-inline", "extends": "default", "irqbalance": "ignore",
          "sysctl": {"net.core.rmem_max": 8388608, "net.core.netdev_budget": {"min": 800}}}
run_dir = os.path.join(work, "run")
shutil.rmtree(run_dir, ignore_errors=True)
os.makedirs(run_dir)


def snapshot(root):
    """Every entry below root: type, mode, link target, sha256 of files."""
    snap = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                snap[rel] = ("l", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    snap[rel] = ("f", stat.S_IMODE(st.st_mode),
                                 hashlib.sha256(fh.read()).hexdigest())
            else:
                snap[rel] = ("d" if stat.S_ISDIR(st.st_mode) else "o",
                             stat.S_IMODE(st.st_mode))
    return snap


def differ(a, b):
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


# ---- the fleet: trees, profiles, binaries, inventory ----
hosts, topo = {}, {}
for h, fx in FIXTURES.items():
    pristine, topo[h] = pristine_tree(src, work, fx)
    tree = os.path.join(run_dir, h, "tree")
    shutil.copytree(pristine, tree, symlinks=True)
    hosts[h] = {"tree": tree, "topo": topo[h], "state_dir": os.path.join(run_dir, h, "state")}
pristine_snap = {h: snapshot(hosts[h]["tree"]) for h in hosts}

prof_dir = os.path.join(run_dir, "profiles")
os.makedirs(prof_dir)
bad_profile = os.path.join(prof_dir, "bad-profile.json")
shutil.copyfile(os.path.join(src, "tests/ansible/bad-profile.json"), bad_profile)
inline_file = os.path.join(prof_dir, "inline.json")  # for the direct plan only
with open(inline_file, "w") as f:
    json.dump(INLINE, f)
hosts["h24"]["tuner_profile"] = os.path.join(src, "profiles/redis-numa-split.json")
hosts["h32"]["tuner_profile"] = INLINE
hosts["hfault"]["tuner_profile"] = "default"
hosts["hfault"]["tuner_env"] = {"TUNER_FAULT": "2:EINVAL"}
hosts["hpartial"].update(tuner_profile="default", tuner_keep_going=True,
                        tuner_env={"TUNER_FAULT": "2:EINVAL"})
hosts["hbad"]["tuner_profile"] = bad_profile

bin_dir = os.path.join(run_dir, "bin")
os.makedirs(bin_dir)
fake_log = os.path.join(run_dir, "fake-tuner.json")
fake = os.path.join(bin_dir, "fake-tuner")
with open(fake, "w") as f:
    f.write(f"""#!{interp}
# a tuner from the future: schema_version 2; records how it was run
import json, os, sys
argv = sys.argv[1:]
rec = {{"argv": argv, "cwd": os.getcwd()}}
if "--profile" in argv:
    p = argv[argv.index("--profile") + 1]
    st = os.stat(p)
    rec.update(profile=p, mode=st.st_mode & 0o7777, uid=st.st_uid, text=open(p).read())
with open({fake_log!r}, "w") as f:
    json.dump(rec, f)
print(json.dumps({{"schema_version": 2, "kind": "plan", "profile": "x", "changes": []}}))
""")
os.chmod(fake, 0o755)
writable = os.path.join(bin_dir, "writable-tuner")
shutil.copyfile(tuner, writable)
os.chmod(writable, 0o775)
open_dir = os.path.join(run_dir, "open-bin")  # anyone may replace what is in it
os.makedirs(open_dir)
os.chmod(open_dir, 0o777)
in_open_dir = os.path.join(open_dir, "tuner")
shutil.copyfile(tuner, in_open_dir)
os.chmod(in_open_dir, 0o755)
# a root-owned 0755 bin/ in a 0777 directory: anyone may rename bin/ away and
# put another in its place
open_parent = os.path.join(run_dir, "open-parent")
os.makedirs(os.path.join(open_parent, "bin"))
os.chmod(open_parent, 0o777)
under_open_parent = os.path.join(open_parent, "bin", "tuner")
shutil.copyfile(tuner, under_open_parent)
os.chmod(under_open_parent, 0o755)
EDGE_PROFILE = {"name": "inline-edge", "extends": "default",
                "sysctl": {"net.core.netdev_budget": 700}}
# what the module refuses: host -> (its variables, the message expected)
EDGE = {
    "e_schema": ({"tuner_binary": fake, "tuner_profile": EDGE_PROFILE},
                 "speaks schema_version 2; this module knows 1"),
    "e_writable": ({"tuner_binary": writable}, "writable by group or others (mode 0775)"),
    "e_open_dir": ({"tuner_binary": in_open_dir},
                   f"its directory {open_dir} is writable by group or others (mode 0777)"),
    "e_open_parent": ({"tuner_binary": under_open_parent},
                      f"{open_parent}, a directory above it, is writable by group or others "
                      "(mode 0777)"),
    "e_missing": ({"tuner_binary": "no-such-tuner-here"}, "no-such-tuner-here not found"),
    "e_inline_bad": ({"tuner_profile": {"name": "inline-bad", "bogus": 1}},
                     "tuner plan failed: inline profile:3:3: bogus: unknown key"),
    "e_relative": ({"tuner_profile": "profiles/default.json"}, "is a relative path"),
    "e_journal": ({"tuner_state": "rolled_back", "tuner_journal": "--force"},
                  "is neither 'last' nor a journal id"),
}
edge_hosts = {h: dict(hosts["edge"], **v) for h, (v, _) in EDGE.items()}

coll = os.path.join(run_dir, "collections", "ansible_collections", "tuner")
os.makedirs(coll)
os.symlink(os.path.join(src, "scripts/ansible"), os.path.join(coll, "tuner"))
inventory = os.path.join(run_dir, "hosts.yml")
with open(inventory, "w") as f:  # JSON is YAML
    json.dump({"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": interp,
                 "tuner_binary": tuner},
        "children": {"fleet": {"hosts": {h: hosts[h] for h in FLEET}},
                     "edge": {"hosts": edge_hosts}}}}, f, indent=1)

ansible_cfg = os.path.join(run_dir, "ansible.cfg")  # none of the machine's
with open(ansible_cfg, "w") as f:
    f.write("[defaults]\n")
env = dict(os.environ, ANSIBLE_CONFIG=ansible_cfg, ANSIBLE_COLLECTIONS_PATH=os.path.join(run_dir, "collections"),
           ANSIBLE_HOME=os.path.join(run_dir, "ansible-home"),
           ANSIBLE_REMOTE_TEMP=os.path.join(run_dir, "remote-tmp"),
           ANSIBLE_LOCAL_TEMP=os.path.join(run_dir, "local-tmp"),
           ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PYTHONDONTWRITEBYTECODE="1",
           ANSIBLE_PIPELINING="1",
           ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="0",
           ANSIBLE_CALLBACK_PLUGINS=os.path.join(src, "tests/ansible/callback_plugins"),
           ANSIBLE_CALLBACKS_ENABLED="tuner_record")
env.pop("TUNER_FAULT", None)
env.pop("TUNER_PROFILE_PATH", None)


def play(phases, *extra, want_rc=0):
    """Run the test playbook for these phases; returns its stdout and what
    every task returned: {(host, task name): result}, with "failed" as
    Ansible decided (ok, or failed / failed and ignored)."""
    t0 = time.time()
    label = " ".join(phases + list(extra))
    base = os.path.join(run_dir, re.sub(r"\W+", "_", label))
    r = subprocess.run([playbook_bin, "-i", inventory, "--forks", "5",
                        "-e", json.dumps({"phases": phases}),
                        os.path.join(src, "tests/ansible/fleet.yml")] + list(extra),
                       capture_output=True, text=True, cwd=run_dir, timeout=300,
                       env=dict(env, TUNER_RECORD=base + ".jsonl"))
    with open(base + ".log", "w") as f:
        f.write(r.stdout + r.stderr)
    if not check(r.returncode == want_rc,
                 f"ansible-playbook {label}: exit {r.returncode} (want {want_rc}), "
                 f"{time.time() - t0:.1f} s"):
        print(r.stdout[-4000:], r.stderr[-2000:])
    got = {}
    try:
        with open(base + ".jsonl") as f:
            for line in f:
                rec = json.loads(line)
                if rec["outcome"] != "skipped":
                    got[(rec["host"], rec["task"])] = dict(
                        rec["result"], failed=rec["outcome"] in ("failed", "ignored"))
    except (OSError, ValueError) as e:
        check(False, f"the tuner_record callback's results: {e}")
    return r.stdout, got


APPLY1, APPLY2, VERIFY = ("Apply the host's profile", "Apply again (nothing left to change)",
                          "Verify")
DRIFT1, DRIFT2 = "Verify, drift reported", "Verify, drift fails"
ROLLBACK1 = "Roll back the newest apply"
ROLLBACK2 = "Roll back the same journal again, by id (nothing left to restore)"


def tn_plan(h):
    prof = hosts[h]["tuner_profile"]
    prof = inline_file if isinstance(prof, dict) else prof
    r = subprocess.run([tuner, "plan", "--json", "--profile", prof,
                        "--sysroot", hosts[h]["tree"], "--topology", topo[h]],
                       capture_output=True, text=True, env=env)
    return json.loads(r.stdout)["changes"]


def key(c):
    return (c["kind"], c["target"], c["key"], c["before"], c["after"])


def expected_files(h, changes):
    """The files of the tree each planned change writes, with a check of
    the planned value: {relpath: predicate(text)}."""
    want = {}
    for c in changes:
        a = c["after"]
        if c["kind"] == "sysctl":
            want["proc/sys/" + c["target"].replace(".", "/")] = \
                lambda t, a=a: t.split() == a.split()
        elif c["kind"] == "irq_affinity":
            want[f"proc/irq/{c['target']}/smp_affinity_list"] = lambda t, a=a: t.strip() == a
        elif c["kind"] == "process_affinity":
            pid = c["target"].split("@")[0]  # "PID@START": the pid and its start time
            paths = [f"proc/{pid}/status"] + [
                os.path.relpath(p, hosts[h]["tree"])
                for p in glob.glob(os.path.join(hosts[h]["tree"], f"proc/{pid}/task/*/status"))]
            for p in paths:
                want[p] = lambda t, a=a: f"Cpus_allowed_list:\t{a}\n" in t
        else:
            check(False, f"{h}: a change of kind {c['kind']} in a sysroot plan")
    return want


def diff_line(c, v):
    """A change as 'tuner plan' words it (an independent copy for the test)."""
    if c["kind"] == "sysctl":
        return f"  {c['target']}: {v}"
    if c["kind"] == "irq_affinity":
        return f"  irq {c['target']} {c['label']}: {v}"
    pid = "/".join(part.split("@")[0] for part in c["target"].split("/"))  # no start times
    return f"  pid {pid} {c['label']} CPUs: {v}"


def tree_text(h, rel):
    with open(os.path.join(hosts[h]["tree"], rel)) as f:
        return f.read()


# ---- the module's documentation and syntax (beside the first run) ----
module_py = os.path.join(src, "scripts/ansible/plugins/modules/tuner.py")
r = subprocess.run([interp, "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], "
                    "cfile=sys.argv[2], doraise=True)", module_py,
                    os.path.join(run_dir, "tuner.pyc")], capture_output=True, text=True)
check(r.returncode == 0, f"py_compile of the module: {r.stderr.strip()[-300:]}")
example = os.path.join(src, "scripts/ansible/playbooks/fleet.yml")
bg = {"doc": subprocess.Popen([doc_bin, "-t", "module", "tuner.tuner.tuner"], env=env,
                              cwd=run_dir, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE),
      "syntax": subprocess.Popen([playbook_bin, "--syntax-check", "-i", inventory, example],
                                 env=env, cwd=run_dir, text=True, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)}


def background_checks():
    out, err = bg["doc"].communicate(timeout=300)
    check(bg["doc"].returncode == 0 and not re.search(r"WARNING|ERROR", err) and
          all(s in out for s in ("OPTIONS", "EXAMPLES", "RETURN VALUES", "fail_on_drift",
                                 "keep_going", "state_dir", "sysroot", "topology", "binary",
                                 "rolled_back", "schema_version")),
          f"ansible-doc -t module tuner.tuner.tuner renders: exit {bg['doc'].returncode} "
          f"{err.strip()[-300:]}")
    out, err = bg["syntax"].communicate(timeout=300)
    check(bg["syntax"].returncode == 0,
          f"the example playbook's syntax: exit {bg['syntax'].returncode} {err.strip()[-300:]}")
    with open(os.path.join(src, "README.md")) as f:
        readme = f.read()
    with open(example) as f:
        ex_lines = [l for l in f.read().splitlines() if l.strip()]
    fleets = readme.split("\n## Fleets", 1)[-1].split("\n## ", 1)[0]
    check("\n## Fleets" in readme and all("    " + l in fleets.splitlines() for l in ex_lines),
          "README's Fleets section shows the example playbook, line for line")


# ---- check mode with --diff: each host's own plan, nothing changed ----
plans = {h: tn_plan(h) for h in ("h24", "h32", "hfault")}
check(len({json.dumps(p) for p in plans.values()}) == 3 and all(plans.values()),
      "the three fixtures' plans differ (each host gets its own)")
out, got = play(["apply"], "--check", "--diff", want_rc=2)
background_checks()
for h in hosts:
    check(snapshot(hosts[h]["tree"]) == pristine_snap[h],
          f"{h}: check mode left the tree untouched")
    check(not os.path.exists(hosts[h]["state_dir"]), f"{h}: check mode wrote no journal")
for h, plan in plans.items():
    a = got.get((h, APPLY1), {})
    check(a.get("changed") is True and a.get("failed") is False and
          [key(c) for c in a.get("changes", [])] == [key(c) for c in plan],
          f"{h}: check mode: changed, and the changes are tuner plan's ({len(plan)})")
    d = a.get("diff") or {}
    before, after = d.get("before", "").splitlines(), d.get("after", "").splitlines()
    check(all(diff_line(c, c["before"]) in before and diff_line(c, c["after"]) in after
              for c in plan),
          f"{h}: --diff: one line per change, before and after, in tuner's wording")
    first_irq = next(c for c in plan if c["kind"] == "irq_affinity")
    check("\n+" + diff_line(first_irq, first_irq["after"]) + "\n" in out,
          f"{h}: ansible-playbook --diff shows +{diff_line(first_irq, first_irq['after'])}")
bad = got.get(("hbad", APPLY1), {})
check(bad.get("failed") is True and
      re.search(r"bad-profile\.json:7:24: interfaces\[0\]\.rings\.rx: expected a number or "
                r"\"max\"", bad.get("msg", "")) is not None,
      f"hbad: a bad profile fails the task with tuner's file:line:col message: "
      f"{bad.get('msg', '')[:200]}")
for h, (_, want) in EDGE.items():
    e = got.get((h, APPLY1), {})
    ran = "rc" in e  # tuner (or the fake) is run only for these two
    check(e.get("failed") is True and want in e.get("msg", "") and
          ran == (h in ("e_schema", "e_inline_bad")),
          f"{h}: refused{'' if ran else ' before running anything'}: {e.get('msg', '')}")
try:
    with open(fake_log) as f:
        rec = json.load(f)
except (OSError, ValueError):
    rec = {}
check(rec.get("mode") == 0o600 and rec.get("uid") == os.geteuid() and
      json.loads(rec.get("text", "null")) == EDGE_PROFILE,
      f"the inline profile reached tuner as a 0600 file of the task's user, as JSON: "
      f"mode {oct(rec.get('mode', 0))}")
check(rec.get("profile") and not os.path.exists(rec["profile"]),
      "the inline profile's file is removed after the run")
check(rec.get("cwd") == "/" and rec.get("argv", [])[:2] == ["plan", "--json"] and
      hosts["edge"]["tree"] in rec.get("argv", []),
      f"check mode ran 'tuner plan --json --sysroot TREE ...' from /: {rec.get('argv')}")

# ---- apply, apply again, verify; hfault and hbad fail alone ----
out, got = play(["apply"], "--diff", "--limit", "fleet", want_rc=2)
applied_snap, applied = {}, {}
for h in HEALTHY:
    a1, a2, v1 = (got.get((h, t), {}) for t in (APPLY1, APPLY2, VERIFY))
    changes = applied[h] = a1.get("changes", [])
    check(a1.get("changed") is True and a1.get("status") == "applied" and a1.get("journal") and
          changes and all(c.get("status") == "applied" for c in changes),
          f"{h}: apply: changed, journal {a1.get('journal')}, every change applied")
    check(os.path.isfile(os.path.join(hosts[h]["state_dir"], f"{a1.get('journal')}.journal")),
          f"{h}: the journal is in the host's own state_dir")
    d = a1.get("diff") or {}
    check(changes and all(diff_line(c, c["after"]) in d.get("after", "").splitlines() and
                          diff_line(c, c["before"]) in d.get("before", "").splitlines()
                          for c in changes), f"{h}: apply --diff shows the changes made")
    now = snapshot(hosts[h]["tree"])
    want = expected_files(h, plans[h])
    changed = set(differ(pristine_snap[h], now))
    check(changed == set(want),
          f"{h}: apply changed exactly the files the plan named ({len(want)}): "
          f"extra {sorted(changed - set(want))[:5]}, missing {sorted(set(want) - changed)[:5]}")
    bad_values = [p for p, ok in want.items() if p in now and not ok(tree_text(h, p))]
    check(not bad_values, f"{h}: every file holds the planned value: wrong {bad_values[:5]}")
    check(a2.get("changed") is False and a2.get("failed") is False and a2.get("changes") == [],
          f"{h}: a second apply is changed=false with no changes")
    check(v1.get("changed") is False and v1.get("failed") is False and
          v1.get("matches") is True and v1.get("drift") == [],
          f"{h}: state=verified passes after the apply")
    applied_snap[h] = now
fa = got.get(("hfault", APPLY1), {})
check(fa.get("failed") is True and fa.get("undone") is True and fa.get("changed") is False and
      "injected by TUNER_FAULT" in fa.get("msg", "") and
      "every change made was undone" in fa.get("msg", "") and fa.get("status") == "failed",
      f"hfault: the failed apply fails the task with tuner's message, all undone: "
      f"{fa.get('msg', '')[:300]}")
fp = got.get(("hpartial", APPLY1), {})
fpc = fp.get("changes", [])
failed_irq = next((c for c in fpc if c.get("status") == "failed"), {})
check(fp.get("failed") is True and fp.get("changed") is True and fp.get("status") == "partial"
      and len(fpc) == len(plans["hfault"]) and
      [c.get("status") for c in fpc].count("applied") == len(fpc) - 1 and
      f"1 of {len(fpc)} changes failed" in fp.get("msg", "") and
      f"irq {failed_irq.get('target')} {failed_irq.get('label')}: {failed_irq.get('after')}: "
      f"Invalid argument: injected by TUNER_FAULT" in fp.get("msg", ""),
      f"hpartial: a partial apply (keep_going) fails the task, changed, naming the failed "
      f"change: {fp.get('msg', '')[:300]}")
partial_files = set(expected_files("hpartial", plans["hfault"])) - {
    f"proc/irq/{failed_irq.get('target')}/smp_affinity_list"}
check(set(differ(pristine_snap["hpartial"], snapshot(hosts["hpartial"]["tree"]))) ==
      partial_files, "hpartial: every planned file but the failed one changed")
check(all((h, t) not in got for h in ("hfault", "hpartial", "hbad") for t in (APPLY2, VERIFY))
      and
      all((h, t) in got for h in HEALTHY for t in (APPLY2, VERIFY)),
      "the failed hosts went no further; the others did")
check(snapshot(hosts["hfault"]["tree"]) == pristine_snap["hfault"],
      "hfault: the tree is as before the failed apply")
b1 = got.get(("hbad", APPLY1), {})
check(b1.get("failed") is True and "bad-profile.json:7:24:" in b1.get("msg", "") and
      snapshot(hosts["hbad"]["tree"]) == pristine_snap["hbad"],
      "hbad: the bad profile fails the apply, the tree is untouched")

# ---- drift: values changed by hand; verify reports it or fails; a rollback
# in check mode would leave them alone ----
irq = next(c for c in plans["h24"] if c["kind"] == "irq_affinity")
hand = {"h24": (f"proc/irq/{irq['target']}/smp_affinity_list", "0-3"),
        "h32": ("proc/sys/net/core/netdev_budget", "100")}
saved = {}
for h, (rel, val) in hand.items():
    saved[h] = tree_text(h, rel)
    with open(os.path.join(hosts[h]["tree"], rel), "w") as f:
        f.write(val + "\n")
hand_snap = {h: snapshot(hosts[h]["tree"]) for h in HEALTHY}
out, got = play(["drift", "rollback"], "--check", "--limit", ",".join(HEALTHY))
for h, (rel, val) in hand.items():
    d1, d2 = got.get((h, DRIFT1), {}), got.get((h, DRIFT2), {})
    target = irq["target"] if h == "h24" else "net.core.netdev_budget"
    found = [c for c in d1.get("drift", []) if c.get("target") == target]
    check(d1.get("changed") is False and d1.get("failed") is False and
          d1.get("matches") is False and len(found) == 1 and found[0].get("before") == val,
          f"{h}: fail_on_drift=false: changed=false, the drift listed ({target}: found {val})")
    what = f"irq {target} {irq['label']}" if h == "h24" else target
    after = irq["after"] if h == "h24" else "800"
    check(d2.get("failed") is True and d2.get("changed") is False and
          f"{what}: expected {after}, found {val}" in d2.get("msg", ""),
          f"{h}: drift fails the task, naming it: {d2.get('msg', '')[:200]}")
    rb = got.get((h, ROLLBACK1), {})
    res = rb.get("result") or {}
    check(rb.get("changed") is True and rb.get("failed") is False and
          res.get("dry_run") is True and res.get("restored") == len(applied[h]) - 1 and
          res.get("left_alone") == 1 and
          any("left 1 value(s) alone" in w for w in rb.get("warnings", [])),
          f"{h}: rollback in check mode: changed, {res.get('restored')} would be restored, "
          f"the hand-changed value left alone with a warning")
    check(snapshot(hosts[h]["tree"]) == hand_snap[h], f"{h}: verify and check mode changed "
          f"nothing")
    with open(os.path.join(hosts[h]["tree"], rel), "w") as f:
        f.write(saved[h])
    check(snapshot(hosts[h]["tree"]) == applied_snap[h], f"{h}: hand changes put back")

# ---- rollback for real, twice ----
out, got = play(["rollback"], "--limit", ",".join(HEALTHY))
for h in HEALTHY:
    r1, r2 = got.get((h, ROLLBACK1), {}), got.get((h, ROLLBACK2), {})
    c1 = r1.get("result") or {}
    check(r1.get("changed") is True and r1.get("status") == "rolled back" and
          c1.get("restored") == len(applied[h]) and c1.get("left_alone") == 0 and
          c1.get("failed") == 0,
          f"{h}: rollback: changed, {c1.get('restored')} of {len(applied[h])} restored")
    now = snapshot(hosts[h]["tree"])
    check(now == pristine_snap[h], f"{h}: rollback restored the tree byte for byte: "
          f"differs {differ(pristine_snap[h], now)[:5]}")
    c2 = r2.get("result") or {}
    check(r2.get("changed") is False and r2.get("failed") is False and
          c2.get("restored") == 0 and r2.get("journal") == r1.get("journal"),
          f"{h}: rolling back the same journal by id again is changed=false")
print(f"time: {time.time() - start:.1f} s")
finish()
