#!/usr/bin/env python3
"""Golden outputs of every command on the sysroot fixtures: stdout, stderr
and exit status of show, plan (text and JSON, also on a saved snapshot that
has rings and channels), apply, verify, history, rollback and profile, for
each fixture and each shipped profile. A refactoring must leave them byte for
byte as they are; a deliberate change of output is accepted with
TUNER_UPDATE_GOLDEN=1 and must be named in its commit.

usage: commands.py TUNER SRCDIR WORKDIR
Parts that change from run to run (journal ids, times, boot ids, the
temporary paths) are replaced by placeholders before comparing."""
import difflib, json, os, re, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
import tnlib  # noqa: E402

FIXTURES = ["24em64t", "32em64t", "16intel64"]
PROFILES = ["default", "microburst", "network-node", "redis-numa-split", "socket-buffers"]


def normalize(text, work, src):
    text = text.replace(work, "WORK")
    for prefix in (os.path.abspath(src) + "/", src.rstrip("/") + "/"):
        text = text.replace(prefix, "SRC/")
    # history pads the id to 32 columns: the padding follows the pid's digits,
    # so it is normalised as for an id of 25 characters (a 4-digit pid)
    text = re.sub(r"(\d{8}T\d{6}_\d{3}Z-\d+)(  +)",
                  lambda m: "JOURNAL" + " " * max(1, len(m.group(1)) + len(m.group(2)) - 25),
                  text)
    text = re.sub(r"\d{8}T\d{6}_\d{3}Z-\d+", "JOURNAL", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "UUID", text)
    return text


def with_rings(snapshot, out):
    """The snapshot with rings and channels on every NIC, as a NIC whose
    driver answered ethtool would have them."""
    s = json.load(open(snapshot))
    for i, n in enumerate(s["nics"]):
        n["ring"] = {"rx": 256 << (i % 3), "rx_max": 4096, "tx": 256, "tx_max": 4096}
        n["channels"] = {"rx": None, "rx_max": None, "tx": None, "tx_max": None,
                         "other": 1, "other_max": 1, "combined": n["rx_queues"],
                         "combined_max": 64}
    json.dump(s, open(out, "w"), indent=1)


def main():
    tuner, src, work = sys.argv[1:4]
    work = os.path.abspath(work)
    update = os.environ.get("TUNER_UPDATE_GOLDEN") == "1"
    gold = os.path.join(src, "tests", "golden", "commands")
    os.makedirs(work, exist_ok=True)
    failed = checked = 0
    for fx in FIXTURES:
        pristine, topo = tnlib.pristine_tree(src, work, fx)
        tree = os.path.join(work, fx + ".tree")
        state = os.path.join(work, fx + ".state")
        g = ["--sysroot", tree, "--topology", topo]
        out = []

        def run(args, note=None):
            r = tnlib.run(tuner, args)
            shown = [a if not a.startswith(work) else a.replace(work, "WORK") for a in args]
            shown = [os.path.basename(a) if a == topo else a for a in shown]
            out.append("$ tuner " + " ".join(shown) + (f"   # {note}" if note else ""))
            out.append(r.stdout.rstrip("\n"))
            if r.stderr:
                out.append("[stderr]")
                out.append(r.stderr.rstrip("\n"))
            out.append(f"[exit {r.returncode}]")
            out.append("")
            return r

        def fresh(tree_too=False):
            # rollback restores the tree (and the golden output would show
            # if it did not), so only the journals are removed between runs
            for d in (tree, state) if tree_too else (state,):
                shutil.rmtree(d, ignore_errors=True)
            if tree_too:
                shutil.copytree(pristine, tree, symlinks=True)

        fresh(tree_too=True)
        run(["show"] + g)
        snap = os.path.join(work, fx + ".snap.json")
        with open(snap, "w") as fh:
            fh.write(tnlib.run(tuner, ["show", "--json"] + g).stdout)
        rings = os.path.join(work, fx + ".rings.json")
        with_rings(snap, rings)
        for p in PROFILES:
            prof = os.path.join(src, "profiles", p + ".json")
            pr = ["--profile", prof]
            run(["profile", "validate", prof])
            run(["plan"] + g + pr)
            run(["plan", "--json"] + g + pr)
            run(["plan", "--state", rings] + pr, "snapshot with rings and channels")
            run(["plan", "--json", "--state", rings] + pr)
            fresh()
            sd = ["--state-dir", state]
            run(["apply"] + g + sd + pr)
            run(["verify"] + g + pr)
            run(["verify", "--json"] + g + pr)
            run(["history"] + g + sd)
            run(["history", "--json"] + g + sd)
            run(["plan"] + g + pr, "after apply: nothing to change")
            run(["rollback", "--last"] + g + sd)
            run(["rollback", "--last", "--json"] + g + sd, "second rollback: nothing to do")
            run(["verify"] + g + pr, "after rollback: drift again")
            fresh()
            run(["apply", "--json"] + g + sd + pr)
            run(["rollback", "--last", "--json"] + g + sd)
        run(["profile", "show", os.path.join(src, "profiles", "redis-numa-split.json")])
        run(["profile", "show", "--json", os.path.join(src, "profiles", "redis-numa-split.json")])
        run(["profile", "validate", "--json", "default",
             os.path.join(src, "profiles", "redis-numa-split.json"), "no/such/profile.json"])
        run(["plan"] + g + ["--profile", "no/such/profile.json"], "error: missing profile")
        fresh()
        run(["rollback", "--last"] + g + ["--state-dir", state], "error: no journal")

        text = normalize("\n".join(out), work, src)
        path = os.path.join(gold, fx + ".txt")
        checked += 1
        if update:
            os.makedirs(gold, exist_ok=True)
            with open(path, "w") as fh:
                fh.write(text)
            print(f"updated {path}")
            continue
        want = open(path).read() if os.path.exists(path) else ""
        if want != text:
            failed += 1
            sys.stdout.writelines(difflib.unified_diff(
                want.splitlines(True), text.splitlines(True), path, "now", n=2))
            print(f"\nFAIL: {fx}: command outputs differ from {path} "
                  "(TUNER_UPDATE_GOLDEN=1 to accept a deliberate change)")
        else:
            print(f"ok: {fx}: {len(out) // 4} command outputs as in {path}")
    print(f"{checked - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
