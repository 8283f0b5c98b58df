"""Helpers shared by the sysroot apply tests (apply_fixtures.py, faults.py):
a pass/fail tally, running tuner with sanitizer reports counted as failures,
checksums of a whole tree, building a fixture tree once, and making a copy of
it pristine again touching only the files that changed."""
import hashlib, json, os, shutil, stat, subprocess, sys

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


def _sha(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def scan(root):
    """Every entry under root by relative path: ("f", size, mtime_ns, mode) for a
    regular file, ("l", target) for a symbolic link, ("o", type) for the rest;
    and the set of directories."""
    entries, dirs = {}, set()
    for dirpath, dnames, fnames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for name in dnames + fnames:
            p, r = os.path.join(dirpath, name), os.path.normpath(os.path.join(rel, name))
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode):
                dirs.add(r)
            elif stat.S_ISLNK(st.st_mode):
                entries[r] = ("l", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                entries[r] = ("f", st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
            else:
                entries[r] = ("o", stat.S_IFMT(st.st_mode))
    return entries, dirs


class Pristine:
    """A fixture tree that copies of it are compared with and restored from.
    A copied file keeps the pristine one's size, mtime (to the nanosecond) and
    mode; tuner writing it changes its mtime. So a file whose lstat still
    matches is the pristine one, and only the others are read, hashed or
    copied: the whole tree is still compared and restored byte for byte."""

    def __init__(self, root):
        self.root = root
        self.entries, self.dirs = scan(root)
        self._sums = {}

    def sum(self, rel):
        if rel not in self._sums:
            self._sums[rel] = _sha(os.path.join(self.root, rel))
        return self._sums[rel]

    def changes(self, tree):
        """The regular files whose content differs from the pristine tree's, as
        tree_sums() would see them: {path: sha256, or None when missing}."""
        entries, _ = scan(tree)
        out = {}
        for rel, e in entries.items():
            p = self.entries.get(rel)
            if e[0] != "f" or e == p:
                continue
            h = _sha(os.path.join(tree, rel))
            if p is None or p[0] != "f" or h != self.sum(rel):
                out[rel] = h
        for rel, p in self.entries.items():
            if p[0] == "f" and entries.get(rel, ("",))[0] != "f":
                out[rel] = None
        return out

    def restore(self, tree):
        """Make tree a copy of the pristine tree again (made when missing),
        replacing only the entries that differ."""
        entries, dirs = scan(tree) if os.path.isdir(tree) else ({}, set())
        for rel, e in entries.items():
            if self.entries.get(rel) != e:
                os.unlink(os.path.join(tree, rel))
        for d in sorted(dirs - self.dirs, key=len, reverse=True):
            shutil.rmtree(os.path.join(tree, d), ignore_errors=True)
        for d in [""] + sorted(self.dirs - dirs, key=len):
            os.makedirs(os.path.join(tree, d), exist_ok=True)
            shutil.copystat(os.path.join(self.root, d), os.path.join(tree, d))
        for rel, p in self.entries.items():
            if entries.get(rel) == p:
                continue
            src, dst = os.path.join(self.root, rel), os.path.join(tree, rel)
            if p[0] == "l":
                os.symlink(p[1], dst)
            elif p[0] == "f":
                shutil.copy2(src, dst)


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
        self.base = Pristine(self.pristine)
        self.tree = os.path.join(self.work, "tree")
        self.state = os.path.join(self.work, "state")
        self.g = ["--sysroot", self.tree, "--topology", self.topo]
        self.fresh()

    def fresh(self):
        shutil.rmtree(self.state, ignore_errors=True)
        self.base.restore(self.tree)

    def changes(self):
        """What differs from the pristine tree now (see Pristine.changes)."""
        return self.base.changes(self.tree)

    def put(self, rel, text):
        """Write a tree file's value as one atomic replace (a new file renamed
        over it): a watch reading it meanwhile sees the old value or the new."""
        path = os.path.join(self.tree, rel)
        with open(path + ".new", "w") as f:
            f.write(text + "\n")
        os.rename(path + ".new", path)

    def get(self, rel):
        """A tree file's value, without its newline."""
        with open(os.path.join(self.tree, rel)) as f:
            return f.read().strip()

    def profile(self, name):
        return os.path.join(self.src, "profiles", name + ".json")
