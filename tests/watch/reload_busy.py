#!/usr/bin/env python3
"""tuner watch: SIGHUP (systemctl reload) while another tuner holds the state
directory's lock (an apply or rollback running, e.g. from Ansible), in a
private network namespace (unshare -n; the host's links are not touched), on
the 24em64t tree.

The reload applies the new profile under the lock; the lock held (1 s wait),
the new profile, valid, was refused ("SIGHUP: profile X refused; keeping
profile Y") and never loaded unless SIGHUP was sent again. Now the reload is
put off and tried again each second until the lock is free, then loaded and
applied.

The new profile is redis-numa-split with net.core.netdev_budget raised to
700 (600 before).

  reload_busy.py TUNER SRCDIR WORKDIR
"""
import fcntl, json, os, signal, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib  # noqa: E402
from tnlib import check, finish  # noqa: E402
from watchlib import into_namespaces, read_text, stop, wait_for  # noqa: E402

into_namespaces("-n")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
errpath = os.path.join(work, "reload_busy.err")
profile = os.path.join(work, "profile.json")
BUDGET = "proc/sys/net/core/netdev_budget"


def log():
    return read_text(errpath)


get = fx.get


def write_profile(name, budget=None):
    with open(fx.profile("redis-numa-split")) as f:
        p = json.load(f)
    p.pop("$schema", None)
    p["name"] = name
    if budget:
        p["sysctl"] = {"net.core.netdev_budget": {"min": budget}}
    with open(profile + ".new", "w") as f:
        json.dump(p, f)
    os.rename(profile + ".new", profile)


write_profile("first")
w = subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state] + g,
                     stderr=open(errpath, "w"), stdout=subprocess.DEVNULL)
lockfd = -1
try:
    check(wait_for(lambda: "watching 3 NICs" in log(), 30), "the watch starts")
    check(get(BUDGET) == "600", f"the first apply set netdev_budget to 600: {get(BUDGET)}")
    write_profile("second", 700)
    lockfd = os.open(state, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(lockfd, fcntl.LOCK_EX)
    w.send_signal(signal.SIGHUP)
    check(wait_for(lambda: "SIGHUP" in log(), 4), f"the reload is said: {log().strip()[-300:]}")
    time.sleep(2.5)
    check(get(BUDGET) == "600", "the lock held: nothing applied meanwhile")
    check("profile second refused" not in log() and
          "SIGHUP: the state directory is locked (another tuner apply or rollback); "
          "profile second is loaded when it is free" in log(),
          f"the reload is put off, not refused: {log().strip()[-400:]}")
    check(log().count("profile second is loaded when it is free") == 1,
          "said once while waiting")
    fcntl.flock(lockfd, fcntl.LOCK_UN)
    os.close(lockfd)
    lockfd = -1
    check(wait_for(lambda: get(BUDGET) == "700", 4),
          f"the lock released: the new profile applied (netdev_budget {get(BUDGET)})")
    check(wait_for(lambda: "SIGHUP: loaded profile second" in log(), 2),
          f"'loaded profile second': {log().strip()[-300:]}")
    check(w.poll() is None, "still running")
finally:
    if lockfd >= 0:
        os.close(lockfd)
    rc = stop(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
