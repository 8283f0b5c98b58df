#!/usr/bin/env python3
"""Counts above 2^53 printed exactly: `diagnose --json` gave each finding's
count as a cJSON double, so a loss of 2^64-5 packets read 18446744073709551616
(and 2^53+1, 9007199254740992): inexact, and above what a counter holds. Now
every count is a JSON number with its exact digits (as a sample writes
counters above 2^53 as strings of digits, `show --counters --json` is exact
already: checked too). The tree's counters go from small values to near 2^64
between two samples.

  exact.py TUNER SOURCE_DIR WORK_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys

tuner, src, work = sys.argv[1:4]
data = os.path.join(src, "tests", "diagnose", "data")
topo = os.path.join(src, "..", "shared", "fixtures", "topology")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args, ok=(0,)):
    r = subprocess.run([tuner] + list(args), capture_output=True, text=True, timeout=120)
    if r.returncode not in ok:
        sys.exit("tuner %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
tree = os.path.join(work, "tree")
subprocess.run([sys.executable, os.path.join(src, "tests", "fixtures", "mkfixture.py"),
                "--topology-dir", topo, os.path.join(src, "tests", "fixtures", "specs",
                                                     "16intel64.json"), tree],
               check=True, stdout=subprocess.DEVNULL)
for f, dst in (("netstat-6.1.txt", "netstat"), ("snmp-6.1.txt", "snmp"),
               ("snmp6-6.1.txt", "snmp6")):
    shutil.copy(os.path.join(data, f), os.path.join(tree, "proc", "net", dst))
    os.chmod(os.path.join(tree, "proc", "net", dst), 0o644)


def set_stat(ifname, name, value):
    d = os.path.join(tree, "sys", "class", "net", ifname, "statistics")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write("%d\n" % value)


def set_snmp(path, group, name, value):
    p = os.path.join(tree, "proc", "net", path)
    lines = open(p).read().split("\n")
    for i in range(0, len(lines) - 1, 2):
        h, v = lines[i].split(), lines[i + 1].split()
        if h and h[0] == group + ":" and name in h:
            v[h.index(name)] = str(value)
            lines[i + 1] = " ".join(v)
    open(p, "w").write("\n".join(lines))


for nic in ("eth0", "eth1", "eth4"):
    for s in ("rx_missed_errors", "rx_fifo_errors", "rx_over_errors", "rx_dropped",
              "rx_packets"):
        set_stat(nic, s, 1000 if s == "rx_packets" else 0)
U64 = 2 ** 64 - 1
MISSED = (3, U64 - 2)               # eth0: 2^64-5 frames missed
PRUNED = (0, 2 ** 53 + 1)           # TcpExt RcvPruned: the first integer a double lacks
RCVBUF = (5, 2 ** 60 + 12)          # Udp RcvbufErrors: 2^60+7
EXACT = {"eth1": 2 ** 53 - 1,       # below 2^53, a number in a sample (was 9.00719925474099e+15)
         "eth4": 10 ** 15}          # (was 1e+15: a float to most readers)
g = ["--sysroot", tree]
samples = []
for k in (0, 1):
    set_stat("eth0", "rx_missed_errors", MISSED[k])
    set_snmp("netstat", "TcpExt", "RcvPruned", PRUNED[k])
    set_snmp("snmp", "Udp", "RcvbufErrors", RCVBUF[k])
    for nic, v in EXACT.items():
        set_stat(nic, "rx_missed_errors", v if k else 0)
    p = os.path.join(work, "s%d.json" % k)
    text = run("show", "--counters", "--json", *g).stdout
    open(p, "w").write(text)
    samples.append(p)
s = json.loads(text)
eth0 = [n for n in s["nics"] if n["name"] == "eth0"][0]
check(eth0["stats"]["link"]["rx_missed_errors"] == str(MISSED[1]) and
      s["netstat"]["TcpExt"]["RcvPruned"] == str(PRUNED[1]) and
      s["netstat"]["Udp"]["RcvbufErrors"] == str(RCVBUF[1]),
      "show --counters --json: counters above 2^53 as their exact digits (strings)")
for nic, v in EXACT.items():
    check(re.search(r'"rx_missed_errors":\s*%d,' % v, text) is not None and
          [n for n in s["nics"] if n["name"] == nic][0]["stats"]["link"]["rx_missed_errors"]
          == v, "show --counters --json: %s's %d a JSON integer, digit for digit" % (nic, v))

r = run("diagnose", "--from", samples[0], "--to", samples[1], "--json", ok=(2,))
dg = json.loads(r.stdout)           # Python's json keeps integers whole
stages = {f["stage"] + ":" + f["where"]: f for f in dg["findings"]}
want = {"nic_ring:eth0": MISSED[1] - MISSED[0], "tcp_rcvbuf:": PRUNED[1] - PRUNED[0],
        "udp_rcvbuf:": RCVBUF[1] - RCVBUF[0], "nic_ring:eth1": EXACT["eth1"],
        "nic_ring:eth4": EXACT["eth4"]}
got = {st: stages.get(st, {}).get("count") for st in want}
check(got == want and all(type(v) is int for v in got.values()),
      "diagnose --json: each count a JSON integer, exact: %s, want %s" % (got, want))
for st, n in want.items():
    stage, where = st.split(":")
    check(re.search(r'"stage":\s*"%s",\s*"where":\s*"%s",(?:[^{}]|\{[^{}]*\})*?"count":\s*%d,'
                    % (stage, where, n), r.stdout) is not None,
          "diagnose --json: %s's count printed as %d, digit for digit" % (st, n))
r = run("diagnose", "--from", samples[0], "--to", samples[1], ok=(2,))
check(all("(%d in " % n in r.stdout for n in want.values()),
      "the report says the same counts: %s" % r.stdout.strip()[:400])
print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
