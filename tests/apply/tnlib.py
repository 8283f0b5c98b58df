"""Helpers shared by the sysroot apply tests (apply_fixtures.py, faults.py):
a pass/fail tally, running tuner with sanitizer reports counted as failures,
checksums of a whole tree, and building a fixture tree once."""
import hashlib, json, os, shutil, subprocess, sys

passed = failed = 0


def check(ok, msg):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {msg}")
    else:
        failed += 1
        print(f"FAIL: {msg}")
    return ok


def finish():
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def run(tuner, args, **kw):
    r = subprocess.run([tuner] + args, capture_output=True, text=True, **kw)
    if "AddressSanitizer" in r.stderr or "runtime error" in r.stderr:
        print(r.stderr, file=sys.stderr)
        check(False, f"sanitizer report from tuner {' '.join(args)}")
    return r


def proc_ids(target):
    """A process change's target, "PID@START" or "PID@START/TID@TSTART": (PID, TID or None)."""
    parts = [x.split("@")[0] for x in target.split("/")]
    return parts[0], (parts[1] if len(parts) > 1 else None)


def tree_sums(root):
    """sha256 of every regular file under root, by relative path."""
    sums = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue  # links, and the fake irqbalance's socket
            with open(p, "rb") as fh:
                sums[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return sums


def topology_dir(src):
    return os.path.join(src, "..", "shared", "fixtures", "topology")


def pristine_tree(src, work, fx):
    """Build tests/fixtures/specs/FX.json once under work; returns (tree, topology)."""
    spec = os.path.join(src, "tests/fixtures/specs", fx + ".json")
    topo = os.path.join(topology_dir(src), json.load(open(spec))["topology"])
    tree = os.path.join(work, fx + ".pristine")
    made = os.path.join(tree, ".mkfixture")
    gen = os.path.join(src, "tests/fixtures/mkfixture.py")
    # made again when the generator or the spec changed since
    if not os.path.isfile(made) or os.path.getmtime(made) < max(os.path.getmtime(gen),
                                                                 os.path.getmtime(spec)):
        subprocess.run([sys.executable, os.path.join(src, "tests/fixtures/mkfixture.py"),
                        "--topology-dir", topology_dir(src), spec, tree], check=True,
                       stdout=subprocess.DEVNULL)
    return tree, topo


class Setup:
    """The common start of a test on one fixture: sys.argv is TUNER SRCDIR
    WORKDIR; .tree is a fresh copy of the fixture's tree (fresh() makes it
    again and empties .state), .g the options pointing tuner at it."""

    def __init__(self, fx="24em64t"):
        self.tuner, self.src, self.work = sys.argv[1:4]
        os.makedirs(self.work, exist_ok=True)
        self.pristine, self.topo = pristine_tree(self.src, self.work, fx)
        self.tree = os.path.join(self.work, "tree")
        self.state = os.path.join(self.work, "state")
        self.g = ["--sysroot", self.tree, "--topology", self.topo]
        self.fresh()

    def fresh(self):
        for d in (self.tree, self.state):
            shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(self.pristine, self.tree, symlinks=True)

    def profile(self, name):
        return os.path.join(self.src, "profiles", name + ".json")
