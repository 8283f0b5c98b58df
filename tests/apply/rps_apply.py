#!/usr/bin/env python3
"""Issue 15 part A on the 24em64t tree: a profile with rps (a CPU list and flow
entries), xps "irq" and flow_limit on eth1. Plan lists the three queue kinds
and the three sysctls; apply writes the masks in the layout the kernel printed
them; verify is clean after it and sees a mask changed behind its back;
rollback restores the tree byte for byte (and a second one changes nothing).
Then a fault (TUNER_FAULT=K:WHAT) at each change of the new kinds and of the
sysctls they bring: EINVAL undoes the apply itself, exit and exit-after leave
a journal from which rollback --last restores the tree byte for byte; EIO,
which skips a kernel-managed IRQ, is a failure like EINVAL for these kinds.

  rps_apply.py TUNER SRCDIR WORKDIR
"""
import json, os
from tnlib import check, finish, Setup
import tnlib

fx = Setup()
tuner, tree, state, g, fresh = fx.tuner, fx.tree, fx.state, fx.g, fx.fresh
profile = os.path.join(fx.work, "rps.json")
with open(profile, "w") as f:
    json.dump({"name": "rps-test", "irqbalance": "ignore",
               "interfaces": [{"match": {"name": "eth1"}, "irq": {},
                               "rps": {"cpus": "1-3", "flow_entries": 4096},
                               "xps": {"cpus": "irq"}}],
               "flow_limit": {"cpus": "irq", "table_len": 8192}}, f)
os.chmod(profile, 0o600)
NEW = ("rps_cpus", "rps_flow_cnt", "xps_cpus")
SYSCTLS = ("net.core.rps_sock_flow_entries", "net.core.flow_limit_cpu_bitmap",
           "net.core.flow_limit_table_len")


def run(args, fault=None):
    env = dict(os.environ)
    env.pop("TUNER_FAULT", None)
    if fault:
        env["TUNER_FAULT"] = fault
    return tnlib.run(tuner, args + g, env=env)


def apply(fault=None):
    return run(["apply", "-q", "--profile", profile, "--state-dir", state], fault)


def rollback():
    return run(["rollback", "-q", "--last", "--state-dir", state])


def read(rel):
    with open(os.path.join(tree, rel)) as fh:
        return fh.read()


def journal_changes():
    (name,) = [f for f in os.listdir(state) if f.endswith(".journal")]
    lines = [json.loads(l) for l in open(os.path.join(state, name))]
    return [l for l in lines if "kind" in l and "seq" in l and "before" in l]


fresh()
r = run(["plan", "--json", "--profile", profile])
check(r.returncode == 2, f"plan exit {r.returncode} (2: changes pending): {r.stderr.strip()[-300:]}")
plan = json.loads(r.stdout)["changes"] if r.returncode == 2 else []
kinds = [c["kind"] for c in plan]
for k in NEW:
    check(kinds.count(k) == 8, f"plan: 8 {k} changes (eth1's 8 queues): {kinds.count(k)}")
targets = {c["target"] for c in plan if c["kind"] == "sysctl"}
check(targets == set(SYSCTLS), f"plan: the sysctls {sorted(targets)}")
irq_cpu = {}  # queue -> the CPU the plan gives its IRQs
for c in plan:
    if c["kind"] == "irq_affinity" and c.get("label", "").startswith("eth1-TxRx-"):
        irq_cpu[int(c["label"].rsplit("-", 1)[1])] = int(c["after"])
check(len(irq_cpu) == 8, f"plan places eth1's 8 queue IRQs: {irq_cpu}")

r = apply()
if not check(r.returncode == 0, f"apply exit {r.returncode}: {r.stderr.strip()[-300:]}"):
    finish()
q = "sys/class/net/eth1/queues"
check(all(read(f"{q}/rx-{i}/rps_cpus") == "00000e\n" for i in range(8)),
      "rx-N/rps_cpus are 00000e (CPUs 1-3) in the layout the kernel printed (24 CPUs)")
check(all(read(f"{q}/rx-{i}/rps_flow_cnt") == "512\n" for i in range(8)),
      "rx-N/rps_flow_cnt are 4096 / 8 queues")
want = {i: "%06x\n" % (1 << irq_cpu.get(i, 0)) for i in range(8)}
got = {i: read(f"{q}/tx-{i}/xps_cpus") for i in range(8)}
check(got == want, f"tx-N/xps_cpus are queue N's IRQ CPU: {got}")
check(read("proc/sys/net/core/rps_sock_flow_entries") == "4096\n", "rps_sock_flow_entries 4096")
check(read("proc/sys/net/core/flow_limit_table_len") == "8192\n", "flow_limit_table_len 8192")
bitmap = 0
for cpu in irq_cpu.values():
    bitmap |= 1 << cpu
check(read("proc/sys/net/core/flow_limit_cpu_bitmap") == "%06x\n" % bitmap,
      "flow_limit_cpu_bitmap: the IRQ CPUs")
r = run(["verify", "--profile", profile])
check(r.returncode == 0, f"verify after apply exit {r.returncode}: {r.stdout.strip()[-300:]}")
# a mask changed behind tuner's back; the same CPUs in another case is no drift
with open(os.path.join(tree, f"{q}/rx-5/rps_cpus"), "w") as fh:
    fh.write("00000E\n")
r = run(["verify", "--profile", profile])
check(r.returncode == 0, f"verify: 00000E is the same CPUs as 00000e: exit {r.returncode}")
with open(os.path.join(tree, f"{q}/tx-2/xps_cpus"), "w") as fh:
    fh.write("000001\n")
r = run(["verify", "--profile", profile])
check(r.returncode != 0 and "eth1 tx-2 xps_cpus" in r.stdout + r.stderr,
      f"verify sees tx-2's xps_cpus changed: exit {r.returncode}: {r.stdout.strip()[-200:]}")
with open(os.path.join(tree, f"{q}/tx-2/xps_cpus"), "w") as fh:
    fh.write(want[2])
r = rollback()
check(r.returncode == 0 and fx.changes() == {},
      f"rollback restores the tree byte for byte: exit {r.returncode}, "
      f"{sorted(fx.changes())[:4]}")
r = rollback()
check(r.returncode == 0 and fx.changes() == {}, "a second rollback changes nothing")

# faults at each change of the new kinds and their sysctls
fresh()
r = apply()
changes = journal_changes()
picked = [k for k, c in enumerate(changes)
          if c["kind"] in NEW or (c["kind"] == "sysctl" and c["target"] in SYSCTLS)]
check(len(picked) == 27, f"27 journaled changes of the new kinds and sysctls: {len(picked)}")
for what in ("EINVAL", "EIO", "exit", "exit-after"):
    bad = []
    for k in picked:
        fresh()
        r = apply(f"{k}:{what}")
        tag = f"{what} at change {k} ({changes[k]['kind']} {changes[k]['target']})"
        if what in ("EINVAL", "EIO"):  # EIO is skipped only for a managed IRQ
            if r.returncode != 1 or fx.changes() != {}:
                bad.append(f"{tag}: exit {r.returncode}, tree "
                           f"{'restored' if fx.changes() == {} else 'NOT restored'}")
            continue
        if r.returncode != 99:
            bad.append(f"{tag}: exit {r.returncode}, want the injected 99")
            continue
        rb = rollback()
        if rb.returncode != 0 or fx.changes() != {}:
            bad.append(f"{tag}: rollback --last exit {rb.returncode}: "
                       f"{sorted(fx.changes())[:3]} {rb.stderr.strip()[-200:]}")
    check(not bad, f"{what} at each of the {len(picked)} changes: "
          + ("handled" if not bad else f"{len(bad)} wrong:\n  " + "\n  ".join(bad)))
finish()
