"""What the tests of tuner watch share: running in namespaces of their own,
waiting for a condition, reading the watch's log, stopping it, and the
sd_notify messages it sends (tests/watch/watch.py, nic_gone.py,
statedir_full.py)."""
import os, re, shutil, signal, socket, subprocess, sys, threading, time


def into_namespaces(*flags):
    """Run this test again inside new namespaces (unshare FLAGS: "-n" for a
    network namespace, "-m" for a mount one), so that the host's links and
    mounts are never touched; exit 77 (skip, with the reason) where that
    cannot be done. Returns in the namespaced run."""
    mark = "TN_WATCH_NS" + "".join(flags).replace("-", "_")
    if os.environ.get(mark) == "1":
        return
    need = ["unshare", "ip"] + (["mount"] if "-m" in flags else [])
    missing = [t for t in need if not shutil.which(t)]
    if missing:
        print(f"SKIP: {' and '.join(missing)} missing")
        sys.exit(77)
    probe = subprocess.run(["unshare", *flags, "true"], capture_output=True)
    if probe.returncode != 0:
        print(f"SKIP: cannot make the namespaces ({' '.join(flags)}): "
              f"{probe.stderr.decode().strip()}")
        sys.exit(77)
    env = dict(os.environ, **{mark: "1"})
    os.execvpe("unshare", ["unshare", *flags, sys.executable] + sys.argv, env)


def wait_for(pred, secs):
    """Whether pred() holds within secs seconds (looked at every 50 ms)."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def read_text(path):
    with open(path) as f:
        return f.read()


def stop(w):
    """SIGTERM, then its exit status (-1: killed after 5 s)."""
    w.send_signal(signal.SIGTERM)
    try:
        return w.wait(5)
    except subprocess.TimeoutExpired:
        w.kill()
        return -1


class Notify:
    """A NOTIFY_SOCKET, read as systemd does, at once (a full socket would
    block the watch): .path to give the watch, .notes the messages so far."""

    def __init__(self, path):
        if os.path.exists(path):
            os.unlink(path)
        self.path, self.notes, self.reading = path, [], True
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while self.reading:
            try:
                self.notes.append(self.sock.recv(4096).decode())
            except (socket.timeout, BlockingIOError):
                pass

    def close(self):
        self.reading = False


def copy_process(tree, pid, new):
    """A new process in the tree's /proc: a copy of PID as NEW (its thread
    too), allowed on every CPU (Cpus_allowed_list 0-23: the 24-CPU trees)."""
    src, dst = os.path.join(tree, f"proc/{pid}"), os.path.join(tree, f"proc/{new}")
    shutil.copytree(src, dst, symlinks=True)
    os.rename(os.path.join(dst, f"task/{pid}"), os.path.join(dst, f"task/{new}"))
    for root, _, files in os.walk(dst):
        for name in files:
            p = os.path.join(root, name)
            text = open(p).read().replace(str(pid), str(new))
            text = re.sub(r"(?m)^Cpus_allowed_list:.*$", "Cpus_allowed_list:\t0-23", text)
            text = re.sub(r"(?m)^Cpus_allowed:(\s*).*$", r"Cpus_allowed:\g<1>ffffff", text)
            open(p, "w").write(text)
