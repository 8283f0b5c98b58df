#!/usr/bin/env python3
"""d_mkhost4096.py OUTDIR: a 4096-CPU host whose two NUMA nodes are numbered
alternately (node 0 = CPUs 0,2,4,..., node 1 = 1,3,5,...), as a sysroot tree
(mkfixture.py --synthetic) and an hwloc XML (OUTDIR.xml) describing it. Every
CPU list of that host that names one node is "0,2,4,...,4094": 9,700
characters. In the tree: eth0's queue IRQs on node 1's CPUs, redis-server's
threads on node 0's, a sysctl of 4,000 characters."""
import os, shutil, subprocess, sys

NCPU = 4096
here = os.path.dirname(os.path.abspath(__file__))


def words(cpus):
    w = [0] * (NCPU // 32)
    for c in cpus:
        w[c // 32] |= 1 << (c % 32)
    return w


def mask(cpus):
    """hwloc's bitmap text as lstopo writes it: 32-bit groups, most
    significant first, from the highest non-zero one; zero groups empty but
    the last, "0x0"."""
    w = words(cpus)
    top = max(i for i, x in enumerate(w) if x)
    return ",".join("0x%08x" % x if x else ("0x0" if i == 0 else "")
                    for i, x in reversed(list(enumerate(w[:top + 1]))))


def kmask(cpus):
    """The kernel's (Cpus_allowed): every group, without 0x."""
    return ",".join("%08x" % x for x in reversed(words(cpus)))


def alternate(first):
    return list(range(first, NCPU, 2))


def xml():
    gp = [0]

    def g():
        gp[0] += 1
        return gp[0]
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE topology SYSTEM "hwloc2.dtd">',
           '<topology version="2.0">']
    every = mask(range(NCPU))
    out.append('<object type="Machine" os_index="0" cpuset="%s" complete_cpuset="%s" '
               'allowed_cpuset="%s" nodeset="0x00000003" complete_nodeset="0x00000003" '
               'allowed_nodeset="0x00000003" gp_index="%d">' % (every, every, every, g()))
    for node in (0, 1):
        cpus = alternate(node)
        ns = "0x%08x" % (1 << node)
        out.append('<object type="Package" os_index="%d" cpuset="%s" complete_cpuset="%s" '
                   'nodeset="%s" complete_nodeset="%s" gp_index="%d">' % (
                       node, mask(cpus), mask(cpus), ns, ns, g()))
        out.append('<object type="NUMANode" os_index="%d" cpuset="%s" complete_cpuset="%s" '
                   'nodeset="%s" complete_nodeset="%s" gp_index="%d" local_memory="68719476736"/>'
                   % (node, mask(cpus), mask(cpus), ns, ns, g()))
        for k, cpu in enumerate(cpus):
            one = mask([cpu])
            out.append('<object type="Core" os_index="%d" cpuset="%s" complete_cpuset="%s" '
                       'nodeset="%s" complete_nodeset="%s" gp_index="%d">' % (
                           k, one, one, ns, ns, g()))
            out.append('<object type="PU" os_index="%d" cpuset="%s" complete_cpuset="%s" '
                       'nodeset="%s" complete_nodeset="%s" gp_index="%d"/>' % (
                           cpu, one, one, ns, ns, g()))
            out.append('</object>')
        out.append('</object>')
    out.append('</object>')
    out.append('</topology>')
    return "\n".join(out) + "\n"


def fmt(cpus):
    return ",".join(str(c) for c in cpus)


def main():
    out = sys.argv[1]
    subprocess.run([sys.executable, os.path.join(here, "..", "fixtures", "mkfixture.py"),
                    "--synthetic", out, "--cpus", str(NCPU), "--nodes", "2", "--nics", "1",
                    "--queues", "4"], check=True, stdout=subprocess.DEVNULL)
    with open(out + ".xml", "w") as f:
        f.write(xml())
    # the XML is the topology: the 4096 cpuN/topology directories (20,000
    # files) are not read, only cpu/online and the like
    cpu = os.path.join(out, "sys/devices/system/cpu")
    for name in os.listdir(cpu):
        if name.startswith("cpu") and name[3:].isdigit():
            shutil.rmtree(os.path.join(cpu, name))
    even, odd = alternate(0), alternate(1)
    for irq in (40, 41, 42, 43):          # eth0-TxRx-0..3
        with open(os.path.join(out, "proc/irq/%d/smp_affinity_list" % irq), "w") as f:
            f.write(fmt(odd) + "\n")
        with open(os.path.join(out, "proc/irq/%d/smp_affinity" % irq), "w") as f:
            f.write(kmask(odd) + "\n")
    # redis-server (pid 1187) and its threads: Cpus_allowed(_list) of node 0
    for rel in ["proc/1187/status"] + ["proc/1187/task/%d/status" % t
                                       for t in (1187, 1190, 1191, 1192)]:
        p = os.path.join(out, rel)
        lines = open(p).read().splitlines(True)
        for i, l in enumerate(lines):
            if l.startswith("Cpus_allowed:"):
                lines[i] = "Cpus_allowed:\t%s\n" % kmask(even)
            elif l.startswith("Cpus_allowed_list:"):
                lines[i] = "Cpus_allowed_list:\t%s\n" % fmt(even)
        with open(p, "w") as f:
            f.write("".join(lines))
    # a sysctl whose value is longer than the 255 characters a snapshot kept
    p = os.path.join(out, "proc/sys/net/ipv4/ip_local_reserved_ports")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(fmt(range(10001, 12401, 2)) + "\n")


if __name__ == "__main__":
    main()
