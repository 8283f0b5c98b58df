#!/usr/bin/env python3
"""disc_irqs.py TUNER TUNER-BENCH SRCDIR WORKDIR: discovery of IRQs (issue 10, memory and
speed), on sysroot trees built by mkfixture.py:
  - plan and apply take IRQ names from sys/kernel/irq/N/actions, without
    reading /proc/interrupts, on a host of more than 256 CPUs or where the file
    is gone (below that its rows are short: one read of it costs less than a
    file per vector); the plan is the same either way, the actions in the
    kernel's own format ("a,b") read as /proc/interrupts shows them ("a, b");
  - /proc/interrupts is read as a stream: a file over 64 MiB with 600 CPU
    columns (the cap is 128 KiB per column) gives the same snapshot as the
    24-column original; a line over 256 KiB and a NUL byte are refused, with
    the line; a sparse 3 GiB file is refused naming the cap;
  - memory per IRQ: the peak RSS of show and plan grows by less than 1 KiB
    per NIC IRQ from a host of 16 x 8 queues to 16 x 64 (256 CPUs)."""
import json, os, shutil, subprocess, sys

tuner, bench, src, work = sys.argv[1:5]
topodir = os.path.join(src, "..", "shared", "fixtures", "topology")
topo = os.path.join(topodir, "24em64t-2n6c2t-pci.xml")
mkfixture = os.path.join(src, "tests", "fixtures", "mkfixture.py")
passes = fails = 0
os.makedirs(work, exist_ok=True)


def check(cond, what, detail=""):
    global passes, fails
    if cond:
        passes += 1
        print("ok: " + what)
    else:
        fails += 1
        print("FAIL: " + what)
        if detail:
            print("    " + detail[-1500:].replace("\n", "\n    "))


def tn(args):
    r = subprocess.run([tuner] + args, capture_output=True)
    if b"AddressSanitizer" in r.stderr or b"runtime error" in r.stderr:
        check(False, "sanitizer report from tuner " + " ".join(args), r.stderr.decode())
    return r


def fixture(name):
    tree = os.path.join(work, name)
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run([sys.executable, mkfixture, "--topology-dir", topodir,
                    os.path.join(src, "tests/fixtures/specs/24em64t.json"), tree],
                   check=True, stdout=subprocess.DEVNULL)
    return tree


def rss_of(args, runs=5):
    """Exit status and peak RSS (KiB) of a tuner run, measured by tuner-bench
    --run: a small C parent, so that the peak is tuner's own (a child forked
    from this Python would start with, and keep as its peak, Python's RSS).
    The median of runs: the same run's peak moves by 300 KiB from one to the
    next (malloc's trimming, the kernel's page tables), as much as the
    difference measured here."""
    rss, rcs = [], set()
    for _ in range(runs):
        out = subprocess.run([bench, "--run", "1", tuner] + args, capture_output=True,
                             text=True, check=True).stdout.split()
        rcs.add(int(out[3]))
        rss.append(int(out[2]))
    return (rcs.pop() if len(rcs) == 1 else -1), sorted(rss)[len(rss) // 2]


# ---- names without /proc/interrupts ----
base = fixture("t")
g = ["--sysroot", base, "--topology", topo]
ref = tn(["plan"] + g)
check(ref.returncode == 2 and b"irq " in ref.stdout, "plan on the fixture: exit 2, IRQ changes",
      ref.stderr.decode())

# a shared vector of eth0: ", " in /proc/interrupts, "," in actions (as the kernel writes each)
irq = json.loads(tn(["show", "--json"] + g).stdout)["nics"][0]["irqs"][1]["irq"]
p = os.path.join(base, "proc/interrupts")
text = open(p).read()
old = [l for l in text.split("\n") if l.lstrip().startswith("%d:" % irq)][0]
name = old.split()[-1]
open(p, "w").write(text.replace(old, old + ", other-dev"))
with open(os.path.join(base, "sys/kernel/irq/%d/actions" % irq), "w") as f:
    f.write(name + ",other-dev\n")

a = os.path.join(work, "a")
b = os.path.join(work, "b")
for t in (a, b):
    shutil.rmtree(t, ignore_errors=True)
    shutil.copytree(base, t, symlinks=True)
shutil.rmtree(os.path.join(a, "sys/kernel/irq"))  # names from /proc/interrupts
os.unlink(os.path.join(b, "proc/interrupts"))  # names from the actions files
ra = tn(["plan", "--sysroot", a, "--topology", topo])
rb = tn(["plan", "--sysroot", b, "--topology", topo])
check(ra.returncode == 2 and ("%s, other-dev" % name).encode() in ra.stdout,
      "plan without sys/kernel/irq: names from /proc/interrupts (\"%s, other-dev\")" % name,
      ra.stdout.decode() + ra.stderr.decode())
check(rb.returncode == 2 and rb.stdout == ra.stdout and rb.stderr == ra.stderr,
      "plan without /proc/interrupts: names from sys/kernel/irq/N/actions (\"%s,other-dev\" "
      "read as \"%s, other-dev\"), the same plan" % (name, name),
      "exit %d\n%s%s" % (rb.returncode, rb.stdout.decode(), rb.stderr.decode()))
rj = tn(["apply", "--dry-run", "--sysroot", b, "--topology", topo])
check(rj.returncode == 2 and rj.stdout == ra.stdout,
      "apply --dry-run without /proc/interrupts: the same plan",
      "exit %d\n%s" % (rj.returncode, rj.stderr.decode()))
# which of the two a plan reads, where both are there: names that differ
c = os.path.join(work, "c")
shutil.rmtree(c, ignore_errors=True)
shutil.copytree(base, c, symlinks=True)
pc = os.path.join(c, "proc/interrupts")
text = open(pc).read()
open(pc, "w").write(text.replace(old + ", other-dev", old + ", streamed"))
rc = tn(["plan", "--sysroot", c, "--topology", topo])
check(rc.returncode == 2 and ("%s, streamed" % name).encode() in rc.stdout,
      "plan on 24 CPUs with both: names from /proc/interrupts (\"%s, streamed\")" % name,
      rc.stdout.decode() + rc.stderr.decode())
big = os.path.join(work, "big")
shutil.rmtree(big, ignore_errors=True)
subprocess.run([sys.executable, mkfixture, "--synthetic", big, "--cpus", "264", "--nodes", "2",
                "--nics", "1", "--queues", "4"], check=True, stdout=subprocess.DEVNULL)
bigxml = big + ".xml"
subprocess.run(["lstopo-no-graphics", "-f", "--input", "node:2 core:66 pu:2", "--of", "xml",
                bigxml], check=True)
gb = ["--sysroot", big, "--topology", bigxml]
rref = tn(["plan"] + gb)
pb = os.path.join(big, "proc/interrupts")
text = open(pb).read()
open(pb, "w").write(text.replace("eth0-TxRx-", "streamed-"))
rbig = tn(["plan"] + gb)
check(rref.returncode == 2 and b"eth0-TxRx-3" in rref.stdout and rbig.returncode == 2 and
      rbig.stdout == rref.stdout and rbig.stderr == rref.stderr,
      "plan on 264 CPUs with both: names from the actions files (/proc/interrupts renamed "
      "them: the same plan)", rbig.stdout.decode() + rbig.stderr.decode())
rbs = tn(["show", "--json"] + gb)
check(rbs.returncode == 0 and b"streamed-3" in rbs.stdout,
      "show on 264 CPUs (it prints counts): names from /proc/interrupts", rbs.stderr.decode())

rs = tn(["show", "--sysroot", b, "--topology", topo])
check(rs.returncode == 1 and b"proc/interrupts: No such file or directory" in rs.stderr,
      "show without /proc/interrupts (it prints counts): refused, naming the file",
      rs.stderr.decode())

# ---- a long name, whole ----
# A vector shared with many other actions, eth0's last, beyond the 127 bytes a
# name was cut at: its queue is still eth0's, and the snapshot and the plan's
# JSON keep the name whole; the plan's text line shows it cut, with "...".
irq2 = json.loads(tn(["show", "--json"] + g).stdout)["nics"][0]["irqs"][2]["irq"]
text = open(p).read()
old2 = [l for l in text.split("\n") if l.lstrip().startswith("%d:" % irq2)][0]
name2 = old2.split()[-1]
others = ["shared-device-%02d" % i for i in range(12)]
long_name = ", ".join(others + [name2])
L = {}
for t, how in ((a, "/proc/interrupts"), (b, "sys/kernel/irq/N/actions")):
    if how == "/proc/interrupts":
        pt = os.path.join(t, "proc/interrupts")
        tt = open(pt).read()
        open(pt, "w").write(tt.replace(old2, old2[:old2.rindex(name2)] + long_name))
    else:
        with open(os.path.join(t, "sys/kernel/irq/%d/actions" % irq2), "w") as f:
            f.write(",".join(others + [name2]) + "\n")
    rp = tn(["plan", "--json", "--sysroot", t, "--topology", topo])
    ch = [c for c in json.loads(rp.stdout)["changes"]
          if c["kind"] == "irq_affinity" and c["target"] == str(irq2)]
    check(rp.returncode == 2 and len(ch) == 1 and ch[0].get("label") == long_name,
          "a name of %d bytes from %s, eth0's queue last: planned, its label whole"
          % (len(long_name), how), rp.stdout.decode()[-800:] + rp.stderr.decode())
    if how == "/proc/interrupts":
        sj = json.loads(tn(["show", "--json", "--sysroot", t, "--topology", topo]).stdout)
        q = [x for x in sj["nics"][0]["irqs"] if x["irq"] == irq2]
        check(len(q) == 1 and q[0]["name"] == long_name and q[0]["kind"] != "other",
              "show --json: the name whole, the vector eth0's queue", json.dumps(q))
    rt = tn(["plan", "--sysroot", t, "--topology", topo])
    line = [l for l in rt.stdout.decode().split("\n") if ("irq %d " % irq2) in l]
    check(len(line) == 1 and long_name[:100] in line[0] and "..." in line[0] and
          long_name not in line[0],
          "plan's text line: the name cut, with \"...\"", "\n".join(line) or rt.stdout.decode())
    L[how] = (rp.returncode, rp.stdout)
check(L["/proc/interrupts"] == L["sys/kernel/irq/N/actions"],
      "the same plan from either source")

# ---- /proc/interrupts as a stream ----
t = fixture("s")
g = ["--sysroot", t, "--topology", topo]
want = tn(["show", "--json"] + g)
check(want.returncode == 0, "show --json on the fixture", want.stderr.decode())
p = os.path.join(t, "proc/interrupts")
lines = open(p).read().split("\n")
ncol = 600
hdr = " " * 11 + "".join("CPU%-8d" % c for c in range(ncol))
rows = [hdr]
for l in lines[1:]:
    if not l.strip():
        continue
    head, rest = l.split(":", 1)
    toks = rest.split()
    n = 0
    while n < len(toks) and n < 24 and toks[n].isdigit():
        n += 1
    tail = rest.split(None, n)[n] if len(toks) > n else ""
    counts = toks[:n] + ["0"] * (ncol - n) if n else []
    rows.append("%s: %s %s" % (head, "".join("%10s " % c for c in counts), tail) if n
                else l)
pad = "".join("%10u " % 0 for _ in range(ncol))
size = sum(len(r) + 1 for r in rows)
i = 100000
while size <= (64 << 20) + (1 << 20):
    r = "%d: %s PCI-MSI 1-edge pad%d" % (i, pad, i)
    rows.append(r)
    size += len(r) + 1
    i += 1
open(p, "w").write("\n".join(rows) + "\n")
got = tn(["show", "--json"] + g)
check(got.returncode == 0 and got.stdout == want.stdout,
      "a %d MB /proc/interrupts of %d CPU columns (cap %d MiB): the same snapshot as the "
      "24-column file" % (size >> 20, ncol, ncol * 128 >> 10),
      "exit %d\n%s" % (got.returncode, got.stderr.decode()))
with open(p, "a") as f:
    f.truncate(3 << 30)
r = tn(["show"] + g)
check(r.returncode == 1 and r.stderr.decode().endswith(
      "/proc/interrupts: larger than %d MiB (128 KiB for each of its %d CPU columns); "
      "refused\n" % (ncol * 128 >> 10, ncol)),
      "a sparse 3 GiB /proc/interrupts of %d columns: refused naming the cap" % ncol,
      r.stderr.decode())

open(p, "w").write("\n".join(lines[:3] + [" 99: 1 2 chip 1-edge " + "x" * (300 << 10)]
                             + lines[3:]))
r = tn(["show"] + g)
check(r.returncode == 1 and r.stderr.decode().endswith(
      "/proc/interrupts: line 4: longer than 262144 bytes; refused\n"),
      "a line of 300 KiB: refused with its number (it was cut to 127 bytes)", r.stderr.decode())
open(p, "w").write("\n".join(lines[:2] + [lines[2] + "\0tail"] + lines[3:]))
r = tn(["show"] + g)
check(r.returncode == 1 and r.stderr.decode().endswith(
      "/proc/interrupts: line 3: a NUL byte (not a text file)\n"),
      "a NUL byte: refused with its line (the rest of the file was ignored)", r.stderr.decode())

# ---- memory per NIC IRQ ----
if b"__asan_init" in open(tuner, "rb").read():
    # ASan's redzones and quarantine multiply the heap: not a figure of tuner's
    print("not checked: peak RSS per NIC IRQ (a sanitizer build)")
    print("%d passed, %d failed" % (passes, fails))
    sys.exit(1 if fails else 0)
hosts = {}
for q in (8, 64):
    h = os.path.join(work, "m%d" % q)
    if not os.path.isdir(h):
        # built aside and renamed: a run interrupted while building leaves no half tree
        part = h + ".part"
        shutil.rmtree(part, ignore_errors=True)
        subprocess.run([sys.executable, mkfixture, "--synthetic", part, "--cpus", "256",
                        "--nodes", "8", "--nics", "16", "--queues", str(q)], check=True,
                       stdout=subprocess.DEVNULL)
        os.rename(part, h)
    hosts[q] = h
xml = os.path.join(work, "m.xml")
subprocess.run(["lstopo-no-graphics", "-f", "--input", "node:8 core:16 pu:2", "--of", "xml", xml],
               check=True)
irqs = {q: sum(len(n["irqs"]) for n in json.loads(
    tn(["show", "--json", "--sysroot", hosts[q], "--topology", xml]).stdout)["nics"])
    for q in hosts}
for cmd, want_rc in (("show", 0), ("plan", 2)):
    rss = {}
    for q in hosts:
        rc, rss[q] = rss_of([cmd, "--sysroot", hosts[q], "--topology", xml])
        check(rc == want_rc, "%s on the 256-CPU host of 16 x %d queues: exit %d" % (cmd, q, rc))
    per = (rss[64] - rss[8]) * 1024 / (irqs[64] - irqs[8])
    limit = 1024 if cmd == "show" else 2048
    check(per < limit, "%s: %d bytes more per NIC IRQ (peak RSS %d KiB for %d IRQs, %d KiB for "
          "%d), under %d" % (cmd, per, rss[64], irqs[64], rss[8], irqs[8], limit))

print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
