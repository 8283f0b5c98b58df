#!/usr/bin/env python3
"""The driver statistics tuner reads (SIOCETHTOOL: GSSET_INFO, GSTRINGS,
GSTATS) are those Debian's 'ethtool -S' prints, name for name and value for
value.

  ethtool_stats.py TUNER

Read-only for the host: for each NIC tuner lists, 'ethtool -S NIC' is run
before and after 'tuner show --counters --json'. The names must be the same
set (tuner keeps one of a name a driver repeats); each counter that did not
move between the two ethtool runs must have the same value in tuner's sample;
and at least one must have been compared. Exit 77 (skipped, with the reason)
without ethtool, or without a NIC whose driver has statistics."""
import shutil
import subprocess
import sys

from lib import check, finish, nics, sample, skip

tuner = sys.argv[1]


def ethtool_s(nic):
    r = subprocess.run(["ethtool", "-S", nic], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        return None
    out = {}
    for line in r.stdout.splitlines()[1:]:  # "NIC statistics:"
        name, sep, value = line.strip().rpartition(": ")
        if sep and name and name not in out:
            out[name] = int(value)
    return out


if not shutil.which("ethtool"):
    skip("no ethtool(8) to compare with (Debian package ethtool)")
listed = nics(tuner)
before = {n["name"]: ethtool_s(n["name"]) for n in listed}
taken = sample(tuner)
after = {n["name"]: ethtool_s(n["name"]) for n in listed}
ours_all = {n["name"]: n["stats"].get("driver", {}) for n in taken["nics"]}
compared = 0
for nic, b in before.items():
    a = after.get(nic)
    if not b or not a:
        continue
    ours = ours_all.get(nic, {})
    check(set(ours) == set(a), "%s: the same %d statistic names as 'ethtool -S' (%d)%s"
          % (nic, len(ours), len(a),
             "" if set(ours) == set(a) else ": only tuner %s, only ethtool %s"
             % (sorted(set(ours) - set(a))[:5], sorted(set(a) - set(ours))[:5])))
    stable = [k for k in a if b.get(k) == a[k] and k in ours]
    bad = [(k, ours[k], a[k]) for k in stable if ours[k] != a[k]]
    check(not bad, "%s: %d unchanging statistics have ethtool's values%s"
          % (nic, len(stable), "" if not bad else ": %s" % bad[:5]))
    compared += len(stable)
if not any(before.values()):
    skip("no NIC here whose driver has statistics (ethtool -S)")
check(compared > 0, "%d values compared" % compared)
finish()
