#!/usr/bin/env python3
"""netdev-genl queue statistics (qstats, kernels 6.9+): tuner's 'qstats'
counters of each NIC are the kernel's, as a netlink dump made here with
Python's own sockets reports them.

  qstats.py TUNER

Read-only for the host. For every NIC tuner lists, the kernel's
rx-alloc-fail, rx-hw-drops and rx-hw-drop-overruns (those its driver reports)
are dumped before and after 'tuner show --counters --json': tuner's names
must be exactly those, each value between the two dumps. Exit 77 (skipped,
with the reason) when the kernel has no qstats or no NIC's driver reports any
of these three: then there is nothing to compare."""
import json
import os
import socket
import struct
import subprocess
import sys

tuner = sys.argv[1]
NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
QSTATS_GET, A_IFINDEX = 12, 1
NAMES = {12: "rx-alloc-fail", 13: "rx-hw-drops", 14: "rx-hw-drop-overruns"}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def attrs(buf):
    out, off = {}, 0
    while off + 4 <= len(buf):
        ln, typ = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        out[typ & 0x3fff] = buf[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


def talk(sk, typ, flags, cmd, payload=b""):
    msg = struct.pack("=BBH", cmd, 1, 0) + payload
    sk.send(struct.pack("=IHHII", 16 + len(msg), typ, flags, 1, 0) + msg)
    replies = []
    while True:
        data = sk.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            ln, t, _, _, _ = struct.unpack_from("=IHHII", data, off)
            if t == NLMSG_DONE:
                return replies
            if t == NLMSG_ERROR:
                err = struct.unpack_from("=i", data, off + 16)[0]
                if err:
                    raise OSError(-err, os.strerror(-err))
                return replies
            replies.append(attrs(data[off + 20:off + ln]))
            off += (ln + 3) & ~3


def kernel_qstats():
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC) as sk:
        sk.settimeout(5)
        name = b"netdev\0"
        a = struct.pack("=HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
        a += b"\0" * ((4 - len(a) % 4) % 4)
        try:
            fam = talk(sk, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, a)
            fid = struct.unpack("=H", fam[0][CTRL_ATTR_FAMILY_ID][:2])[0]
            dump = talk(sk, fid, NLM_F_REQUEST | NLM_F_DUMP, QSTATS_GET)
        except OSError as e:
            return None, str(e)
    out = {}
    for m in dump:
        ifindex = struct.unpack("=I", m[A_IFINDEX])[0]
        out[ifindex] = {NAMES[t]: int.from_bytes(v, sys.byteorder) for t, v in m.items()
                        if t in NAMES}
    return out, ""


before, why = kernel_qstats()
if before is None:
    print("skipped: this kernel has no netdev-genl qstats (%s)" % why)
    sys.exit(77)
r = subprocess.run([tuner, "show", "--counters", "--json", "-q"], capture_output=True, text=True,
                   timeout=60)
after, _ = kernel_qstats()
if r.returncode != 0:
    sys.exit("tuner show --counters: exit %d: %s" % (r.returncode, r.stderr))
compared = 0
for nic in json.loads(r.stdout)["nics"]:
    with open("/sys/class/net/%s/ifindex" % nic["name"]) as f:
        ifindex = int(f.read())
    k0, k1 = before.get(ifindex, {}), after.get(ifindex, {})
    ours = nic["stats"].get("qstats", {})
    check(set(ours) == set(k1), "%s: qstats %s, the kernel reports %s"
          % (nic["name"], sorted(ours), sorted(k1)))
    for name, v in ours.items():
        check(k0.get(name, -1) <= v <= k1.get(name, -1),
              "%s %s: %d, the kernel's %s..%s" % (nic["name"], name, v, k0.get(name),
                                                  k1.get(name)))
        compared += 1
if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
if compared == 0:
    print("skipped: no NIC here whose driver reports rx-alloc-fail, rx-hw-drops or "
          "rx-hw-drop-overruns in qstats (%d device(s) have qstats): nothing to compare"
          % len(before))
    sys.exit(77)
print("0 failure(s), %d value(s) compared" % compared)
