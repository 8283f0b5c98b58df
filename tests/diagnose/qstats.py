#!/usr/bin/env python3
"""netdev-genl queue statistics (qstats, kernels 6.9+): tuner's 'qstats'
counters of each NIC, and those of each of its rx queues, are the kernel's,
as a netlink dump made here with Python's own sockets reports them.

  qstats.py TUNER

Read-only for the host. For every NIC tuner lists, the kernel's
rx-alloc-fail, rx-hw-drops and rx-hw-drop-overruns (those its driver reports)
are dumped before and after 'tuner show --counters --json', per device and
per rx queue (scope queue): tuner's names and queues must be exactly those,
each value between the two dumps. Exit 77 (skipped, with the reason) when the
kernel has no qstats or no NIC's driver reports any of these: then there is
nothing to compare."""
import os
import socket
import struct
import sys

from lib import check, failures, finish, sample, skip

tuner = sys.argv[1]
NETLINK_GENERIC, GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 16, 16, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
QSTATS_GET, A_IFINDEX, A_QUEUE_TYPE, A_QUEUE_ID, A_SCOPE = 12, 1, 2, 3, 4
NAMES = {12: "rx-alloc-fail", 13: "rx-hw-drops", 14: "rx-hw-drop-overruns"}
QNAMES = {12: "rx-alloc-fail", 13: "rx-hw-drops"}


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
            queues = {}
            for m in dump:
                ifindex = struct.unpack("=I", m[A_IFINDEX])[0]
                req = struct.pack("=HHIHHI", 8, A_IFINDEX, ifindex, 8, A_SCOPE, 1)
                queues[ifindex] = talk(sk, fid, NLM_F_REQUEST | NLM_F_DUMP, QSTATS_GET, req)
        except OSError as e:
            return None, str(e)
    out = {}
    for m in dump:
        ifindex = struct.unpack("=I", m[A_IFINDEX])[0]
        out[ifindex] = {NAMES[t]: int.from_bytes(v, sys.byteorder) for t, v in m.items()
                        if t in NAMES}
        out[ifindex]["queues"] = {}
        for q in queues[ifindex]:
            if struct.unpack("=I", q[A_QUEUE_TYPE])[0] != 0:
                continue  # tx
            c = {QNAMES[t]: int.from_bytes(v, sys.byteorder) for t, v in q.items()
                 if t in QNAMES}
            if c:
                out[ifindex]["queues"][struct.unpack("=I", q[A_QUEUE_ID])[0]] = c
    return out, ""


def compare(what, ours, k0, k1):
    """Names as the kernel's (after), each value between its two dumps."""
    check(set(ours) == set(k1), "%s: %s, the kernel reports %s" % (what, sorted(ours), sorted(k1)))
    for name, v in ours.items():
        check(k0.get(name, -1) <= v <= k1.get(name, -1),
              "%s %s: %d, the kernel's %s..%s" % (what, name, v, k0.get(name), k1.get(name)))
    return len(ours)


before, why = kernel_qstats()
if before is None:
    skip("this kernel has no netdev-genl qstats (%s)" % why)
taken = sample(tuner)
after, _ = kernel_qstats()
compared = 0
for nic in taken["nics"]:
    with open("/sys/class/net/%s/ifindex" % nic["name"]) as f:
        ifindex = int(f.read())
    k0, k1 = before.get(ifindex, {}), after.get(ifindex, {})
    q0, q1 = k0.pop("queues", {}), k1.pop("queues", {})
    compared += compare(nic["name"] + " qstats", nic["stats"].get("qstats", {}), k0, k1)
    ours = {q["queue"]: {k: v for k, v in q.items() if k != "queue"}
            for q in nic.get("queues", [])}
    check(set(ours) == set(q1), "%s: the rx queues with drop counters %s, the kernel's %s"
          % (nic["name"], sorted(ours), sorted(q1)))
    for q in ours:
        compared += compare("%s queue %d" % (nic["name"], q), ours[q], q0.get(q, {}),
                            q1.get(q, {}))
if compared == 0 and not failures:
    skip("no NIC here whose driver reports rx-alloc-fail, rx-hw-drops or "
         "rx-hw-drop-overruns in qstats (%d device(s) have qstats): nothing to compare"
         % len(before))
finish(", %d value(s) compared" % compared)
