#!/usr/bin/env python3
"""On the live host, a NIC's link statistics come over rtnetlink, not sysfs.

  linkstats.py TUNER WORK_DIR

Read-only for the host. In a private mount namespace of its own
('unshare -m'), the test binds a file holding 987654321 over each of a NIC's
/sys/class/net/NIC/statistics files that diagnose reads, then runs
'tuner show --counters --json' there: every link counter must be the
kernel's (as 'ip -s -s -j link' reports it, read before and after), never the
file's. A tuner reading sysfs reports 987654321. Exit 77 (skipped, with the
reason) without root, 'unshare', or a NIC that tuner lists."""
import json
import os
import shutil
import subprocess
import sys

from lib import check, finish, nics, skip

tuner, work = sys.argv[1:3]
FAKE = 987654321
STATS = {"rx_missed_errors": "missed_errors", "rx_fifo_errors": "fifo_errors",
         "rx_over_errors": "over_errors", "rx_dropped": "dropped", "rx_packets": "packets"}


def kernel_stats(nic):
    r = subprocess.run(["ip", "-s", "-s", "-j", "link", "show", "dev", nic], check=True,
                       capture_output=True, text=True)
    return json.loads(r.stdout)[0]["stats64"]["rx"]


if os.geteuid() != 0 or not shutil.which("unshare"):
    skip("needs root and unshare(1) for a private mount namespace")
nic = nics(tuner)[0]["name"]
os.makedirs(work, exist_ok=True)
fake = os.path.join(work, "fake")
with open(fake, "w") as f:
    f.write("%d\n" % FAKE)
binds = "".join("mount --bind %s /sys/class/net/%s/statistics/%s && " % (fake, nic, s)
                for s in STATS)
script = ("mount --make-rprivate / && " + binds +
          "cat /sys/class/net/%s/statistics/rx_dropped && exec \"$0\" show --counters --json -q"
          % nic)
before = kernel_stats(nic)
r = subprocess.run(["unshare", "-m", "sh", "-c", script, tuner], capture_output=True, text=True,
                   timeout=60)
after = kernel_stats(nic)
if r.returncode != 0:
    sys.exit("unshare ... tuner: exit %d: %s" % (r.returncode, r.stderr))
first, _, rest = r.stdout.partition("\n")
check(first.strip() == str(FAKE), "inside the mount namespace, sysfs says %s" % first.strip())
link = {n["name"]: n["stats"].get("link", {}) for n in json.loads(rest)["nics"]}[nic]
for ours, theirs in STATS.items():
    v = link.get(ours)
    check(v is not None and v != FAKE and before[theirs] <= v <= after[theirs],
          "%s %s: %s, the kernel's (%d..%d), not sysfs's" % (nic, ours, v, before[theirs],
                                                               after[theirs]))
finish()
