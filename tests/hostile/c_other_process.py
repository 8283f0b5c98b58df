#!/usr/bin/env python3
"""c_other_process.py TREE PID DIR COMM START CPUS [TID...]

Write DIR (inside TREE/proc, a name such as ".other-1187") as the /proc/PID
entry of another process than the one the tree has: comm COMM, start time
START (field 22 of stat), threads PID and the TIDs given, every thread on CPUS
(as tuner would have set them). Swapped for TREE/proc/PID, it is what tuner
finds once the planned process exited and a new one got its pid."""
import os, shutil, sys

tree, pid, name, comm, start, cpus = sys.argv[1:7]
tids = [pid] + sys.argv[7:]
src, dst = os.path.join(tree, "proc", pid), os.path.join(tree, "proc", name)
shutil.rmtree(dst, ignore_errors=True)
shutil.copytree(src, dst)


def expand(lst):
    out = set()
    for part in lst.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


mask = "%06x" % sum(1 << c for c in expand(cpus))


def status(path, tid):
    out = []
    for line in open(path).read().splitlines(True):
        key = line.split(":")[0]
        if key == "Name":
            line = "Name:\t%s\n" % comm
        elif key == "Pid":
            line = "Pid:\t%s\n" % tid
        elif key == "Cpus_allowed":
            line = "Cpus_allowed:\t%s\n" % mask
        elif key == "Cpus_allowed_list":
            line = "Cpus_allowed_list:\t%s\n" % cpus
        out.append(line)
    return "".join(out)


def stat(path, tid, t0):
    f = open(path).read()
    rest = f[f.rindex(")") + 2:].split()
    rest[19] = str(t0)
    return "%s (%s) %s\n" % (tid, comm, " ".join(rest))


main_status = os.path.join(src, "task", pid, "status")
main_stat = os.path.join(src, "task", pid, "stat")
shutil.rmtree(os.path.join(dst, "task"))
for i, tid in enumerate(tids):
    d = os.path.join(dst, "task", tid)
    os.makedirs(d)
    open(os.path.join(d, "status"), "w").write(status(main_status, tid))
    open(os.path.join(d, "stat"), "w").write(stat(main_stat, tid, int(start) + i))
    open(os.path.join(d, "comm"), "w").write(comm + "\n")
open(os.path.join(dst, "status"), "w").write(status(main_status, pid))
open(os.path.join(dst, "stat"), "w").write(stat(main_stat, pid, int(start)))
open(os.path.join(dst, "comm"), "w").write(comm + "\n")
open(os.path.join(dst, "cmdline"), "w").write("/usr/sbin/%s\0-D\0" % comm)
