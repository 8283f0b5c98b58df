#!/usr/bin/env python3
"""tuner watch on the 24em64t tree (redis-numa-split), with real link events:
the test runs in a private network namespace (unshare -n; the host's links and
settings are not touched) where a veth is named eth1 like the tree's igb NIC.

- the first apply, then the "watching" line; verify exits 0
- an eth1 IRQ and an eth1 queue's RPS mask reset by hand (as a driver reload
  does; the profile adds RPS to redis-numa-split), then 'ip link set eth1 up':
  both repaired within 2 s with one line; verify exits 0; an eth0 IRQ and RPS
  mask drifted at the same time are not touched (the event names eth1 only)
- a new redis-server in the tree's /proc: placed by the rescan (the proc
  connector is refused in a non-initial namespace) within 5 s + margin
- a writer fighting one eth1 IRQ (every 50 ms) with a .link file setting eth1's
  channels: after a link event the watch repairs, rechecks, finds it undone,
  backs off, and says the fight once, naming the .link file
- --prometheus: the three metrics, tuner_repairs_total counting the repairs
- SIGHUP with a broken profile: refused, the old kept and still repairing
- the state directory's lock held by another apply: the repair waits for it
- a second watch on the same state directory: refused
- sd_notify: READY with STATUS, WATCHDOG every half WATCHDOG_USEC
- a writer that sends no event (an IRQ and a sysctl written): not seen
  without --check-every
- SIGTERM: exit 0, the host left tuned (no rollback)
- a second watch with --check-every 1: the silent writes are repaired within
  3 s ("check: 1 sysctl, 1 IRQ affinity restored"), a silent writer fighting
  a sysctl is backed off and said once; bad --check-every values: exit 64

  watch.py TUNER SRCDIR WORKDIR
"""
import atexit, fcntl, json, os, re, shutil, signal, socket, subprocess, sys, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib
from tnlib import check, finish
from watchlib import copy_process, into_namespaces, wait_for, stop as stop_watch

into_namespaces("-n")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
profile = os.path.join(work, "profile.json")


def good_profile():
    # redis-numa-split with RPS on every NIC's queues: a repair covers every
    # kind of a NIC's changes, not its IRQs alone
    with open(fx.profile("redis-numa-split")) as f:
        p = json.load(f)
    p.pop("$schema", None)
    p["interfaces"][0]["rps"] = {"cpus": "12-15"}
    with open(profile, "w") as f:
        json.dump(p, f)


good_profile()
# the watch's own copy of the topology, broken for a while below
topo = os.path.join(work, "topology.xml")
shutil.copy(fx.topo, topo)
gw = ["--sysroot", tree, "--topology", topo]
prom = os.path.join(work, "prom")
errpath = os.path.join(work, "watch.err")
for f in (prom, errpath):
    if os.path.exists(f):
        os.unlink(f)


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True)


def verify():
    return tnlib.run(tuner, ["verify", "-q", "--profile", profile] + g).returncode


def history_ok():
    return tnlib.run(tuner, ["history", "--state-dir", state] + g).returncode == 0


def log():
    with open(errpath) as f:
        return f.read()


def irq_path(n):
    return os.path.join(tree, f"proc/irq/{n}/smp_affinity_list")


def put(rel, text):
    with open(os.path.join(tree, rel), "w") as f:
        f.write(text + "\n")


def get(rel):
    with open(os.path.join(tree, rel)) as f:
        return f.read().strip()


ip("link", "add", "eth1", "type", "veth", "peer", "name", "wpeer")
err = open(errpath, "w")
# systemd's side of sd_notify: a datagram socket, and a watchdog of 1 s
sockpath = os.path.join(work, "notify")
if os.path.exists(sockpath):
    os.unlink(sockpath)
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(sockpath)
notify.settimeout(0.2)
env = dict(os.environ, NOTIFY_SOCKET=sockpath, WATCHDOG_USEC="1000000")
started = []
# a watch this script started never outlives it (a failure midway included)
atexit.register(lambda: [p.kill() for p in started if p.poll() is None])


def start_watch(name, *options):
    """Another watch of the tree with the profile and --check-every 1 (and
    options), its log in work/NAME.err, which log() reads from now on."""
    global errpath
    errpath = os.path.join(work, name + ".err")
    with open(errpath, "w") as err:
        p = subprocess.Popen([tuner, "watch"] + list(options) +
                             ["--profile", profile, "--state-dir", state, "--check-every", "1"]
                             + gw, stderr=err, stdout=subprocess.DEVNULL)
    started.append(p)
    return p


w = subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state,
                      "--prometheus", prom, "--keep-journals", "2"] + gw, stderr=err,
                     stdout=subprocess.DEVNULL, env=env)
started.append(w)
notes = []
reading = True


def read_notes():
    # read as systemd does, at once: a full socket would block the watch
    while reading:
        try:
            notes.append(notify.recv(4096).decode())
        except (socket.timeout, BlockingIOError):
            pass


reader = threading.Thread(target=read_notes, daemon=True)
reader.start()


def notified():
    return list(notes)
check(wait_for(lambda: "watching 3 NICs, 1 process" in log(), 10),
      "the first apply, then 'watching 3 NICs, 1 process'")
check("24 IRQ affinities" in log() and "applied" in log(), "the first apply says what it applied")
check(verify() == 0, "verify exits 0 after the first apply")
journals = lambda: sorted(f for f in os.listdir(state) if f.endswith(".journal"))  # noqa: E731
first = journals()
check(len(first) == 1, f"the first apply wrote one journal: {first}")
check(wait_for(lambda: any(n.startswith("READY=1\nSTATUS=watching 3 NICs, 1 process; 0 repairs")
                           for n in notified()), 3),
      f"sd_notify: READY=1 with STATUS: {notes[:2]}")
check(wait_for(lambda: notified().count("WATCHDOG=1") >= 2, 3),
      f"sd_notify: WATCHDOG=1 every half of WATCHDOG_USEC ({notes.count('WATCHDOG=1')})")

# 1. a driver reset eth1's IRQ 58 and rx-2's RPS mask, and eth0's IRQ 49 and
# rx-0's RPS mask; eth1 comes up
RPS1, RPS0 = "sys/class/net/eth1/queues/rx-2/rps_cpus", "sys/class/net/eth0/queues/rx-0/rps_cpus"
want58, want49 = get("proc/irq/58/smp_affinity_list"), get("proc/irq/49/smp_affinity_list")
wrps1, wrps0 = get(RPS1), get(RPS0)
check(int(wrps1, 16) != 0 and int(wrps0, 16) != 0,
      f"the first apply set the RPS masks: eth1 rx-2 {wrps1}, eth0 rx-0 {wrps0}")
put("proc/irq/58/smp_affinity_list", "0-23")
put("proc/irq/49/smp_affinity_list", "0-23")
put(RPS1, "000000")
put(RPS0, "000000")
t0 = time.monotonic()
ip("link", "set", "eth1", "up")
check(wait_for(lambda: get("proc/irq/58/smp_affinity_list") == want58 and get(RPS1) == wrps1, 2),
      f"eth1 up: IRQ 58 back to {want58} and rx-2's RPS mask to {wrps1} within 2 s "
      f"({time.monotonic() - t0:.2f} s)")
check(wait_for(lambda: "eth1 came up: 1 IRQ affinity, 1 RPS CPU mask restored" in log(), 1),
      "one line: 'eth1 came up: 1 IRQ affinity, 1 RPS CPU mask restored'")
check(get("proc/irq/49/smp_affinity_list") == "0-23" and get(RPS0) == "000000",
      "eth0's IRQ 49 and RPS mask are left alone: the event was eth1's")
put("proc/irq/49/smp_affinity_list", want49)
put(RPS0, wrps0)
check(verify() == 0, "verify exits 0 after the repair")

check(wait_for(lambda: "STATUS=watching 3 NICs, 1 process; 1 repair" in notified(), 2),
      "sd_notify: STATUS counts the repair")

# 2. a new redis-server (a copy of 1187 as 4321, on every CPU), found by a
# process rescan alone: the topology file, broken meanwhile, is not read (a
# whole discovery would refuse it)
with open(topo, "w") as f:
    f.write("<broken")
copy_process(tree, 1187, 4321)
t0 = time.monotonic()
placed = wait_for(lambda: "0-23" not in get("proc/4321/task/4321/status"), 7)
check(placed, f"a new redis-server is placed by the rescan within 7 s "
      f"({time.monotonic() - t0:.2f} s), from the processes alone (the broken topology "
      f"file not read)")
shutil.copy(fx.topo, topo)
check(verify() == 0, "verify exits 0 after the new process is placed")

# 3. a fighter on IRQ 59 (eth1), and a .link file setting eth1's channels
os.makedirs(os.path.join(tree, "etc/systemd/network"), exist_ok=True)
put("etc/systemd/network/10-eth1.link", "[Match]\nOriginalName=eth1\n[Link]\nCombinedChannels=2")
stop = threading.Event()


def fight():
    # written whole (a new file renamed over it), as a kernel file never
    # reads half-written
    path = irq_path(59)
    while not stop.is_set():
        try:
            with open(path + ".new", "w") as f:
                f.write("0-23\n")
            os.rename(path + ".new", path)
        except OSError:
            pass
        time.sleep(0.05)


fighter = threading.Thread(target=fight)
fighter.start()
ip("link", "set", "eth1", "down")
ip("link", "set", "eth1", "up")
said = wait_for(lambda: "another tool is fighting" in log(), 8)
check(said, "the fight over IRQ 59 is found (3 repairs undone) and said")
time.sleep(3)
stop.set()
fighter.join()
fights = log().count("another tool is fighting")
check(fights == 1, f"the fight is said once ({fights} times)")
check("likely: /etc/systemd/network/10-eth1.link sets CombinedChannels=" in log(),
      "the likely fighter is named: the .link file")
repairs59 = len(re.findall(r"(recheck|eth1 [a-z ]+): 1 IRQ affinity restored", log()))
check(repairs59 <= 4, f"backed off: at most 4 repairs of IRQ 59 in ~8 s ({repairs59})")

# 4. prometheus
text = open(prom).read() if os.path.exists(prom) else ""
m = re.search(r"(?m)^tuner_repairs_total (\d+)$", text)
check(m and int(m.group(1)) >= 4, f"tuner_repairs_total counts the repairs: {m and m.group(1)}")
check(re.search(r"(?m)^tuner_drift \d+$", text) is not None, "tuner_drift is there")
m = re.search(r"(?m)^tuner_last_apply_timestamp_seconds (\d+)$", text)
check(m and abs(int(m.group(1)) - time.time()) < 60, "tuner_last_apply_timestamp_seconds is now")
check(not [f for f in os.listdir(work) if f.startswith("prom.tmp")], "no temporary file left")

# 5. SIGHUP with a broken profile: refused, the old one kept
with open(profile, "w") as f:
    f.write('{"name": "broken", "interfaces": [')
w.send_signal(signal.SIGHUP)
check(wait_for(lambda: "SIGHUP" in log() and "keeping profile redis-numa-split" in log(), 3),
      "SIGHUP with a broken profile: refused, 'keeping profile redis-numa-split'")
check(w.poll() is None, "still running after the refused reload")
good_profile()
put("proc/irq/60/smp_affinity_list", "0-23")
ip("link", "set", "eth1", "down")
ip("link", "set", "eth1", "up")
check(wait_for(lambda: get("proc/irq/60/smp_affinity_list") != "0-23", 2),
      "the old profile still repairs after the refused reload")

# 6. the state directory's lock held (an apply running): the repair waits for it
lockfd = os.open(state, os.O_RDONLY | os.O_DIRECTORY)
fcntl.flock(lockfd, fcntl.LOCK_EX)
put("proc/irq/61/smp_affinity_list", "0-23")
ip("link", "set", "eth1", "down")
ip("link", "set", "eth1", "up")
time.sleep(2)
check(get("proc/irq/61/smp_affinity_list") == "0-23", "the lock held: no repair meanwhile")
fcntl.flock(lockfd, fcntl.LOCK_UN)
os.close(lockfd)
check(wait_for(lambda: get("proc/irq/61/smp_affinity_list") != "0-23", 3),
      "the lock released: repaired within 3 s")
check(w.poll() is None, "still running after waiting for the lock")

for bad in ("-1", "x", "1000001"):
    r = tnlib.run(tuner, ["watch", "--keep-journals", bad, "--state-dir", state] + g)
    check(r.returncode == 64 and "--keep-journals: expected a whole number from 0 to 1000000"
          in r.stderr, f"--keep-journals {bad}: refused, exit {r.returncode}: "
          f"{r.stderr.strip()[-120:]}")

# 7. a second watch on the same state directory is refused
r = tnlib.run(tuner, ["watch", "--profile", profile, "--state-dir", state] + g)
check(r.returncode == 1 and "another tuner watch uses this state directory" in r.stderr,
      f"a second watch is refused: exit {r.returncode}: {r.stderr.strip()[-120:]}")

# --keep-journals 2: the repairs' journals beyond the last two are gone, the
# first apply's is kept
repaired = [j for j in re.findall(r"tuner: watch: .*\(journal (\S+)\)\n", log())
            if j + ".journal" not in first]
now = journals()
check(len(repaired) >= 4 and all(j in now for j in first) and
      len([j for j in now if j not in first]) <= 2 and
      all(j + ".journal" not in now for j in repaired[:-2]),
      f"--keep-journals 2: {len(repaired)} repairs, the first apply's journal and at most "
      f"the last 2 repairs' kept: {now}")
check(history_ok(), "history reads the state directory after the deletions")

# 8. writers that send no event: without --check-every, nothing sees them
# (the files replaced whole: a reader never finds one half-written)
def put_whole(rel, text):
    path = os.path.join(tree, rel)
    with open(path + ".new", "w") as f:
        f.write(text + "\n")
    os.rename(path + ".new", path)


BUDGET = "proc/sys/net/core/netdev_budget"
# (eth0's IRQ 50: eth1's are still being rechecked after the repairs above)
want50, budget = get("proc/irq/50/smp_affinity_list"), get(BUDGET)
check(budget != "300" and want50 != "0-23",
      f"netdev_budget and IRQ 50 were applied: {budget}, {want50}")
put_whole("proc/irq/50/smp_affinity_list", "0-23")
put_whole(BUDGET, "300")
time.sleep(2.5)
left = get("proc/irq/50/smp_affinity_list"), get(BUDGET)
check(left == ("0-23", "300"),
      f"without --check-every, an IRQ and a sysctl written with no event are left alone: {left}")

# 9. SIGTERM: exit 0, nothing rolled back
rc = stop_watch(w)
check(rc == 0, f"SIGTERM: exit {rc}")
time.sleep(0.2)
check("rolled back" not in log() and "undoing" not in log(), "no rollback on SIGTERM")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")

# 10. --check-every 1: the silent writes are found by the periodic check
for bad in ("0", "-1", "x", "86401", "1.5"):
    r = tnlib.run(tuner, ["watch", "--check-every", bad, "--state-dir", state] + g)
    check(r.returncode == 64 and "--check-every: expected seconds, a whole number from 1 to "
          "86400" in r.stderr, f"--check-every {bad}: refused, exit {r.returncode}: "
          f"{r.stderr.strip()[-120:]}")
w = start_watch("watch2")
check(wait_for(lambda: "watching 3 NICs" in log(), 10), "a watch with --check-every 1 starts")
check(get("proc/irq/50/smp_affinity_list") == want50 and get(BUDGET) == budget,
      "its first apply put IRQ 50 and netdev_budget back")
# a check reads the snapshot's values again, not the whole host: the
# topology file, broken meanwhile, is not read (a whole discovery refuses it)
with open(topo, "w") as f:
    f.write("<broken")
wrps0 = get(RPS0)
put_whole("proc/irq/63/smp_affinity_list", "0-23")
put_whole(BUDGET, "300")
put_whole(RPS0, "000000")
t0 = time.monotonic()
fixed = wait_for(lambda: get("proc/irq/63/smp_affinity_list") != "0-23" and
                 get(BUDGET) == budget and get(RPS0) == wrps0, 3)
check(fixed, f"--check-every 1: IRQ 63, netdev_budget and eth0 rx-0's RPS mask repaired "
      f"within 3 s ({time.monotonic() - t0:.2f} s), from the values alone (the broken "
      f"topology is not read)")
check(wait_for(lambda: "check: 1 sysctl, 1 IRQ affinity, 1 RPS CPU mask restored" in log(), 1),
      "one line: 'check: 1 sysctl, 1 IRQ affinity, 1 RPS CPU mask restored'")
shutil.copy(fx.topo, topo)
check(verify() == 0, "verify exits 0 after the check's repair")

# a silent writer fighting the sysctl: repaired at each check, then backed off
stop = threading.Event()


def fight_budget():
    while not stop.is_set():
        try:
            put_whole(BUDGET, "300")
        except OSError:
            pass
        time.sleep(0.05)


fighter = threading.Thread(target=fight_budget)
fighter.start()
said = wait_for(lambda: "another tool is fighting" in log(), 8)
time.sleep(2)
stop.set()
fighter.join()
check(said and log().count("another tool is fighting") == 1 and
      "net.core.netdev_budget" in log(), "a silent writer fighting netdev_budget is said once")
rc = stop_watch(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")

# 11. -q: a repair is made and not said (failures, fights and refusals only)
put_whole(BUDGET, budget)
w = start_watch("watch3", "-q")
time.sleep(1.5)
put_whole("proc/irq/63/smp_affinity_list", "0-23")
fixed = wait_for(lambda: get("proc/irq/63/smp_affinity_list") != "0-23", 4)
rc = stop_watch(w)
said = [l for l in log().splitlines() if "warning" not in l]
check(fixed and rc == 0 and not said,
      f"-q: IRQ 63 repaired ({fixed}), exit {rc}, nothing said but warnings: {said[:3]}")

# 12. a check that finds an IRQ of its snapshot gone discovers the host whole
# (a tree sends no event): IRQ 63 removed, IRQ 62 moved meanwhile
w = start_watch("watch4")
check(wait_for(lambda: "watching 3 NICs" in log(), 10), "a fourth watch starts")
shutil.rmtree(os.path.join(tree, "proc/irq/63"))
shutil.rmtree(os.path.join(tree, "sys/kernel/irq/63"), ignore_errors=True)
for d, _, files in os.walk(os.path.join(tree, "sys/devices")):
    if os.path.basename(d) == "msi_irqs" and "63" in files:
        os.unlink(os.path.join(d, "63"))
ints = os.path.join(tree, "proc/interrupts")
with open(ints) as f:
    rows = [l for l in f if not l.lstrip().startswith("63:")]
with open(ints + ".new", "w") as f:
    f.writelines(rows)
os.rename(ints + ".new", ints)
put_whole("proc/irq/62/smp_affinity_list", "0-23")
fixed = wait_for(lambda: get("proc/irq/62/smp_affinity_list") != "0-23", 4)
rc = stop_watch(w)
bad = [l for l in log().splitlines()
       if "error" in l or "failed" in l or ("warning" in l and "proc connector" not in l)]
check(fixed and rc == 0 and not bad and verify() == 0,
      f"IRQ 63 gone: the check discovers the host whole and repairs IRQ 62 ({fixed}), "
      f"exit {rc}, no error ({bad[:2]}), verify exits 0")
finish()
