#!/usr/bin/env python3
"""Read-only live test: `tuner show --json` on this machine finds each NIC's IRQs
as /proc/interrupts lists them. Checked independently of tuner's code:
the NIC's PCI function's msi_irqs (virtio: the parent of its virtio device),
named in /proc/interrupts. Exit 77 (skip, with the reason) without any NIC.

  check_live.py TUNER
"""
import json, os, re, subprocess, sys

tuner = sys.argv[1]
res = subprocess.run([tuner, "show", "--json"], capture_output=True, text=True)
if res.returncode != 0:
    print(f"tuner show failed ({res.returncode}): {res.stderr}", file=sys.stderr)
    sys.exit(1)
show = json.loads(res.stdout)

names = {}
with open("/proc/interrupts") as f:
    ncpu = len(f.readline().split())
    for line in f:
        head, _, rest = line.partition(":")
        if head.strip().isdigit():
            names[int(head)] = " ".join(rest.split()[ncpu + 2:])

nics = [n for n in sorted(os.listdir("/sys/class/net"))
        if os.path.exists(f"/sys/class/net/{n}/device")]
if not nics:
    print("SKIP: this machine has no NIC with a device (nothing to compare)")
    sys.exit(77)
errors = []
by_name = {n["name"]: n for n in show["nics"]}
for nic in nics:
    dev = os.path.realpath(f"/sys/class/net/{nic}/device")
    pci = dev if os.path.exists(f"{dev}/msi_irqs") else os.path.dirname(dev)
    busdev = os.path.basename(dev)
    vectors = sorted(int(v) for v in os.listdir(f"{pci}/msi_irqs")) if os.path.exists(
        f"{pci}/msi_irqs") else []
    # the vectors that carry this NIC's queues, by the names drivers give them
    queue_re = re.compile(
        rf"^({re.escape(busdev)}-(input|output)\.\d+|{re.escape(nic)}-(TxRx|rx|tx)-\d+|"
        rf"(i40e|ice)-{re.escape(nic)}-TxRx-\d+|mlx5_comp\d+@pci:{re.escape(os.path.basename(pci))})$")
    want = {v for v in vectors if queue_re.match(names.get(v, ""))}
    got = by_name.get(nic)
    if got is None:
        errors.append(f"{nic}: not in tuner show")
        continue
    have = {q["irq"] for q in got["irqs"] if q["kind"] != "other"}
    if want != have:
        errors.append(f"{nic}: queue IRQs {sorted(have)}, /proc/interrupts says {sorted(want)}")
    for q in got["irqs"]:
        if names.get(q["irq"]) != q["name"]:
            errors.append(f"{nic}: irq {q['irq']} named {q['name']!r}, "
                          f"/proc/interrupts says {names.get(q['irq'])!r}")
        aff = open(f"/proc/irq/{q['irq']}/smp_affinity_list").read().strip()
        if q["affinity"] != aff:
            errors.append(f"{nic}: irq {q['irq']} affinity {q['affinity']} != {aff}")
    print(f"{nic}: driver {got['driver']}, queue IRQs {sorted(have)}, "
          f"node {got['numa_node']} ({got['numa_source']})")
if "eth0" in nics and by_name.get("eth0", {}).get("driver") == "virtio_net":
    kinds = sorted(q["kind"] for q in by_name["eth0"]["irqs"])
    if "rx" not in kinds or "tx" not in kinds:
        errors.append(f"eth0 (virtio-net): no rx/tx queue IRQs found: {kinds}")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
