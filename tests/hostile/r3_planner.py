#!/usr/bin/env python3
"""Planner decisions on snapshots (r3: show/plan/profile and the planner).

  r3_planner.py TUNER SRCDIR WORKDIR

Each case writes a snapshot (as 'tuner show --json' would) and a profile, runs
'tuner --state SNAP plan --json' and checks what was planned and said:
- a memoryless NUMA node (memory 0 where the other nodes have memory) is not
  where "opposite" binds a process's memory: the nearest node with memory is;
  an explicit node list of only memoryless nodes with memory "bind" is an
  error that names the node; memory "keep" may still go there;
- an interface rule whose NICs all follow an earlier rule is said to be
  shadowed (naming the NIC and the rule), not to match no NIC of the host;
- on a sysroot tree (16intel64), a profile of more than 128 process rules:
  discovery records the processes of every rule's selectors (it kept the
  first 128 and the last rules matched nothing);
- diagnose --emit-profile with --profile ./relative.json, written to another
  directory: the emitted profile loads (its "extends" was the relative path
  as typed, which a profile's "extends" reads relative to its own directory).
Nothing of this machine is read or changed."""
import json
import os
import shutil
import subprocess
import sys

tuner, src, work = sys.argv[1:4]
tuner = os.path.abspath(tuner)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def cl(cpus):
    return ",".join(map(str, cpus))


def snapshot(n_nodes, per_node, nics, mem, dist, procs):
    """n_nodes nodes of per_node CPUs (one core each); nics: (name, node, queues, first_irq)."""
    nodes, cores, every = [], [], []
    for n in range(n_nodes):
        cpus = list(range(n * per_node, (n + 1) * per_node))
        every += cpus
        nodes.append({"id": n, "cpus": cl(cpus), "memory_kb": mem[n]})
        cores += [{"id": c, "node": n, "package": n, "cpus": str(c)} for c in cpus]
    st = {"schema_version": 1, "kind": "state", "hostname": "r3", "kernel": "6.1",
          "topology": {"source": "json", "cpus": cl(every), "online": cl(every), "isolated": "",
                       "nohz_full": "", "nodes": nodes, "distances": dist, "cores": cores},
          "nics": [], "sysctls": {},
          "irqbalance": {"running": False, "pid": None, "banned_cpus": "", "banned_irqs": []},
          "processes": procs}
    for i, (name, node, q, first) in enumerate(nics):
        irqs = [{"irq": first + k, "name": "%s-TxRx-%d" % (name, k), "kind": "txrx", "queue": k,
                 "affinity": cl(every), "effective": "0", "count": 1, "managed": False}
                for k in range(q)]
        st["nics"].append({"name": name, "ifindex": 2 + i, "driver": "ixgbe",
                           "pci": "0000:%02x:00.0" % (0x10 + i),
                           "device": "0000:%02x:00.0" % (0x10 + i), "numa_node": node,
                           "numa_source": "sysfs", "operstate": "up", "speed": 10000,
                           "mtu": 1500, "txqueuelen": 1000, "rx_queues": q, "tx_queues": q,
                           "ring": None, "channels": None, "irqs": irqs})
    return st


def redis(cpus, mem_nodes):
    return {"pid": 1187, "comm": "redis-server", "cmdline": "redis-server", "uid": 112,
            "cgroup": "/system.slice/redis-server.service", "start_time": 4242,
            "memory_nodes": mem_nodes,
            "threads": [{"tid": 1187 + k, "comm": "redis-server", "affinity": cpus}
                        for k in range(2)]}


def write(name, doc):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    os.chmod(path, 0o644)
    return path


def plan(state, profile):
    r = subprocess.run([tuner, "--state", state, "plan", "--json", "--profile", profile],
                       capture_output=True, text=True, timeout=60)
    doc = json.loads(r.stdout) if r.returncode in (0, 2) else None
    return r, doc


def changes(doc, kind):
    return [c for c in doc["changes"] if c["kind"] == kind]


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
os.chmod(work, 0o755)

# 4 nodes of 4 CPUs; the NIC on node 0; node 1, the nearest, has no memory.
DIST = [[10, 12, 20, 20], [12, 10, 20, 20], [20, 20, 10, 12], [20, 20, 12, 10]]
memless = write("memless.json", snapshot(4, 4, [("eth0", 0, 3, 40)],
                                         [1 << 20, 0, 1 << 20, 1 << 20], DIST,
                                         [redis("0-15", "0")]))
split = write("split.json", {
    "name": "split", "interfaces": [{"match": "all", "irq": {"cpus": "local"}}],
    "processes": [{"match": {"comm": "redis-server"}, "placement": "opposite",
                   "memory": "bind"}]})
r, doc = plan(memless, split)
check(r.returncode == 2, "opposite + bind on a memoryless nearest node: plans (exit %d)"
      % r.returncode)
if doc:
    mem = changes(doc, "process_memory")
    aff = changes(doc, "process_affinity")
    check(len(mem) == 1 and mem[0]["after"] == "2",
          "memory goes to node 2, the nearest node with memory, not memoryless node 1: %s"
          % [c["after"] for c in mem])
    check(len(aff) == 1 and aff[0]["after"] == "8-11",
          "its CPUs are node 2's (8-11): %s" % [c["after"] for c in aff])

# memory "keep": node 1's CPUs are as good as any (nothing is bound there)
keep = write("keep.json", {
    "name": "keep", "interfaces": [{"match": "all", "irq": {"cpus": "local"}}],
    "processes": [{"match": {"comm": "redis-server"}, "placement": "opposite"}]})
r, doc = plan(memless, keep)
check(r.returncode == 2 and doc and [c["after"] for c in changes(doc, "process_affinity")]
      == ["4-7"], "opposite + memory keep: the nearest node, memoryless or not (4-7)")

# an explicit node list of a memoryless node, memory bound there: an error
only1 = write("only1.json", {
    "name": "only1",
    "processes": [{"match": {"comm": "redis-server"}, "placement": {"nodes": [1]},
                   "memory": "bind"}]})
r, doc = plan(memless, only1)
check(r.returncode == 1 and "node 1 has no memory" in r.stderr,
      "placement nodes [1] + bind, node 1 memoryless: exit 1 naming it (exit %d: %s)"
      % (r.returncode, r.stderr.strip()))
# ... and with a node that has memory beside it, memory goes there only
both = write("both.json", {
    "name": "both",
    "processes": [{"match": {"comm": "redis-server"}, "placement": {"nodes": [1, 2]},
                   "memory": "prefer"}]})
r, doc = plan(memless, both)
check(r.returncode == 2 and doc and [c["after"] for c in changes(doc, "process_memory")]
      == ["2"], "placement nodes [1, 2] + prefer: memory to node 2 only")

# every node free of IRQs is memoryless: "opposite" + bind cannot be planned
memless2 = write("memless2.json", snapshot(2, 4, [("eth0", 0, 2, 40)], [1 << 20, 0],
                                           [[10, 20], [20, 10]], [redis("0-7", "0")]))
r, doc = plan(memless2, split)
check(r.returncode == 1 and "has memory" in r.stderr,
      "opposite + bind, the only free node memoryless: exit 1, said (exit %d: %s)"
      % (r.returncode, r.stderr.strip()))

# a snapshot without node sizes (memory unknown everywhere): as before
nosize = write("nosize.json", snapshot(4, 4, [("eth0", 0, 3, 40)], [0, 0, 0, 0], DIST,
                                       [redis("0-15", "0")]))
r, doc = plan(nosize, split)
check(r.returncode == 2 and doc and [c["after"] for c in changes(doc, "process_memory")]
      == ["1"], "no node size known: the nearest node (1), as before")

# interface rules shadowed by an earlier one
two = write("two.json", snapshot(2, 4, [("eth0", 0, 2, 40), ("eth1", 1, 2, 50)],
                                 [1 << 20, 1 << 20], [[10, 20], [20, 10]], []))
shadow_req = write("shadow_req.json", {
    "name": "shadow_req", "interfaces": [{"match": "all", "irq": {}},
                                         {"match": {"name": "eth0"}, "required": True,
                                          "irq": {"cpus": "remote"}}]})
r, doc = plan(two, shadow_req)
check(r.returncode == 1 and "earlier rule (eth0: interfaces[0])" in r.stderr
      and "matches no NIC" not in r.stderr,
      "a required rule shadowed by interfaces[0]: said so, not 'matches no NIC': %s"
      % r.stderr.strip())
shadow = write("shadow.json", {
    "name": "shadow", "interfaces": [{"match": "all", "irq": {}},
                                     {"match": {"name": "eth1"}, "irq": {"cpus": "remote"}},
                                     {"match": {"name": "eth9"}}]})
r, doc = plan(two, shadow)
warns = doc["warnings"] if doc else []
check(any("interfaces[1] (name eth1): every NIC it matches follows an earlier rule "
          "(eth1: interfaces[0])" == w for w in warns),
      "a shadowed rule's warning names the NIC and the rule: %s" % warns)
check("interfaces[2] (name eth9) matches no NIC of this host" in warns,
      "a rule matching no NIC still says so")

# more process rules than discovery took selectors: the last one still matches
tree = os.path.join(work, "16intel64")
subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "mkfixture.py"),
                "--topology-dir", os.path.join(src, "..", "shared", "fixtures", "topology"),
                os.path.join(src, "tests", "fixtures", "specs", "16intel64.json"), tree],
               check=True, stdout=subprocess.DEVNULL)
procs = [{"match": {"comm": "absent%d" % i}, "placement": {"cpus": "1"}} for i in range(130)]
procs.append({"match": {"comm": "redis-server"}, "placement": {"cpus": "2"}, "required": True})
many = write("many.json", {"name": "many", "processes": procs})
r = subprocess.run([tuner, "--sysroot", tree, "--topology",
                    os.path.join(src, "..", "shared", "fixtures", "topology",
                                 "16intel64-manyVFs.xml"), "-q", "plan", "--json", "-p", many],
                   capture_output=True, text=True, timeout=120)
doc = json.loads(r.stdout) if r.returncode == 2 else None
check(doc is not None and [(c["label"], c["after"]) for c in changes(doc, "process_affinity")]
      == [("redis-server", "2")],
      "131 process rules: the last one (redis-server, required) is planned (exit %d: %s)"
      % (r.returncode, r.stderr.strip()))

# diagnose --emit-profile: samples of the tree with loss on CPU 0's backlog
for f, dst in (("netstat-6.1.txt", "netstat"), ("snmp-6.1.txt", "snmp"),
               ("snmp6-6.1.txt", "snmp6")):
    shutil.copy(os.path.join(src, "tests", "diagnose", "data", f),
                os.path.join(tree, "proc", "net", dst))
    os.chmod(os.path.join(tree, "proc", "net", dst), 0o644)


def sample(name):
    r = subprocess.run([tuner, "--sysroot", tree, "-q", "show", "--counters"],
                       capture_output=True, text=True, timeout=120)
    return write(name, json.loads(r.stdout)) if r.returncode == 0 else None


s1 = sample("c1.json")
softnet = os.path.join(tree, "proc", "net", "softnet_stat")
rows = open(softnet).read().split("\n")
f0 = rows[0].split()
f0[1] = "%08x" % (int(f0[1], 16) + 500)
rows[0] = " ".join(f0)
open(softnet, "w").write("\n".join(rows))
s2 = sample("c2.json")
for d in ("here", "elsewhere"):
    os.makedirs(os.path.join(work, d), exist_ok=True)
    os.chmod(os.path.join(work, d), 0o755)
parent = os.path.join(work, "here", "mine.json")
with open(parent, "w") as f:
    json.dump({"name": "mine", "sysctl": {"net.core.netdev_budget": {"min": 900}}}, f)
os.chmod(parent, 0o644)
emitted = os.path.join(work, "elsewhere", "emitted.json")
r = subprocess.run([tuner, "diagnose", "--from", s1, "--to", s2, "-p", "./mine.json",
                    "--emit-profile", emitted], capture_output=True, text=True, timeout=60,
                   cwd=os.path.join(work, "here"))
check(r.returncode == 2 and os.path.exists(emitted),
      "diagnose finds the backlog loss and writes the profile (exit %d: %s)"
      % (r.returncode, r.stderr.strip()))
r = subprocess.run([tuner, "profile", "show", emitted], capture_output=True, text=True,
                   timeout=60)
merged = json.loads(r.stdout) if r.returncode == 0 else {}
check(merged.get("sysctl", {}).get("net.core.netdev_budget") == {"min": 900},
      "the emitted profile, in another directory, loads over ./mine.json (exit %d: %s)"
      % (r.returncode, r.stderr.strip()))

if failures:
    sys.exit("%d check(s) failed" % len(failures))
print("all checks passed")
