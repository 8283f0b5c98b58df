#!/usr/bin/env python3
"""tuner watch when a NIC goes away for good, in a private network namespace
(unshare -n; the host's links and settings are not touched) where veths are
named like the tree's NICs, on the 24em64t tree with its topology changed so
that eth2 is on node 1 (and eth0, eth1 on node 0):

- a profile placing redis-server "local" (the nodes of its NICs' IRQs, minus
  the IRQ CPUs): the first apply puts it on both nodes
- eth2 deleted (the veth, and its sysfs entry in the tree): the watch
  discovers the host again ("watching 2 NICs" in its STATUS; it said 3)
- a new redis-server then started is placed for the NICs that are left, as a
  fresh plan places it (it was placed for eth2, which is gone)
- with a profile naming eth0 and eth1, eth1 renamed lan1 (its index kept):
  the watch discovers the host again ("watching 1 NIC"; it kept eth1)

  nic_gone.py TUNER SRCDIR WORKDIR
"""
import json, os, re, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib
from tnlib import check, finish
from watchlib import Notify, copy_process, into_namespaces, read_text, wait_for, stop as stop_watch

into_namespaces("-n")

fx = tnlib.Setup()
tuner, tree, state, work = fx.tuner, fx.tree, fx.state, fx.work
# the topology with eth2's PCI bridge (0000:00:05.0) moved under node 1's host bridge
with open(fx.topo) as f:
    lines = f.read().split("\n")
start = next(i for i, l in enumerate(lines) if 'bridge_pci="0000:[05-05]"' in l)
depth, end = 0, start
for end in range(start, len(lines)):
    depth += lines[end].count("<object") - lines[end].count("</object>")
    depth -= lines[end].rstrip().endswith("/>") and "<object" in lines[end]
    if depth == 0:
        break
block, lines = lines[start:end + 1], lines[:start] + lines[end + 1:]
host1 = next(i for i, l in enumerate(lines) if 'bridge_pci="0000:[10-1f]"' in l)
lines = lines[:host1 + 1] + block + lines[host1 + 1:]
topo = os.path.join(work, "topology.xml")
with open(topo, "w") as f:
    f.write("\n".join(lines))
g = ["--sysroot", tree, "--topology", topo]
profile = os.path.join(work, "profile.json")
with open(profile, "w") as f:
    json.dump({"name": "local", "interfaces": [{"match": "all", "irq": {"cpus": "local",
                                                                       "count": 2}}],
               "processes": [{"match": {"comm": "redis-server"}, "placement": "local"}]}, f)
errpath = os.path.join(work, "gone.err")


def log():
    return read_text(errpath)


def affinity(pid):
    with open(os.path.join(tree, f"proc/{pid}/task/{pid}/status")) as f:
        return re.search(r"(?m)^Cpus_allowed_list:\s*(\S+)", f.read()).group(1)


# the veths get the tree's NICs' indexes: a rename is told by its index
for nic in ("eth0", "eth1", "eth2"):
    with open(os.path.join(tree, "sys/class/net", nic, "ifindex")) as f:
        index = f.read().strip()
    subprocess.run(["ip", "link", "add", nic, "index", index, "type", "veth", "peer", "name",
                    "p" + nic, "index", str(100 + int(index))], check=True)
notify = Notify(os.path.join(work, "notify"))
notes = notify.notes


def start_watch(profile):
    return subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state] + g,
                            stderr=open(errpath, "w"), stdout=subprocess.DEVNULL,
                            env=dict(os.environ, NOTIFY_SOCKET=notify.path))


w = start_watch(profile)
try:
    check(wait_for(lambda: "watching 3 NICs, 1 process" in log(), 10), "the watch starts")
    both = affinity(1187)
    # eth2 gone for good: its link, and its entry in the tree's sysfs
    os.unlink(os.path.join(tree, "sys/class/net/eth2"))
    subprocess.run(["ip", "link", "del", "eth2"], check=True)
    check(wait_for(lambda: any("STATUS=watching 2 NICs" in n for n in notes), 3),
          f"eth2 deleted: STATUS says 'watching 2 NICs': {notes[-1:]}")
    # where a fresh discovery places a redis-server now: for the NICs left
    # (1187 stays where the first apply put it: nothing re-places a running
    # process for a NIC gone)
    r = tnlib.run(tuner, ["plan", "--json", "--profile", profile] + g)
    want = [c["after"] for c in json.loads(r.stdout)["changes"]
            if c["kind"] == "process_affinity" and c["target"].startswith("1187@")]
    check(want and want[0] != both, f"without eth2, a redis-server goes elsewhere: {want}")
    # a new redis-server (a copy of 1187 as 4321, on every CPU), found by the rescan
    copy_process(tree, 1187, 4321)
    check(wait_for(lambda: affinity(4321) != "0-23", 8), "the new redis-server is placed")
    check(want and affinity(4321) == want[0],
          f"placed for the NICs left: {affinity(4321)}, as planned now: {want} "
          f"(with eth2: {both})")
finally:
    rc = stop_watch(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")

# a NIC renamed out of a profile that names its NICs: gone under its old name
with open(profile, "w") as f:
    json.dump({"name": "named", "interfaces": [
        {"match": {"name": nic}, "irq": {"cpus": "local", "count": 2}} for nic in ("eth0", "eth1")]},
        f)
notes.clear()
w = start_watch(profile)
try:
    check(wait_for(lambda: "watching 2 NICs" in log(), 10), "a watch of eth0 and eth1 starts")
    # the tree first: the event's new name must have a device there
    net = os.path.join(tree, "sys/class/net")
    dev = os.path.realpath(os.path.join(net, "eth1"))
    os.rename(dev, os.path.join(os.path.dirname(dev), "lan1"))
    os.symlink(os.path.relpath(os.path.join(os.path.dirname(dev), "lan1"), net),
               os.path.join(net, "lan1"))
    os.unlink(os.path.join(net, "eth1"))
    subprocess.run(["ip", "link", "set", "eth1", "name", "lan1"], check=True)
    check(wait_for(lambda: any("STATUS=watching 1 NIC," in n for n in notes), 3),
          f"eth1 renamed lan1: STATUS says 'watching 1 NIC': {notes[-1:]}")
finally:
    notify.close()
    rc = stop_watch(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
