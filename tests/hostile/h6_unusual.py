#!/usr/bin/env python3
"""h6_unusual.py TUNER SRCDIR WORKDIR: the planner and discovery on unusual hosts.

On snapshots (as 'tuner show --json' writes them):
  - NICs sharing CPUs, each with as many queues as CPUs or cores (or a
    multiple): each NIC's queue 0 goes to a core no earlier NIC's queue 0 is
    on (they all went to the first one), every CPU still taking as many queue
    IRQs as any other;
  - process placement ("opposite", "local", nodes) leaves out isolated and
    nohz_full CPUs, as IRQ placement does (it pinned processes onto them); a
    placement by "cpus" may still name them; "opposite" passes over a node of
    only such CPUs for another free of IRQs; left with only such CPUs, it is
    an error that says so.
On sysroot trees built by mkfixture.py:
  - sysfs mtu, speed, ifindex and tx_queue_len out of range (99999999999,
    -5): unknown, with a warning naming the file (99999999999 was cut to an
    int: mtu 1215752191; -5 made the snapshot one that --state refuses);
  - a profile rule naming a bond, a VLAN (also on a bond), a team, or a bridge
    (no IRQs of their own): the warning says what it is and which NICs to
    match instead, from lower_* links, or bonding/slaves and brif/ without
    them (it said only "matches no NIC"); the snapshot carries them
    ("stacked"), so --state says the same; a hand-made snapshot whose stacked
    devices loop ends.
Nothing of this machine is read or changed."""
import json, os, shutil, subprocess, sys

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
            print("    " + str(detail)[-1500:].replace("\n", "\n    "))


def tn(args):
    r = subprocess.run([tuner] + args, capture_output=True, text=True, timeout=60)
    if "AddressSanitizer" in r.stderr or "runtime error" in r.stderr:
        check(False, "sanitizer report from tuner " + " ".join(args), r.stderr)
    return r


def write(name, doc):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    os.chmod(path, 0o644)
    return path


def cl(cpus):
    return ",".join(map(str, cpus))


def snapshot(nodes, cores, nics, isolated="", nohz="", procs=()):
    """nodes: [[cpus]]; cores: [[cpus]] (node from the first CPU); nics: (name, node, queues)."""
    every = sorted(c for n in nodes for c in n)
    node_of = {c: i for i, n in enumerate(nodes) for c in n}
    st = {"schema_version": 1, "kind": "state", "hostname": "h6", "kernel": "6.1",
          "topology": {"source": "json", "cpus": cl(every), "online": cl(every),
                       "isolated": isolated, "nohz_full": nohz,
                       "nodes": [{"id": i, "cpus": cl(n), "memory_kb": 1 << 24}
                                 for i, n in enumerate(nodes)],
                       "cores": [{"id": i, "node": node_of[c[0]], "package": node_of[c[0]],
                                  "cpus": cl(c)} for i, c in enumerate(cores)]},
          "nics": [], "sysctls": {},
          "irqbalance": {"running": False, "pid": None, "banned_cpus": "", "banned_irqs": []},
          "processes": list(procs)}
    first = 100
    for i, (name, node, q) in enumerate(nics):
        irqs = [{"irq": first + k, "name": "%s-TxRx-%d" % (name, k), "kind": "txrx",
                 "queue": k, "affinity": cl(every), "effective": "0", "count": 1,
                 "managed": False} for k in range(q)]
        first += q
        st["nics"].append({"name": name, "ifindex": 2 + i, "driver": "ixgbe",
                           "pci": "0000:%02x:00.0" % (0x10 + i),
                           "device": "0000:%02x:00.0" % (0x10 + i), "numa_node": node,
                           "numa_source": "sysfs", "operstate": "up", "speed": 10000,
                           "mtu": 1500, "txqueuelen": 1000, "rx_queues": q, "tx_queues": q,
                           "ring": None, "channels": None, "irqs": irqs})
    return st


def plan(snap, profile):
    r = tn(["--state", snap, "--profile", profile, "plan", "--json"])
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        return r, {"changes": [], "warnings": []}


def placed(p):
    """irq -> CPU of the plan's irq_affinity changes."""
    return {int(c["target"]): int(c["after"]) for c in p["changes"]
            if c["kind"] == "irq_affinity"}


IRQ_ALL = write("irq-all.json", {"name": "h6-irq", "irqbalance": "ignore",
                                 "interfaces": [{"match": "all", "irq": {"exclude": ""}}]})

# ---- NICs of as many queues as CPUs: their queue 0s on different cores ----
for label, nodes, cores, nics in (
        ("4 CPUs, two NICs of 4 queues", [[0, 1, 2, 3]], [[0], [1], [2], [3]],
         [("eth0", 0, 4), ("eth1", 0, 4)]),
        ("4 CPUs, three NICs of 8 queues", [[0, 1, 2, 3]], [[0], [1], [2], [3]],
         [("eth0", 0, 8), ("eth1", 0, 8), ("eth2", 0, 8)]),
        ("4 cores of 2 threads, two NICs of 4 queues", [list(range(8))],
         [[0, 4], [1, 5], [2, 6], [3, 7]], [("eth0", 0, 4), ("eth1", 0, 4)])):
    snap = write("rot.json", snapshot(nodes, cores, nics))
    r, p = plan(snap, IRQ_ALL)
    cpu = placed(p)
    core_of = {c: i for i, core in enumerate(cores) for c in core}
    first, q0 = 100, []
    for name, node, q in nics:
        q0.append(cpu.get(first, -1))
        got = sorted(cpu.get(first + k, -1) for k in range(q))
        check(len(set(got)) == min(q, 4) and -1 not in got,
              "%s: %s's queues on %d different CPUs" % (label, name, min(q, 4)), got)
        first += q
    check(r.returncode == 2 and len({core_of.get(c, -1) for c in q0}) == len(nics),
          "%s: the NICs' queue 0s on different cores" % label,
          "queue 0s on CPUs %s\n%s" % (q0, r.stderr))
    counts = [list(cpu.values()).count(c) for core in cores for c in core[:1]]
    check(len(set(counts)) == 1, "%s: every core's first thread takes as many queue IRQs" %
          label, counts)

# ---- processes: not on isolated or nohz_full CPUs unless listed ----
def redis():
    return {"pid": 1187, "comm": "redis-server", "cmdline": "redis-server", "uid": 112,
            "cgroup": "/system.slice/redis-server.service", "start_time": 4242,
            "memory_nodes": "0",
            "threads": [{"tid": 1187 + k, "comm": "redis-server", "affinity": "0-7"}
                        for k in range(2)]}


def proc_after(p):
    return [c["after"] for c in p["changes"] if c["kind"] == "process_affinity"]


nodes, cores = [[0, 1, 2, 3], [4, 5, 6, 7]], [[c] for c in range(8)]
for placement, want in (("opposite", "4,7"), ({"nodes": [1]}, "4,7"),
                        ({"cpus": "5-6"}, "5-6")):
    snap = write("proc.json", snapshot(nodes, cores, [("eth0", 0, 2)], isolated="5",
                                       nohz="6", procs=[redis()]))
    prof = write("proc-profile.json", {
        "name": "h6-proc", "irqbalance": "ignore",
        "interfaces": [{"match": "all", "irq": {}}],
        "processes": [{"match": {"comm": "redis-server"}, "placement": placement}]})
    r, p = plan(snap, prof)
    check(proc_after(p) == [want], "placement %s with CPU 5 isolated, 6 nohz_full: CPUs %s" %
          (json.dumps(placement), want), "%s\n%s" % (proc_after(p), r.stderr))
# "opposite" with three nodes: node 1 (nearest, lowest id) reserved with isolcpus
snap = write("proc3.json", snapshot([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]],
                                    [[c] for c in range(12)], [("eth0", 0, 2)],
                                    isolated="4-5", nohz="6-7", procs=[redis()]))
prof = write("proc-profile.json", {
    "name": "h6-proc", "irqbalance": "ignore", "interfaces": [{"match": "all", "irq": {}}],
    "processes": [{"match": {"comm": "redis-server"}, "placement": "opposite"}]})
r, p = plan(snap, prof)
check(proc_after(p) == ["8-11"], "opposite: not the node of only isolated and nohz_full CPUs "
      "when another is free of IRQs", "%s\n%s" % (proc_after(p), r.stderr))
snap = write("proc-iso.json", snapshot(nodes, cores, [("eth0", 0, 2)], isolated="4-5",
                                       nohz="6-7", procs=[redis()]))
prof = write("proc-profile.json", {
    "name": "h6-proc", "irqbalance": "ignore", "interfaces": [{"match": "all", "irq": {}}],
    "processes": [{"match": {"comm": "redis-server"}, "placement": "opposite"}]})
r, p = plan(snap, prof)
want = ("processes[0] (comm redis-server): no online CPU is left for them (isolated and "
        "nohz_full CPUs are left out: list them in \"cpus\" to use them)")
check(r.returncode == 1 and want in r.stderr, "opposite node of only isolated and nohz_full "
      "CPUs: refused, saying why", r.stderr + r.stdout[:300])


# ---- sysroot trees ----
def fixture(name, spec):
    tree = os.path.join(work, name)
    shutil.rmtree(tree, ignore_errors=True)
    specfile = write(name + ".spec.json", spec)
    subprocess.run([sys.executable, mkfixture, "--topology-dir", topodir, specfile, tree],
                   check=True, stdout=subprocess.DEVNULL)
    return tree


with open(os.path.join(src, "tests/fixtures/specs/16intel64.json")) as f:
    SPEC16 = json.load(f)

# ---- sysfs numbers out of range: unknown, said ----
tree = fixture("numbers", SPEC16)
bad = (("eth0", "mtu", "99999999999"), ("eth1", "speed", "99999999999"),
       ("eth4", "ifindex", "-5"), ("eth10", "tx_queue_len", "-5"), ("eth7", "mtu", "-5"))
for nic, f, v in bad:
    with open(os.path.join(tree, "sys/class/net", nic, f), "w") as fh:
        fh.write(v + "\n")
r = tn(["--sysroot", tree, "--topology", T16, "show", "--json"])
nics = {n["name"]: n for n in json.loads(r.stdout)["nics"]} if r.returncode == 0 else {}
key = {"mtu": "mtu", "speed": "speed", "ifindex": "ifindex", "tx_queue_len": "txqueuelen"}
for nic, f, v in bad:
    got = nics.get(nic, {}).get(key[f], "missing")
    check(got in (0, None), "%s %s %s: taken as unknown" % (nic, f, v), got)
    check(("%s: %s/sys/devices/" % (nic, tree)) in r.stderr and
          ("/net/%s/%s: %s is out of range" % (nic, f, v)) in r.stderr,
          "%s %s %s: a warning names the file" % (nic, f, v), r.stderr)
check(nics.get("eth0", {}).get("speed") == 10000 and nics.get("eth1", {}).get("mtu") == 1500,
      "the other values of those NICs stay", json.dumps(nics.get("eth0", {}))[:300])
snap = os.path.join(work, "numbers-snap.json")
with open(snap, "w") as f:
    f.write(r.stdout)
r2 = tn(["--state", snap, "--profile", IRQ_ALL, "plan"])
check(r2.returncode in (0, 2), "that snapshot is read again with --state", r2.stderr)

# ---- rules naming stacked devices (bond, VLAN, team, bridge) ----
spec = json.loads(json.dumps(SPEC16))
spec["virtual"] += [
    {"name": "bond0", "kind": "bond", "ifindex": 11, "lower": ["eth0", "eth1"]},
    {"name": "bond1", "kind": "bond", "ifindex": 12, "lower": ["eth4"], "lower_links": False},
    {"name": "bond0.200", "kind": "vlan", "ifindex": 13, "lower": ["bond0"]},
    {"name": "eth10.100", "kind": "vlan", "ifindex": 14, "lower": ["eth10"]},
    {"name": "team0", "kind": "team", "ifindex": 15, "lower": ["eth6"]},
    {"name": "br0", "kind": "bridge", "ifindex": 16, "lower": ["eth7", "veth51e0a9c"]},
    {"name": "bond2", "kind": "bond", "ifindex": 17, "lower": []}]
tree = fixture("stacked", spec)
# a FIFO where bond2's slaves are: not waited on
slaves = os.path.join(tree, "sys/class/net/bond2/bonding/slaves")
os.unlink(slaves)
os.mkfifo(slaves)
names = ["bond0", "bond1", "bond0.200", "eth10.100", "team0", "br0", "docker0", "bond2"]
prof = write("stacked-profile.json", {
    "name": "h6-stacked", "irqbalance": "ignore",
    "interfaces": [{"match": {"name": n}, "irq": {}} for n in names]})
wants = [
    "bond0 (bond) has no IRQs of its own; match the NICs below it instead: eth0, eth1",
    "bond1 (bond) has no IRQs of its own; match the NIC below it instead: eth4",
    "bond0.200 (vlan) has no IRQs of its own; match the NICs below it instead: eth0, eth1",
    "eth10.100 (vlan) has no IRQs of its own; match the NIC below it instead: eth10",
    "team0 (virtual device) has no IRQs of its own; match the NIC below it instead: eth6",
    "br0 (bridge) has no IRQs of its own; match the NIC below it instead: eth7",
    # a bridge of veths alone is not looked at (discovery walks up from the
    # NICs: looking into every net device doubled it on container hosts)
    None,
    "bond2 (bond) has no IRQs of its own, and no NIC below it"]
r = tn(["--sysroot", tree, "--topology", T16, "--profile", prof, "plan", "--json"])
p = json.loads(r.stdout) if r.stdout else {"warnings": []}
for i, (n, want) in enumerate(zip(names, wants)):
    want = "interfaces[%d] (name %s) matches no NIC of this host" % (i, n) + (
        ": " + want if want else "")
    check(want in p["warnings"], "plan warns: " + want, r.stderr + "\n".join(p["warnings"]))
r = tn(["--sysroot", tree, "--topology", T16, "show", "--json"])
show = json.loads(r.stdout) if r.returncode == 0 else {}
st = {s["name"]: s for s in show.get("stacked", [])}
# the bonding module's sys/class/net/bonding_masters is a file, no net device:
# every discovery on a host with bonds warned "bonding_masters: Not a directory"
check(r.returncode == 0 and "bonding_masters" not in r.stderr,
      "sys/class/net/bonding_masters is no net device, and no warning", r.stderr)
check(st.get("bond0", {}).get("lower") == ["eth0", "eth1"] and
      st.get("bond0.200", {}).get("lower") == ["bond0"] and
      st.get("br0", {}).get("lower") == ["eth7"] and
      "docker0" not in st and "lo" not in st and "veth51e0a9c" not in st and
      st.get("bond2", {}).get("lower") == [] and st.get("bond1", {}).get("lower") == ["eth4"],
      "show --json: the stacked devices above NICs and every bond (bonding_masters), "
      "with their lower NICs and stacked devices (not veths, nor a bridge of veths)",
      json.dumps(show.get("stacked")))
# what discovery opens: a veth's directory (and a bridge of veths alone) is
# never looked into, only resolved to find it is no NIC (thousands of veths on
# a container host doubled discovery when each was read as a possible bond)
if shutil.which("strace"):
    trace = os.path.join(work, "stacked.strace")
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(x for x in (env.get("ASAN_OPTIONS"), "detect_leaks=0") if x)
    subprocess.run(["strace", "-f", "-e", "trace=openat,openat2,open", "-o", trace, tuner,
                    "--sysroot", tree, "--topology", T16, "plan"], env=env,
                   capture_output=True, timeout=120)
    with open(trace) as f:
        opened = [ln for ln in f if ("veth51e0a9c" in ln or "docker0" in ln) and
                  "O_PATH" not in ln]
    check(not opened, "discovery opens nothing of a veth or a bridge of veths (O_PATH only)",
          "".join(opened[:5]))
else:
    print("SKIP: the open check (strace is not installed; scripts/deps.sh test installs it)")
snap = os.path.join(work, "stacked-snap.json")
with open(snap, "w") as f:
    f.write(r.stdout)
r, p = plan(snap, prof)
want = ("interfaces[2] (name bond0.200) matches no NIC of this host: " + wants[2])
check(want in p.get("warnings", []), "--state of that snapshot says the same",
      "\n".join(p.get("warnings", [])))
req = write("stacked-required.json", {
    "name": "h6-req", "irqbalance": "ignore",
    "interfaces": [{"match": {"name": "bond*"}, "required": True, "irq": {}}]})
r = tn(["--state", snap, "--profile", req, "plan"])
want = ("interfaces[0] (name bond*) is required but matches no NIC of this host: " + wants[0])
check(r.returncode == 1 and want in r.stderr, "a required rule: the error says the same",
      r.stderr)
# a hand-made snapshot whose stacked devices loop
doc = json.loads(show and json.dumps(show) or "{}")
if doc:
    doc["stacked"] = [{"name": "a0", "kind": "bond", "lower": ["b0", "eth0"]},
                      {"name": "b0", "kind": "vlan", "lower": ["a0", "b0", "eth1"]}]
    loop = write("loop.json", doc)
    lp = write("loop-profile.json", {"name": "h6-loop", "irqbalance": "ignore",
                                      "interfaces": [{"match": {"name": "b0"}, "irq": {}}]})
    r, p = plan(loop, lp)
    want = ("interfaces[0] (name b0) matches no NIC of this host: b0 (vlan) has no IRQs of "
            "its own; match the NICs below it instead: eth1, eth0")
    check(want in p.get("warnings", []), "stacked devices in a loop: each visited once",
          r.stderr + "\n".join(p.get("warnings", [])))
    doc["stacked"] = [{"name": "a0", "kind": "bond", "lower": ["x"] * 65}]
    r = tn(["--state", write("many.json", doc), "plan"])
    check(r.returncode == 1 and "more than the 64 devices tuner accepts" in r.stderr,
          "a snapshot's stacked device of 65 lower devices is refused", r.stderr)

print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
