#!/usr/bin/env python3
"""h3_discovery.py TUNER SRCDIR WORKDIR: discovery and planning on unusual hosts,
on sysroot trees built by mkfixture.py and edited as a real host can be:
  - two NICs renamed into each other's names after their driver named the
    IRQs (eth0 <-> eth1): each NIC keeps its own PCI function's vectors (a
    name of another function's NIC is a stale one), never the other
    function's, and the plan says that none of them is placed;
  - a NIC renamed after its IRQs were named (ens1f0, IRQs eth0-TxRx-N) and a
    NIC that is down with no IRQ: the plan says that their IRQs are not placed
    (it said nothing), in text and in --json;
  - a NIC whose sysfs numa_node names a node the topology does not have (7 on
    a host of two; 2^32, which was cut to node 0): a warning naming the file,
    and local_cpulist decides, as when numa_node is -1;
  - two netdevs of one device (an IPoIB child, ib0.8001, beside ib0: mlx5
    names its vectors by PCI address): each IRQ is placed once, as for the
    first, with a warning (two changes for one IRQ, to different CPUs);
  - placement "opposite" whose "nodes" hold only IRQ nodes: the refusal names
    them (it said that every node of the host holds NIC IRQs); so does one
    whose only node free of IRQs has no CPU (CXL memory);
  - --topology of a host smaller than the tree's online file: the CPUs it does
    not have are left out, with a warning (an IRQ went to CPU 16, "node -1");
  - --sysroot without --topology on a tree whose CPUs hwloc cannot read: refused
    naming the files (hwloc filled in this machine's CPUs); on a tree it reads,
    this machine's CPUID caches are not mixed in."""
import json, os, shutil, subprocess, sys
import xml.etree.ElementTree as ET

tuner, src, work = sys.argv[1:4]
topodir = os.path.join(src, "..", "shared", "fixtures", "topology")
mkfixture = os.path.join(src, "tests", "fixtures", "mkfixture.py")
T16 = os.path.join(topodir, "16intel64-manyVFs.xml")
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
    r = subprocess.run([tuner] + args, capture_output=True, text=True)
    if "AddressSanitizer" in r.stderr or "runtime error" in r.stderr:
        check(False, "sanitizer report from tuner " + " ".join(args), r.stderr)
    return r


def fixture(name, spec="16intel64.json"):
    tree = os.path.join(work, name)
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run([sys.executable, mkfixture, "--topology-dir", topodir,
                    os.path.join(src, "tests/fixtures/specs", spec), tree],
                   check=True, stdout=subprocess.DEVNULL)
    return tree


def rename(tree, pcipath, old, new):
    """Rename a NIC as the kernel shows it: its net/ directory and class link."""
    dev = os.path.join(tree, "sys/devices", pcipath, "net")
    os.rename(os.path.join(dev, old), os.path.join(dev, new + ".tmp"))
    os.unlink(os.path.join(tree, "sys/class/net", old))
    return lambda: (os.rename(os.path.join(dev, new + ".tmp"), os.path.join(dev, new)),
                    os.symlink(os.path.join("../../devices", pcipath, "net", new),
                               os.path.join(tree, "sys/class/net", new)))


def nics_of(tree):
    r = tn(["--sysroot", tree, "--topology", T16, "show", "--json"])
    if r.returncode != 0:
        check(False, "show --json runs", r.stderr)
        return {}
    return {n["name"]: n for n in json.loads(r.stdout)["nics"]}


def msi(tree, pci):
    d = os.path.join(tree, "sys/bus/pci/devices", pci, "msi_irqs")
    return sorted(int(x) for x in os.listdir(d))


# ---- eth0 <-> eth1 renamed into each other's names: each keeps its vectors ----
tree = fixture("swap")
f0, f1 = "pci0000:00/0000:00:01.1/0000:02:00.0", "pci0000:00/0000:00:01.1/0000:02:00.1"
done0 = rename(tree, f0, "eth0", "eth1")
done1 = rename(tree, f1, "eth1", "eth0")
done0()
done1()
nics = nics_of(tree)
for name, pci in (("eth0", "0000:02:00.1"), ("eth1", "0000:02:00.0")):
    n = nics.get(name, {})
    got = sorted(q["irq"] for q in n.get("irqs", []))
    check(n.get("pci") == pci and got == msi(tree, pci),
          "%s (now at %s): its own function's vectors %s, not the other's" %
          (name, pci, msi(tree, pci)), "pci %s, irqs %s" % (n.get("pci"), got))
    check(all(q["kind"] == "other" for q in n.get("irqs", [])),
          "%s: the stale names (the other NIC's) are not taken for its queues" % name,
          json.dumps(n.get("irqs")))
r = tn(["--sysroot", tree, "--topology", T16, "plan", "--json"])
plan = json.loads(r.stdout) if r.stdout else {"changes": [], "warnings": []}
placed = {c["target"] for c in plan["changes"] if c["kind"] == "irq_affinity"}
check(not placed & {str(i) for i in range(40, 50)},
      "plan: no IRQ of the renamed pair is placed by the other NIC's node and queue",
      json.dumps(sorted(placed)))
for name, first in (("eth0", "eth1-TxRx-0"), ("eth1", "eth0-TxRx-0")):
    want = "%s: none of its 5 IRQs is named as one of its queues (%s, ...); none is placed" % (
        name, first)
    check(want in plan["warnings"], "plan --json warns: " + want, json.dumps(plan["warnings"]))

# ---- a NIC renamed after its IRQs were named; a NIC down with no IRQ ----
tree = fixture("renamed")
rename(tree, f0, "eth0", "ens1f0")()
# eth5 down: its driver freed its IRQs (no row in /proc/interrupts)
with open(os.path.join(tree, "proc/interrupts")) as f:
    rows = f.read().splitlines(True)
with open(os.path.join(tree, "proc/interrupts"), "w") as f:
    f.writelines(l for l in rows if not l.rstrip().split(" ")[-1].startswith("eth5"))
r = tn(["--sysroot", tree, "--topology", T16, "plan"])
want = ("tuner: warning: ens1f0: none of its 5 IRQs is named as one of its queues "
        "(eth0-TxRx-0, ...); none is placed")
check(r.returncode == 2 and want in r.stderr.splitlines(), "plan (text) warns: " + want,
      r.stderr)
want = ("tuner: warning: eth5: no IRQ of it was found (its link is down: many drivers "
        "request their IRQs only when it is up); none is placed")
check(want in r.stderr.splitlines(), "plan (text) warns: " + want, r.stderr)
check("eth5" not in r.stdout and "eth0-TxRx" not in r.stdout,
      "plan: nothing of eth5 or ens1f0 is placed", r.stdout)

# ---- a sysfs numa_node the topology does not have: local_cpulist decides ----
# (hwloc does not place the NICs: the XML without its I/O objects)
xml = ET.parse(os.path.join(topodir, "32em64t-2n8c2t-pci-normalio.xml"))


def strip_io(e):
    for c in list(e):
        if c.tag == "object" and c.get("type") in ("Bridge", "PCIDev", "OSDev"):
            e.remove(c)
        else:
            strip_io(c)


strip_io(xml.getroot())
noio = os.path.join(work, "noio.xml")
xml.write(noio, xml_declaration=True, encoding="UTF-8")
tree = fixture("numa", "32em64t.json")
for pci, node in (("0000:81:00.1", "7"), ("0000:04:00.0", "4294967296")):
    with open(os.path.join(tree, "sys/bus/pci/devices", pci, "numa_node"), "w") as f:
        f.write(node + "\n")
r = tn(["--sysroot", tree, "--topology", noio, "show", "--json"])
nics = {n["name"]: n for n in json.loads(r.stdout)["nics"]} if r.returncode == 0 else {}
for name, node in (("eth1", "7"), ("ib0", "4294967296")):
    n = nics.get(name, {})
    check((n.get("numa_node"), n.get("numa_source")) == (1, "local_cpulist"),
          "%s: numa_node %s (no such node) not taken (nor cut to an int): node 1 from "
          "local_cpulist" % (name, node), "%s from %s" % (n.get("numa_node"),
                                                         n.get("numa_source")))
    pcidir = "0000:81:00.1" if name == "eth1" else "0000:04:00.0"
    check(any(w.startswith(name + ": ") and w.endswith(
        "%s/numa_node: node %s, which the topology does not have; not taken" % (pcidir, node))
        for w in r.stderr.replace("tuner: warning: ", "").splitlines()),
        "%s: a warning names the numa_node file and its value" % name, r.stderr)
r = tn(["--sysroot", tree, "--topology", noio, "plan", "--json"])
plan = json.loads(r.stdout) if r.stdout else {"changes": []}
reasons = [c["reason"] for c in plan["changes"]
           if c["kind"] == "irq_affinity" and c["reason"].startswith("eth1 ")]
check(reasons and all(" on node 1 " in x for x in reasons),
      "plan: eth1's IRQs on its node 1, not on any CPU", json.dumps(reasons))

# ---- two netdevs of one device (an IPoIB child; switchdev representors):
# mlx5 names its vectors by PCI address, so both list the same IRQs; each IRQ
# is placed once (the plan had two changes for irq 75, "-> 8" and "-> 1", and
# counted the irqbalance bans twice) ----
tree = fixture("child", "32em64t.json")
ibdir = os.path.join(tree, "sys/devices/pci0000:80/0000:80:03.0/0000:04:00.0/net")
shutil.copytree(os.path.join(ibdir, "ib0"), os.path.join(ibdir, "ib0.8001"), symlinks=True)
with open(os.path.join(ibdir, "ib0.8001", "ifindex"), "w") as f:
    f.write("9\n")
os.symlink("../../devices/pci0000:80/0000:80:03.0/0000:04:00.0/net/ib0.8001",
           os.path.join(tree, "sys/class/net/ib0.8001"))
T32 = os.path.join(topodir, "32em64t-2n8c2t-pci-normalio.xml")
r = tn(["--sysroot", tree, "--topology", T32, "plan", "--json"])
plan = json.loads(r.stdout) if r.stdout else {"changes": [], "warnings": []}
irqs = [c["target"] for c in plan["changes"] if c["kind"] == "irq_affinity"]
check(r.returncode == 2 and len(irqs) == len(set(irqs)) and {"75", "76", "77", "78"} <= set(irqs),
      "plan: each IRQ of the shared device has one change (%d changes, %d IRQs)" %
      (len(irqs), len(set(irqs))), json.dumps(sorted(irqs)))
mlx = [c["reason"] for c in plan["changes"] if c["target"] in ("75", "76", "77", "78")]
check(all(x.startswith("ib0 queue ") for x in mlx), "plan: placed as for ib0, the first",
      json.dumps(mlx))
want = ("ib0.8001: 4 of its queue IRQs (irq 75, ...) are ib0's too (one device): placed "
        "once, as for ib0")
check(want in plan["warnings"], "plan --json warns: " + want, json.dumps(plan["warnings"]))
ban = [c for c in plan["changes"] if c["kind"] == "irqbalance"]
added = len(ban[0]["after"].split(",")) - len(ban[0]["before"].split(",")) if ban else -1
check(ban and ban[0].get("note") == "(%d more)" % added,
      "plan: the irqbalance ban counts each IRQ once (%d more)" % added,
      json.dumps(ban))

# ---- "opposite" restricted by "nodes" to the node of the IRQs: the refusal
# says so (it said that every node of the host holds NIC IRQs; node 0 holds none) ----
tree = fixture("opposite", "32em64t.json")
prof = os.path.join(work, "opposite.json")
with open(prof, "w") as f:
    json.dump({"name": "opposite", "interfaces": [{"match": "all", "irq": {}}],
               "processes": [{"match": {"comm": "redis-server"}, "placement": "opposite",
                              "nodes": [1]}], "irqbalance": "ignore"}, f)
os.chmod(prof, 0o644)
r = tn(["--sysroot", tree, "--topology", T32, "plan", "--profile", prof])
want = ('tuner: processes[0]: placement "opposite": each node its "nodes" allow (1) holds NIC '
        'IRQs or has no online CPU (NIC IRQs on node 1)')
check(r.returncode == 1 and want in r.stderr.splitlines(), "plan refuses: " + want,
      "exit %d\n%s" % (r.returncode, r.stderr))

# a memory-only node (CXL memory: no CPU) beside two nodes that hold NIC IRQs:
# the refusal says that node has no CPU (it said every node holds NIC IRQs)
r = tn(["--sysroot", fixture("cxl"), "--topology", T16, "show", "--json",
        "--process", "comm:redis-server"])
snap = json.loads(r.stdout)
snap["topology"]["nodes"].append({"id": 2, "cpus": "", "memory_kb": 1048576})
state = os.path.join(work, "cxl.json")
with open(state, "w") as f:
    json.dump(snap, f)
prof = os.path.join(work, "opposite-all.json")
with open(prof, "w") as f:
    json.dump({"name": "opposite-all", "interfaces": [{"match": "all", "irq": {}}],
               "processes": [{"match": {"comm": "redis-server"}, "placement": "opposite"}],
               "irqbalance": "ignore"}, f)
os.chmod(prof, 0o644)
r = tn(["--state", state, "plan", "--profile", prof])
want = ('tuner: processes[0]: placement "opposite": every NUMA node with an online CPU holds '
        'NIC IRQs (nodes 0-1); node 2, free of them, has no online CPU')
check(r.returncode == 1 and want in r.stderr.splitlines(), "plan refuses: " + want,
      "exit %d\n%s" % (r.returncode, r.stderr))

# ---- --topology of a smaller host than the tree's online CPUs: the CPUs the
# topology does not have are left out (a warning), never given an IRQ (eth0,
# of unknown node, had queue 15 "on node -1", on CPU 16) ----
tree = fixture("mismatch", "32em64t.json")
with open(os.path.join(tree, "sys/bus/pci/devices/0000:81:00.0/numa_node"), "w") as f:
    f.write("-1\n")
r = tn(["--sysroot", tree, "--topology", T16, "plan", "--json"])
plan = json.loads(r.stdout) if r.stdout else {"changes": [], "warnings": []}
want = ("%s/sys/devices/system/cpu/online: CPUs 16-31 are online but not in the topology "
        "(%s); left out" % (tree, T16))
check(want in plan["warnings"], "plan --json warns: " + want, json.dumps(plan["warnings"]))
cpus = sorted({int(c["after"]) for c in plan["changes"] if c["kind"] == "irq_affinity"})
check(cpus and cpus[-1] < 16 and not any("node -1" in c["reason"] for c in plan["changes"]),
      "plan: no IRQ on a CPU the topology does not have", json.dumps(cpus))
r = tn(["--sysroot", tree, "--topology", T16, "show", "--json"])
online = json.loads(r.stdout)["topology"]["online"] if r.returncode == 0 else None
check(online == "0-15", "show: online CPUs are the topology's (%s)" % online, r.stderr)

# ---- a tree hwloc cannot read the CPUs of: refused, not this machine's CPUs ----
# only the *_list files of cpuN/topology: hwloc's Linux backend needs the
# masks, and fell back on this machine (CPUID, its CPU count) while the tree's
# online file said 0-31
tree = fixture("nocpus", "32em64t.json")
for cpu in range(32):
    d = os.path.join(tree, "sys/devices/system/cpu/cpu%d/topology" % cpu)
    for mask in ("thread_siblings", "core_cpus", "core_siblings", "package_cpus"):
        os.unlink(os.path.join(d, mask))
r = tn(["--sysroot", tree, "show", "--json"])
want = ("tuner: %s: hwloc could not read the CPUs of the tree (sys/devices/system/cpu/cpuN/"
        "topology/: package_cpus or core_siblings, thread_siblings); refused: its topology "
        "would be this machine's (or give --topology)" % tree)
check(r.returncode == 1 and want in r.stderr.splitlines() and not r.stdout,
      "show on a tree whose CPUs hwloc cannot read: refused, naming the files",
      "exit %d\n%s\n%s" % (r.returncode, r.stderr, r.stdout[:300]))
r = tn(["--sysroot", tree, "plan"])
check(r.returncode == 1 and want in r.stderr.splitlines(), "plan on that tree: refused",
      "exit %d\n%s" % (r.returncode, r.stderr))


def masks(lst):
    m = 0
    for part in lst.strip().split(","):
        a, _, b = part.partition("-")
        for i in range(int(a), int(b or a) + 1):
            m |= 1 << i
    return "%08x\n" % m


# the same tree with the masks a kernel writes: hwloc reads it, this machine's
# CPUID caches are not mixed into it
for cpu in range(32):
    d = os.path.join(tree, "sys/devices/system/cpu/cpu%d/topology" % cpu)
    for lst, mask in (("core_cpus_list", "thread_siblings"),
                      ("package_cpus_list", "core_siblings")):
        with open(os.path.join(d, lst)) as f, open(os.path.join(d, mask), "w") as g:
            g.write(masks(f.read()))
r = tn(["--sysroot", tree, "show", "--json"])
topo = json.loads(r.stdout)["topology"] if r.returncode == 0 else {}
check(r.returncode == 0 and topo.get("cpus") == "0-31" and len(topo.get("cores", [])) == 16
      and [n["cpus"] for n in topo.get("nodes", [])] == ["0-7,16-23", "8-15,24-31"]
      and "hwloc" not in r.stderr,
      "show on the tree with its masks: its own 32 CPUs, 16 cores, 2 nodes, no hwloc message",
      "exit %d\n%s\n%s" % (r.returncode, r.stderr, json.dumps(topo)[:600]))

print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
