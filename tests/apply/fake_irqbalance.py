#!/usr/bin/env python3
"""A stand-in for irqbalance 1.9's control socket, for sysroot tests (a real
irqbalance would rewrite this machine's IRQ affinity). It speaks the protocol
tuner/sys/irqbalance.h describes: one command per connection; "setup" answers
"SLEEP 10 " then "IRQ n LOAD 0 DIFF 0 CLASS 0 " per banned IRQ then
"BANNED <mask>"; "settings ban irqs N N ..." replaces the banned list, "NONE"
empties it, no reply.

  fake_irqbalance.py SOCKET_PATH INITIAL_BANNED(comma list or "") STATE_FILE
Writes the banned list to STATE_FILE after every change (for the test to read),
and runs until killed.
"""
import os, socket, sys

path, initial, state = sys.argv[1:4]
banned = sorted({int(x) for x in initial.split(",") if x})


def save():
    with open(state + ".tmp", "w") as f:
        f.write(",".join(map(str, banned)) + "\n")
    os.replace(state + ".tmp", state)


os.makedirs(os.path.dirname(path), exist_ok=True)
try:
    os.unlink(path)
except FileNotFoundError:
    pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
save()
print("ready", flush=True)
while True:
    conn, _ = srv.accept()
    with conn:
        data = conn.recv(500).decode(errors="replace").strip("\0 \n")
        if data == "setup":
            reply = "SLEEP 10 " + "".join(f"IRQ {i} LOAD 0 DIFF 0 CLASS 0 " for i in banned)
            reply += "BANNED 00000000"
            conn.sendall(reply.encode())
        elif data.startswith("settings ban irqs "):
            rest = data[len("settings ban irqs "):].split()
            banned = [] if rest == ["NONE"] else sorted({int(x) for x in rest})
            save()
