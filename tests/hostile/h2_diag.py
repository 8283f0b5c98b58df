#!/usr/bin/env python3
"""tuner diagnose and tuner show --counters on hostile and edge inputs
(defect hunt h2). Each check failed on the tree before its fix:

- counts summed over CPUs or counters (softnet dropped, time_squeeze,
  flow_limit_count; TcpExt drops; Udp + Udp6 RcvbufErrors) wrapped past
  2^64-1 in a hostile pair of samples: 'no loss found', exit 0. They stop at
  2^64-1, as a NIC's did already;
- output that never reached standard output (a full disk behind
  'show --counters > A.json', 'diagnose > report') was exit 0 (2), the file
  empty: now exit 1, "standard output: No space left on device";
- a NIC whose counters were all reset between the samples (a driver reload)
  gave one warning per counter (16,000 lines for 16,000 driver statistics):
  now one per NIC, naming the first and the count;
- a NIC in one sample only (removed, renamed or added between them) was left
  out in silence: now a warning names it; so are CPUs of one sample's
  softnet_stat only (taken offline or brought online between them);
- a finding on more CPUs than 255 characters list said "CPUs (many)" in
  text (the JSON listed them): now the text lists them whole too;
- with --netns, the text report never said whose TCP and UDP counters it
  showed (--json has "netns"): its first line names the namespace;
- a --from/--to sample writable by its group was read, though the README
  trusts samples "as profiles are" (a profile is refused): now refused, and
  checked on the file opened rather than on its path before opening;
- a NIC's evidence longer than its buffer (40 virtio queues dropping) was cut
  mid-name (", dr"): now it holds whole counters and ends with " ...";
- a boot_id of the tree longer than 39 characters was cut to 39 in the
  sample (two boots could then look one): now left unknown, with a warning;
- --emit-profile naming the file of the --profile it extends replaced the
  user's profile by one extending itself (a cycle), exit 2: now refused
  before sampling, exit 64, the profile untouched;
- a counter file of the tree that is a FIFO was "Invalid argument", a link
  statistic longer than a counter "Value too large for defined data type":
  now they say why.

  h2_diag.py TUNER SRCDIR WORKDIR

Every sample is of a tree built here; nothing of this machine is read for the
findings or changed."""
import json
import os
import shutil
import subprocess
import sys

tuner, src, work = sys.argv[1:4]
data = os.path.join(src, "tests", "diagnose", "data")
topo_dir = os.path.join(src, "..", "shared", "fixtures", "topology")
topo = os.path.join(topo_dir, "16intel64-manyVFs.xml")
passes, failures = [], []
U64 = 2 ** 64 - 1


def check(cond, what, detail=""):
    """detail: printed only when the check fails."""
    print(("ok   " if cond else "FAIL ") + what + ("" if cond or not detail else ": " + detail))
    (passes if cond else failures).append(what)
    return cond


def run(args, stdout=subprocess.PIPE):
    return subprocess.run([tuner] + args, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=120)


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
tree = os.path.join(work, "tree")
subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "mkfixture.py"),
                "--topology-dir", topo_dir,
                os.path.join(src, "tests", "fixtures", "specs", "16intel64.json"), tree],
               check=True, stdout=subprocess.DEVNULL)
for f in ("netstat", "snmp", "snmp6"):
    shutil.copy(os.path.join(data, f + "-6.1.txt"), os.path.join(tree, "proc", "net", f))
    os.chmod(os.path.join(tree, "proc", "net", f), 0o644)
stats = os.path.join(tree, "sys", "class", "net", "eth0", "statistics")
os.makedirs(stats, exist_ok=True)
for s in ("rx_missed_errors", "rx_fifo_errors", "rx_over_errors", "rx_dropped", "rx_packets"):
    with open(os.path.join(stats, s), "w") as f:
        f.write("0\n")
g = ["--sysroot", tree, "--topology", topo]
r = run(g + ["show", "--counters", "-q"])
if r.returncode != 0:
    sys.exit("show --counters on the tree: exit %d: %s" % (r.returncode, r.stderr))
base = json.loads(r.stdout)


# ---- counts that wrapped: a pair of samples whose sum passes 2^64-1 ----
def pair(name, edit):
    a, b = json.loads(json.dumps(base)), json.loads(json.dumps(base))
    b["time_us"] += 10 * 1000 * 1000
    edit(a, b)
    pa, pb = os.path.join(work, name + "-a.json"), os.path.join(work, name + "-b.json")
    json.dump(a, open(pa, "w"))
    json.dump(b, open(pb, "w"))
    return pa, pb


def softnet(key):
    def edit(a, b):
        for s in (a, b):
            for c in s["softnet"]:
                c[key] = 0
        b["softnet"][0][key] = str(U64)     # a counter above 2^53 is a string
        b["softnet"][1][key] = 1
    return edit


def netstat(group, k1, g2, k2):
    def edit(a, b):
        a["netstat"][group][k1] = 0
        a["netstat"][g2][k2] = 0
        b["netstat"][group][k1] = str(U64)
        b["netstat"][g2][k2] = 1
    return edit


cases = [("backlog", softnet("dropped")), ("softirq_budget", softnet("time_squeeze")),
         ("flow_limit", softnet("flow_limit_count")),
         ("tcp_rcvbuf", netstat("TcpExt", "RcvPruned", "TcpExt", "OfoPruned")),
         ("udp_rcvbuf", netstat("Udp", "RcvbufErrors", "Udp6", "RcvbufErrors"))]
for stage, edit in cases:
    pa, pb = pair(stage, edit)
    r = run(["diagnose", "--from", pa, "--to", pb])
    check(r.returncode == 2 and "%s" % stage in r.stdout and
          "(%d in 10.0 s)" % U64 in r.stdout,
          "%s: 2^64-1 + 1 over two counters is loss, counted up to 2^64-1, not 0" % stage,
          "exit %d: %s" % (r.returncode, r.stdout.strip()[:300]))
    r = run(["diagnose", "--from", pa, "--to", pb, "--json"])
    f = [x for x in json.loads(r.stdout)["findings"] if x["stage"] == stage] \
        if r.returncode == 2 else []
    check(len(f) == 1 and f[0]["count"] >= 2 ** 63, "%s: --json says the same" % stage,
          "exit %d: %s" % (r.returncode, r.stdout.strip()[:300]))

# ---- a NIC whose counters were reset between the samples (a driver reload):
# one warning for the NIC, not one per counter (16,384 per NIC at most) ----
def reset(a, b):
    for s, v in ((a, 100), (b, 0)):
        nic = [n for n in s["nics"] if n["name"] == "eth0"][0]
        nic["stats"]["driver"] = {"rx_stat_%04d" % i: v for i in range(2000)}
        nic["queues"] = [{"queue": q, "rx-hw-drops": v} for q in range(4)]


pa, pb = pair("reset", reset)
r = run(["diagnose", "--from", pa, "--to", pb])
lines = [x for x in r.stderr.splitlines() if "went down" in x]
check(r.returncode == 0 and len(lines) == 1 and
      "eth0: driver rx_stat_0000 went down, and 2003 more of its counters: reset" in lines[0],
      "2000 driver and 4 queue counters of eth0 reset: one warning naming the first and "
      "the count", "exit %d, %d warnings: %s" % (r.returncode, len(lines), lines[:2]))


def reset_one(a, b):
    a["nics"][0]["stats"]["link"]["rx_dropped"] = 5


pa, pb = pair("reset1", reset_one)
r = run(["diagnose", "--from", pa, "--to", pb])
check(r.returncode == 0 and "tuner: warning: %s: link rx_dropped went down: reset between the "
      "samples, not counted\n" % base["nics"][0]["name"] in r.stderr,
      "one counter reset: said as before", "exit %d: %s" % (r.returncode, r.stderr))

# ---- a NIC in one sample only (removed, renamed, added): said, not silent ----
def nic_gone(a, b):
    names = [n["name"] for n in base["nics"]]
    b["nics"] = [n for n in b["nics"] if n["name"] != names[0]]
    b["nics"][0]["name"] += "x"
    b["nics"].sort(key=lambda n: n["name"])


pa, pb = pair("gone", nic_gone)
r = run(["diagnose", "--from", pa, "--to", pb])
names = [n["name"] for n in base["nics"]]
check(r.returncode == 0 and
      "warning: %s: in the first sample only (removed or renamed since)" % names[0] in r.stderr
      and "warning: %s: in the first sample only" % names[1] in r.stderr and
      "warning: %sx: in the second sample only (added or renamed" % names[1] in r.stderr,
      "a NIC removed and one renamed between the samples: warnings name them",
      "exit %d: %s" % (r.returncode, r.stderr))

# ---- a CPU taken offline (or brought online) between the samples: said ----
def cpu_offline(a, b):
    b["softnet"] = [c for c in b["softnet"] if c["cpu"] not in (3, 4, 9)]
    a["softnet"] = [c for c in a["softnet"] if c["cpu"] != 15]


pa, pb = pair("offline", cpu_offline)
r = run(["diagnose", "--from", pa, "--to", pb])
check(r.returncode == 0 and
      "softnet_stat: CPUs 3-4,9 in the first sample only (a CPU taken offline" in r.stderr and
      "softnet_stat: CPUs 15 in the second sample only" in r.stderr and
      r.stderr.count("softnet_stat") == 2,
      "CPUs in one sample's softnet_stat only: one warning each way, naming them",
      "exit %d: %s" % (r.returncode, r.stderr))

# ---- a finding on more CPUs than fit a line: listed whole in text, as in JSON ----
def many_cpus(a, b):
    for s in (a, b):
        s["softnet"] = [{"cpu": c, "processed": 0, "dropped": 0, "time_squeeze": 0,
                         "received_rps": 0, "flow_limit_count": 0} for c in range(256)]
    for c in b["softnet"]:
        c["dropped"] = 10 if c["cpu"] % 2 == 0 else 0


pa, pb = pair("many", many_cpus)
want = ",".join(str(c) for c in range(0, 256, 2))
r = run(["diagnose", "--from", pa, "--to", pb])
check(r.returncode == 2 and "1. backlog, CPUs %s: 128.0/s" % want in r.stdout,
      "drops on 128 CPUs: the text lists them all, not \"(many)\"", r.stdout[:300])
check("on CPUs (128 CPUs: the finding's list)" in r.stdout,
      "the evidence says how many CPUs", r.stdout[:400])
r = run(["diagnose", "--from", pa, "--to", pb, "--json"])
f = json.loads(r.stdout)["findings"] if r.returncode == 2 else []
check(len(f) == 1 and f[0]["cpus"] == want, "--json lists the same CPUs", r.stdout[:300])

# ---- --netns: the text names the namespace whose TCP/UDP counters it reports,
# as --json's "netns" does ----
os.makedirs(os.path.join(tree, "proc", "42", "net"))
for f in ("netstat", "snmp"):
    shutil.copy(os.path.join(tree, "proc", "net", f), os.path.join(tree, "proc", "42", "net", f))
r = run(g + ["show", "--counters", "--netns", "42", "-q"])
ns_a = os.path.join(work, "ns-a.json")
open(ns_a, "w").write(r.stdout)
ns = json.loads(r.stdout)
ns["time_us"] += 5 * 1000 * 1000
ns_b = os.path.join(work, "ns-b.json")
json.dump(ns, open(ns_b, "w"))
ns["netstat"]["Udp"]["RcvbufErrors"] += 70
ns_c = os.path.join(work, "ns-c.json")
json.dump(ns, open(ns_c, "w"))
r = run(["diagnose", "--from", ns_a, "--to", ns_c])
check(r.returncode == 2 and r.stdout.startswith(
      "1 finding on ucs-c220-m3 (TCP and UDP counters of netns pid:42) in 5.0 s"),
      "--netns 42: the report names the namespace", r.stdout[:200])
r = run(["diagnose", "--from", ns_a, "--to", ns_b])
check(r.returncode == 0 and r.stdout.startswith(
      "no loss found on ucs-c220-m3 (TCP and UDP counters of netns pid:42) in 5.0 s"),
      "--netns 42 without loss: the report names the namespace", r.stdout[:200])
r = run(["diagnose", "--from", ns_a, "--to", ns_c, "--json"])
check(r.returncode == 2 and json.loads(r.stdout)["netns"] == "pid:42", "--json: \"netns\"")

# ---- evidence longer than its line: whole items, then " ...", never a cut name ----
def virtio_queues(a, b):
    for s, v in ((a, 0), (b, 1234)):
        nic = [n for n in s["nics"] if n["name"] == "eth0"][0]
        nic["driver"] = "virtio_net"
        nic["stats"]["driver"] = {"rx_queue_%d_drops" % q: v for q in range(40)}


pa, pb = pair("vq", virtio_queues)
r = run(["diagnose", "--from", pa, "--to", pb])
ev = [x for x in r.stdout.splitlines() if x.strip().startswith("evidence: eth0:")]
items = ev[0].split("eth0: ", 1)[1].split(", ") if ev else []
check(r.returncode == 2 and ev and ev[0].endswith(" +1234 ...") and
      all(x.startswith("driver rx_queue_") and x.split(" ")[1].endswith("_drops")
          for x in items),
      "40 virtio queues dropping: the evidence holds whole counters, then ' ...'",
      "exit %d: %s" % (r.returncode, ev[0][-120:] if ev else r.stdout[:300]))
check("queues that dropped: " + ", ".join("%d (+1234)" % q for q in range(40)) in r.stdout,
      "and every queue is listed", r.stdout[:300])

# ---- --emit-profile over the very profile it extends: refused before sampling ----
pa, pb = pair("loss", softnet("dropped"))
mine = os.path.join(work, "mine.json")
shutil.copy(os.path.join(src, "profiles", "socket-buffers.json"), mine)
os.chmod(mine, 0o644)
keep = open(mine).read()
r = run(["diagnose", "--from", pa, "--to", pb, "--profile", mine, "--emit-profile", mine])
check(r.returncode == 64 and "is the profile it extends" in r.stderr and
      open(mine).read() == keep,
      "--emit-profile P --profile P: refused (exit 64), P left as it was",
      "exit %d: %s; %s" % (r.returncode, r.stderr, open(mine).read()[:120]))
link = os.path.join(work, "mine-link.json")
os.symlink(mine, link)
r = run(["diagnose", "--from", pa, "--to", pb, "--profile", link, "--emit-profile", mine])
check(r.returncode == 64 and open(mine).read() == keep,
      "the same through a symlink named by --profile: refused",
      "exit %d: %s" % (r.returncode, r.stderr))
other = os.path.join(work, "emitted.json")
r = run(["diagnose", "--from", pa, "--to", pb, "--profile", mine, "--emit-profile", other])
check(r.returncode == 2 and json.load(open(other))["extends"] == mine,
      "another file: written, extending the profile", "exit %d: %s" % (r.returncode, r.stderr))

# ---- --from/--to samples are trusted as profiles are: not writable by the group ----
pa, pb = pair("trust", lambda a, b: None)
os.chmod(pa, 0o664)
r = run(["diagnose", "--from", pa, "--to", pb])
check(r.returncode == 1 and "trust-a.json: writable by its group (mode 0664); refused" in
      r.stderr, "a group-writable sample: refused, as a profile is",
      "exit %d: %s" % (r.returncode, r.stderr))
os.chmod(pa, 0o644)
r = run(["diagnose", "--from", pa, "--to", pb])
check(r.returncode == 0, "the same sample, 0644: read", "exit %d: %s" % (r.returncode, r.stderr))
fifo = os.path.join(work, "fifo.json")
os.mkfifo(fifo)
r = run(["diagnose", "--from", fifo, "--to", pb])
check(r.returncode == 1 and "fifo.json: a FIFO, not a regular file; refused" in r.stderr,
      "a FIFO as a sample: refused, never opened", "exit %d: %s" % (r.returncode, r.stderr))

# ---- standard output that cannot be written ----
pa, pb = pair("full", softnet("dropped"))
later = json.load(open(pa))
later["time_us"] += 1
json.dump(later, open(pa + ".later", "w"))
if not os.path.exists("/dev/full"):
    check(False, "/dev/full exists")
else:
    for what, args in (("diagnose", ["diagnose", "--from", pa, "--to", pb]),
                       ("diagnose --json", ["diagnose", "--from", pa, "--to", pb, "--json"]),
                       ("diagnose, no loss", ["diagnose", "--from", pa, "--to", pa + ".later"]),
                       ("show --counters", g + ["show", "--counters", "-q"])):
        with open("/dev/full", "w") as full:
            r = run(args, stdout=full)
        check(r.returncode == 1 and "standard output: No space left on device" in r.stderr,
              "%s > /dev/full: exit 1, said" % what,
              "exit %d: %s" % (r.returncode, r.stderr.strip()[-200:]))

# ---- a boot_id longer than one: left unknown and said, never cut ----
bid = os.path.join(tree, "proc", "sys", "kernel", "random")
os.makedirs(bid, exist_ok=True)
open(os.path.join(bid, "boot_id"), "w").write("b" * 50 + "\n")
r = run(g + ["show", "--counters"])
check(r.returncode == 0 and json.loads(r.stdout)["boot_id"] == "" and
      "boot_id: longer than 39 characters; the sample's boot is left unknown" in r.stderr,
      "a 50-character boot_id in the tree: not cut to 39, left unknown with a warning",
      "exit %d: %s %s" % (r.returncode, r.stdout[:200], r.stderr))
open(os.path.join(bid, "boot_id"), "w").write("1b2c3d4e-1111-2222-3333-444455556666\n")
r = run(g + ["show", "--counters", "-q"])
check(r.returncode == 0 and
      json.loads(r.stdout)["boot_id"] == "1b2c3d4e-1111-2222-3333-444455556666",
      "a boot_id of 36 characters: kept", r.stderr)
os.unlink(os.path.join(bid, "boot_id"))

# ---- counter files that are not regular files, or too long ----
for rel in ("proc/net/softnet_stat", "proc/net/netstat", "proc/net/snmp6",
            "sys/class/net/eth0/statistics/rx_dropped"):
    p = os.path.join(tree, rel)
    keep = open(p).read()
    os.unlink(p)
    os.mkfifo(p)
    try:
        r = run(g + ["show", "--counters", "-q"])
    finally:
        os.unlink(p)
        open(p, "w").write(keep)
    check(r.returncode == 1 and "/%s: not a regular file; refused" % rel in r.stderr,
          "a FIFO at /%s: exit 1, said why" % rel,
          "exit %d: %s" % (r.returncode, r.stderr.strip()))
p = os.path.join(stats, "rx_dropped")
open(p, "w").write("1" * 40 + "\n")
r = run(g + ["show", "--counters", "-q"])
open(p, "w").write("0\n")
check(r.returncode == 1 and "rx_dropped: longer than a counter; refused" in r.stderr,
      "a 40-digit link statistic: exit 1, said why", "exit %d: %s" % (r.returncode,
                                                                     r.stderr.strip()))

print("%d passed, %d failed" % (len(passes), len(failures)))
sys.exit(1 if failures else 0)
