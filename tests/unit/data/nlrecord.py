#!/usr/bin/env python3
"""Record the replies of a real kernel to read-only generic netlink requests,
as fixtures for the unit tests (one netlink message per line, in hex).

  nlrecord.py coalesce IFNAME   ETHTOOL_MSG_COALESCE_GET for one device
  nlrecord.py queues IFINDEX    netdev-genl queue-get dump of one device
  nlrecord.py napis IFINDEX     netdev-genl napi-get dump of one device

Only gets and dumps: nothing is changed. Plain Python, no pyroute2, so that
it runs in the VM guest too."""
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def request(sk, family, cmd, version, attrs, flags, seq):
    body = struct.pack("BBH", cmd, version, 0) + attrs
    sk.send(struct.pack("IHHII", 16 + len(body), family, NLM_F_REQUEST | flags, seq, 0) + body)
    out = []
    while True:
        data = sk.recv(1 << 16)
        off = 0
        while off + 16 <= len(data):
            n, typ, fl, s, pid = struct.unpack_from("IHHII", data, off)
            if n < 16:
                sys.exit("short message")
            msg = data[off:off + n]
            off += (n + 3) & ~3
            if s != seq:
                continue
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("i", msg, 16)[0]
                if err:
                    sys.exit("kernel error %d" % err)
                return out
            if typ == NLMSG_DONE:
                return out
            out.append(msg)


def resolve(sk, name):
    msgs = request(sk, GENL_ID_CTRL, 3, 1, attr(2, name.encode() + b"\0"), NLM_F_ACK, 1)
    m = msgs[0]
    off = 20
    while off + 4 <= len(m):
        n, t = struct.unpack_from("HH", m, off)
        if t == 1:
            return struct.unpack_from("H", m, off + 4)[0]
        off += (n + 3) & ~3
    sys.exit("no family " + name)


def main():
    what, arg = sys.argv[1], sys.argv[2]
    sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sk.bind((0, 0))
    if what == "coalesce":
        fam = resolve(sk, "ethtool")
        hdr = attr(1 | 0x8000, attr(2, arg.encode() + b"\0"))  # header nest, dev name
        msgs = request(sk, fam, 19, 1, hdr, NLM_F_ACK, 2)  # ETHTOOL_MSG_COALESCE_GET
    else:
        fam = resolve(sk, "netdev")
        cmd, a = (10, 2) if what == "queues" else (11, 1)  # QUEUE_GET/ifindex, NAPI_GET/ifindex
        msgs = request(sk, fam, cmd, 1, attr(a, struct.pack("I", int(arg))), NLM_F_DUMP, 2)
    for m in msgs:
        print(m.hex())


if __name__ == "__main__":
    main()
