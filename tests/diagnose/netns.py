#!/usr/bin/env python3
"""diagnose --netns NAME|PID on a network namespace this test creates.

  netns.py TUNER WORK_DIR

Creates 'tn-test-PID' with 'ip netns add', sets net.ipv4.tcp_rmem and
net.core.somaxconn inside it only ('ip netns exec'), makes UDP drop there
(a socket with a tiny receive buffer that never reads) and checks that
'show --counters --netns' and 'diagnose --netns' report that namespace's
values and counters, not the host's, and that the emitted profile says which
knobs are per namespace. The host's sysctls are read before and after and must
not change. The namespace and the files made in /run/netns are removed on
every exit path. Exit 77 (skipped, with the reason) only when a namespace
cannot be created here."""
import json
import os
import signal
import subprocess
import sys
import time

tuner, work = sys.argv[1:3]
NS = "tn-test-%d" % os.getpid()
EXTRA = ["/run/netns/%s-%s" % (NS, s) for s in ("link", "plain", "ww")]
failures = []
procs = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, ok=(0,)):
    r = subprocess.run([tuner] + args, capture_output=True, text=True, timeout=120)
    if r.returncode not in ok:
        print("tuner %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        failures.append("tuner " + " ".join(args))
    return r


def load(path):
    with open(path) as f:
        text = f.read()
    if not text:
        sys.exit("FAIL %s: empty (tuner failed)" % path)
    return json.loads(text)


def nsexec(*args, **kw):
    return subprocess.run(["ip", "netns", "exec", NS] + list(args), check=True,
                          capture_output=True, text=True, timeout=60, **kw)


def cleanup(*_):
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for f in EXTRA:
        if os.path.lexists(f):
            os.unlink(f)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)


def host_sysctls():
    out = {}
    for name in ("net/ipv4/tcp_rmem", "net/core/somaxconn", "net/core/rmem_max",
                 "net/core/rmem_default"):
        with open("/proc/sys/" + name) as f:
            out[name] = f.read()
    return out


def ns_snmp_udp():
    lines = nsexec("cat", "/proc/net/snmp").stdout.splitlines()
    udp = [l.split()[1:] for l in lines if l.startswith("Udp:")]
    return dict(zip(udp[0], map(int, udp[1])))


# Sends UDP datagrams to a socket with the smallest receive buffer that never
# reads, inside the namespace, for SECS seconds: every datagram past the first
# few is a Udp RcvbufErrors (and InErrors) there.
FLOOD = r"""
import socket, sys, time
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    for _ in range(200):
        s.sendto(b"x" * 1000, r.getsockname())
    time.sleep(0.01)
"""

if os.geteuid() != 0:
    print("skipped: creating a network namespace takes root")
    sys.exit(77)
r = subprocess.run(["ip", "netns", "add", NS], capture_output=True, text=True)
if r.returncode != 0:
    print("skipped: 'ip netns add' failed here: " + r.stderr.strip())
    sys.exit(77)
signal.signal(signal.SIGTERM, lambda *_: (cleanup(), sys.exit(1)))
try:
    os.makedirs(work, exist_ok=True)
    before = host_sysctls()
    host_rmem = before["net/ipv4/tcp_rmem"].split()
    mine = "4096 87381 %d" % (int(host_rmem[2]) + 12345)
    somax = int(before["net/core/somaxconn"]) + 7
    nsexec("ip", "link", "set", "lo", "up")
    nsexec("sysctl", "-qw", "net.ipv4.tcp_rmem=" + mine)
    nsexec("sysctl", "-qw", "net.core.somaxconn=%d" % somax)

    # One sample: the namespace's sysctls and counters, named as its own.
    a = os.path.join(work, "a.json")
    with open(a, "w") as f:
        f.write(run(["show", "--counters", "--netns", NS, "--json"]).stdout)
    sa = load(a)
    sc = sa["state"]["sysctls"]
    check(sa["netns"] == NS, "the sample names its namespace (%r)" % sa["netns"])
    check(sc["net.ipv4.tcp_rmem"] == mine,
          "tcp_rmem is the namespace's %r (%r), not the host's %r"
          % (mine, sc["net.ipv4.tcp_rmem"], before["net/ipv4/tcp_rmem"].strip()))
    check(sc["net.core.somaxconn"] == str(somax), "somaxconn is the namespace's %d" % somax)
    check({"net.ipv4.tcp_rmem", "net.core.somaxconn"} <= set(sa["netns_sysctls"]),
          "tcp_rmem and somaxconn are listed as per-namespace: %s" % sa["netns_sysctls"])
    check("net.core.netdev_max_backlog" not in sa["netns_sysctls"],
          "netdev_max_backlog (host-wide) is not listed as per-namespace")

    # Loss inside the namespace; the second sample has exactly its counters.
    nsexec(sys.executable, "-c", FLOOD, "0.5")
    b = os.path.join(work, "b.json")
    with open(b, "w") as f:
        f.write(run(["show", "--counters", "--netns", NS, "--json"]).stdout)
    udp = ns_snmp_udp()
    sb = load(b)
    got = sb["netstat"].get("Udp", {})
    check(udp["RcvbufErrors"] > 0, "the flood made %d Udp RcvbufErrors in the namespace"
          % udp["RcvbufErrors"])
    check(got.get("RcvbufErrors") == udp["RcvbufErrors"] and
          got.get("InErrors") == udp["InErrors"],
          "the sample's Udp RcvbufErrors/InErrors (%s/%s) are the namespace's (%d/%d)"
          % (got.get("RcvbufErrors"), got.get("InErrors"), udp["RcvbufErrors"],
             udp["InErrors"]))

    r = run(["diagnose", "--from", a, "--to", b, "--json"], ok=(2,))
    dg = json.loads(r.stdout or "{}")
    udpf = [f for f in dg.get("findings", []) if f["stage"] == "udp_rcvbuf"]
    check(dg.get("netns") == NS and len(udpf) == 1, "diagnose --from/--to: a udp_rcvbuf finding "
          "in netns %s" % dg.get("netns"))
    pern = {k["target"]: k["per_namespace"] for f in udpf for k in f["knobs"]}
    check(pern and all(pern[t] == (t in sb["netns_sysctls"]) for t in pern),
          "each knob says whether it is per namespace: %s" % pern)

    # Live: diagnose --netns NAME while the namespace drops.
    fl = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, "-c", FLOOD, "6"])
    procs.append(fl)
    prof = os.path.join(work, "emit.json")
    r = run(["diagnose", "--netns", NS, "--interval", "2", "--json", "--emit-profile", prof,
             "-q"], ok=(2,))
    fl.wait()
    dg = json.loads(r.stdout or "{}")
    stages = [f["stage"] for f in dg.get("findings", [])]
    check("udp_rcvbuf" in stages, "diagnose --netns NAME finds udp_rcvbuf: %s" % stages)
    with open(prof) as f:
        ep = json.load(f)
    desc = ep.get("description", "")
    perns = [t for t in ep.get("sysctl", {}) if t in sb["netns_sysctls"]]
    check(perns and "Per network namespace" in desc and all(t in desc for t in perns) and NS in desc,
          "the emitted profile's description names the per-namespace knobs %s: %r"
          % (perns, desc))
    run(["profile", "validate", prof])

    # Human output marks them too.
    fl = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, "-c", FLOOD, "4"])
    procs.append(fl)
    r = run(["diagnose", "--netns", NS, "--interval", "1", "-q"], ok=(2,))
    fl.wait()
    check("(in netns %s)" % NS in r.stdout, "the human report marks per-namespace knobs")

    # --netns PID: a process in the namespace gives the same namespace.
    sl = subprocess.Popen(["ip", "netns", "exec", NS, "sleep", "30"])
    procs.append(sl)
    for _ in range(100):
        try:
            if os.readlink("/proc/%d/ns/net" % sl.pid) == \
                    os.readlink("/proc/%d/ns/net" % os.getpid()):
                time.sleep(0.05)
                continue
        except OSError:
            time.sleep(0.05)
            continue
        break
    r = run(["show", "--counters", "--netns", str(sl.pid), "--json"])
    sp = json.loads(r.stdout or "{}")
    check(sp.get("netns") == "pid:%d" % sl.pid and
          sp.get("state", {}).get("sysctls", {}).get("net.ipv4.tcp_rmem") == mine,
          "--netns PID: that process's namespace (%s)" % sp.get("netns"))
    sl.kill()
    sl.wait()
    r = run(["show", "--counters", "--netns", str(os.getpid()), "--json"])
    sp = json.loads(r.stdout or "{}")
    check(sp.get("netns_sysctls") == [] and
          sp.get("state", {}).get("sysctls", {}).get("net.ipv4.tcp_rmem") ==
          before["net/ipv4/tcp_rmem"].strip().replace("\t", " "),
          "--netns of a process in tuner's own namespace: nothing is per-namespace")

    # Refused: what is not an 'ip netns' namespace, or could be another user's.
    os.symlink("/run/netns/" + NS, EXTRA[0])
    with open(EXTRA[1], "w"):
        pass
    os.chmod(EXTRA[1], 0o444)
    with open(EXTRA[2], "w"):
        pass
    os.chmod(EXTRA[2], 0o666)
    for name, why in ((EXTRA[0], "a symlink, not followed"),
                      (EXTRA[1], EXTRA[1] + ": not a namespace file"),
                      (EXTRA[2], "writable by others")):
        r = run(["show", "--counters", "--netns", os.path.basename(name)], ok=(1,))
        check(why in r.stderr, "%s refused: %s" % (os.path.basename(name), r.stderr.strip()))
    for bad in ("..", "a/b", "x" * 64, ""):
        r = run(["diagnose", "--netns", bad, "--interval", "1"], ok=(1,))
        check("--netns" in r.stderr, "--netns %r refused: %s" % (bad[:10], r.stderr.strip()))
    r = run(["show", "--counters", "--netns", NS, "--sysroot", work], ok=(64,))
    check("only a process id" in r.stderr, "--netns NAME under --sysroot: a usage error")
    r = run(["show", "--netns", NS], ok=(64,))
    check("--counters" in r.stderr, "show --netns without --counters: a usage error")

    check(host_sysctls() == before, "the host's sysctls did not change")
finally:
    cleanup()
    check(not os.path.exists("/run/netns/" + NS), "the namespace is removed")

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
