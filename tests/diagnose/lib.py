"""What the live diagnose tests (ethtool_stats.py, linkstats.py, qstats.py)
share: the ok/FAIL report, skipping with a reason (exit 77), and the NICs of
one 'tuner show --counters --json' sample."""
import json
import subprocess
import sys

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def skip(why):
    print("skipped: " + why)
    sys.exit(77)


def sample(tuner):
    """One sample of this host; the test stops (exit 1) when tuner fails."""
    r = subprocess.run([tuner, "show", "--counters", "--json", "-q"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        sys.exit("tuner show --counters: exit %d: %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout)


def nics(tuner):
    """The NICs tuner lists, skipping the test (exit 77) when there is none."""
    found = sample(tuner)["nics"]
    if not found:
        skip("tuner lists no NIC on this host (virtual interfaces are not NICs)")
    return found


def finish(extra=""):
    print("%d failure(s)%s" % (len(failures), extra))
    sys.exit(1 if failures else 0)
