#!/usr/bin/python
# SPDX-License-Identifier: MIT
# Copyright: The tuner authors
"""Ansible module tuner.tuner.tuner: drives the tuner command on the target
through its JSON contract (plan, apply, verify, rollback --json and their
exit statuses), never through its human-readable text."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: tuner
short_description: Tune a Linux host's network path with tuner
version_added: "0.1.0"
description:
  - Runs C(tuner) on the target host to place NIC IRQs, set C(net.*) sysctls,
    ethtool rings and channels and pin target processes, as a journaled
    transaction that tuner undoes on failure and can roll back later.
  - Uses only tuner's command-line contract - C(tuner plan --json),
    C(tuner apply --json), C(tuner verify --json), C(tuner rollback --json) and
    their documented exit statuses - and refuses JSON of a C(schema_version)
    it does not know.
  - In check mode it runs C(tuner plan) (or C(tuner rollback --dry-run)) and
    changes nothing; C(changed) says whether the real run would change
    something. In diff mode it returns one line per change, in tuner's own
    wording.
  - The tuner binary is run as the user the task runs as (normally root, with
    C(become)); it must be a regular file owned by root or by that user and
    not writable by group or others, in a directory of which the same holds,
    and so must every directory above it (one with the sticky bit, as
    C(/tmp), may be writable by others). Symlinks in its path are resolved
    first, and the resolved path is the one checked and run.
options:
  profile:
    description:
      - The profile to apply or verify against.
      - A string with no C(/) is the name of a profile, looked up by tuner in
        C($TUNER_PROFILE_PATH) and C(/usr/share/tuner/profiles) (C(default) is
        also built in).
      - A string with a C(/) is the absolute path of a profile file on the
        target.
      - A dictionary is a profile written inline; the module writes it as JSON
        to a private temporary file (mode 0600, in the task's own temporary
        directory on the target) and removes it afterwards. Its C(extends), if
        any, is looked up by name.
      - Omitted, tuner's built-in default profile.
      - Ignored with I(state=rolled_back) - the journal says what to restore.
    type: raw
  state:
    description:
      - C(applied) makes the profile's changes (C(tuner apply)).
      - C(verified) compares the host with the profile and never changes
        anything (C(tuner verify)); drift fails the task unless
        I(fail_on_drift=false).
      - C(rolled_back) restores what one earlier apply changed
        (C(tuner rollback)), from the journal named by I(journal).
    type: str
    choices: [applied, verified, rolled_back]
    default: applied
  journal:
    description:
      - With I(state=rolled_back), the journal to roll back, by id (as in
        C(tuner history)) or C(last) for the newest.
    type: str
    default: last
  force:
    description:
      - I(state=applied) - apply even over values someone changed between
        tuner's plan and its write.
      - I(state=rolled_back) - restore also values changed since the apply,
        and journals of another boot.
    type: bool
    default: false
  keep_going:
    description:
      - I(state=applied) - record a failed change and go on with the others
        instead of undoing everything. A partial apply still fails the task.
    type: bool
    default: false
  fail_on_drift:
    description:
      - I(state=verified) - fail the task when the host differs from the
        profile. With C(false) the differences are returned in C(drift) and
        the task succeeds, unchanged.
    type: bool
    default: true
  state_dir:
    description:
      - Where tuner keeps its journals and lock (C(--state-dir)); an absolute
        path. Omitted, tuner's default C(/var/lib/tuner). Not used by
        I(state=verified), which reads no journal.
      - tuner refuses a state directory that is a symlink, not owned by
        root or writable by others.
    type: path
  sysroot:
    description:
      - Read and write every C(/proc) and C(/sys) file below this directory
        instead of C(/) (C(--sysroot)); an absolute path. For tests and image
        builds.
    type: path
  topology:
    description:
      - Take the NUMA topology from this hwloc XML export (C(--topology)); an
        absolute path. For tests and image builds.
    type: path
  binary:
    description:
      - The tuner program on the target - a name looked up in C(PATH),
        C(/usr/sbin) and C(/usr/local/sbin), or an absolute path.
    type: str
    default: tuner
requirements:
  - tuner on the target, speaking JSON C(schema_version) 1
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - For I(state=applied) only; I(state=rolled_back) returns counts in C(result).
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: linux
notes:
  - A second run of I(state=applied) with the same profile reports
    C(changed=false) - tuner plans nothing for a value already in place.
  - Several tuner runs on one host never interleave - tuner holds a lock
    on its state directory; a second one fails at once with tuner's message.
author:
  - The tuner authors
"""

EXAMPLES = r"""
- name: Tune the network path with the profile installed by the package
  tuner.tuner.tuner:
    profile: /etc/tuner/profile.json
  become: true

- name: A shipped profile, by name
  tuner.tuner.tuner:
    profile: redis-numa-split

- name: An inline profile
  tuner.tuner.tuner:
    profile:
      name: fleet-web
      extends: default
      sysctl:
        net.core.rmem_max: 8388608

- name: Check the host still matches, report drift without failing
  tuner.tuner.tuner:
    profile: /etc/tuner/profile.json
    state: verified
    fail_on_drift: false
  register: tuned

- name: Undo the newest apply
  tuner.tuner.tuner:
    state: rolled_back
    journal: last
"""

RETURN = r"""
changed:
  description: Whether tuner changed (or, in check mode, would change) something.
  returned: always
  type: bool
journal:
  description: The id of the journal of this apply or of the journal rolled back.
  returned: when a journal was written or rolled back
  type: str
  sample: 20261130T022659_340Z-8096
status:
  description: >-
    How the journal ended - applied, partial, failed (every change undone),
    failed, undo incomplete, rolled back.
  returned: when a journal was written or rolled back
  type: str
profile:
  description: The name of the profile, as tuner reports it.
  returned: when tuner got as far as loading the profile
  type: str
changes:
  description: >-
    tuner's change records - the plan (check mode, or nothing to do), or the
    journal's records with their status and error.
  returned: success, and on failure when tuner printed them
  type: list
  elements: dict
  sample:
    - kind: sysctl
      target: net.core.netdev_budget
      key: value
      before: "300"
      after: "600"
      status: applied
undone:
  description: Whether every change an apply made was undone after its failure.
  returned: when an apply failed after it began changing the host
  type: bool
drift:
  description: >-
    With I(state=verified), the differences from the profile - tuner's records
    with C(before) the value found, C(after) the value expected and a C(hint)
    where tuner knows one.
  returned: state=verified
  type: list
  elements: dict
matches:
  description: With I(state=verified), whether the host matches the profile.
  returned: state=verified
  type: bool
result:
  description: >-
    With I(state=rolled_back), what this run restored (check mode - would
    restore), found already as before, left alone (changed since the apply),
    skipped or failed.
  returned: state=rolled_back
  type: dict
  sample: {dry_run: false, restored: 26, unchanged: 0, never_applied: 0, left_alone: 0, skipped: 0,
            failed: 0}
tuner_warnings:
  description: tuner's warnings, one string each.
  returned: always
  type: list
  elements: str
cmd:
  description: The tuner command line that was run.
  returned: when tuner was run
  type: list
  elements: str
rc:
  description: tuner's exit status.
  returned: when tuner was run
  type: int
"""

import json
import os
import re
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule

# The JSON schema versions of tuner this module understands.
KNOWN_SCHEMA_VERSIONS = (1,)
# Exit statuses (README "Exit status"); 64 is a usage error for every command.
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_PARTIAL = 3
EXIT_USAGE = 64
# What each command may exit with, besides 64.
EXPECTED_RC = {
    "plan": (EXIT_OK, EXIT_ERROR, EXIT_CHANGES),
    "apply": (EXIT_OK, EXIT_ERROR, EXIT_PARTIAL),
    "verify": (EXIT_OK, EXIT_ERROR, EXIT_CHANGES),
    "rollback": (EXIT_OK, EXIT_ERROR),
}
# How many differences or failed changes a message names; all are returned.
MSG_ITEMS = 10
# A journal id as tuner makes them ("20261130T022659_340Z-8096"): never an
# option, never a path.
JOURNAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,94}$")
CTRL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text):
    """tuner's values come from the host (process names, IRQ names): keep
    control characters out of the operator's terminal."""
    return CTRL_RE.sub(lambda m: "\\x%02x" % ord(m.group()), str(text))


def change_what(c):
    """What a change is about, in the wording of 'tuner plan'."""
    kind = c.get("kind", "")
    target, key, label = c.get("target", ""), c.get("key", ""), c.get("label", "")
    if kind == "sysctl":
        what = target
    elif kind == "irq_affinity":
        what = "irq %s %s" % (target, label) if label else "irq %s" % target
    elif kind in ("ring", "channels"):
        what = "%s %s %s" % (target, key, "ring" if kind == "ring" else "channels")
    elif kind in ("process_affinity", "process_memory"):
        # "PID@START" (or "PID@START/TID@TSTART"): plan shows the pid alone
        pid = "/".join(part.split("@")[0] for part in target.split("/"))
        what = "pid %s %s %s" % (pid, label,
                                 "CPUs" if kind == "process_affinity" else "memory")
    else:
        what = "%s %s" % (target, key)
    return printable(what)


def change_line(c, value):
    """One line of the diff: what, then the value."""
    return "  %s: %s" % (change_what(c), printable(value))


def diff_of(changes, profile):
    """Ansible's diff: the changes' before and after values, grouped by kind
    as 'tuner plan' groups them."""
    before, after, last = [], [], None
    for c in changes:
        if c.get("kind") != last:
            last = c.get("kind")
            before.append(printable("%s:" % last))
            after.append(printable("%s:" % last))
        before.append(change_line(c, c.get("before", "")))
        after.append(change_line(c, c.get("after", "")))
    tail = "\n" if before else ""
    return {"before": "\n".join(before) + tail, "after": "\n".join(after) + tail,
            "before_header": "before (tuner)",
            "after_header": "after (tuner, profile %s)" % printable(profile or "?")}


class Tuner:
    """One task: the module, the resolved binary and the result so far."""

    def __init__(self, module):
        self.m = module
        self.p = module.params
        self.result = {"changed": False, "tuner_warnings": []}
        self.profile_file = None

    def fail(self, msg, **extra):
        self.result.update(extra)
        self.m.fail_json(msg=msg, **self.result)

    # ---- arguments ----

    def absolute(self, name):
        value = self.p[name]
        if value is not None and not os.path.isabs(value):
            self.fail("%s: %r is not an absolute path on the target" % (name, value))
        return value

    def check_args(self):
        p, st = self.p, self.p["state"]
        if st != "rolled_back" and p["journal"] != "last":
            self.fail("journal: only used with state=rolled_back")
        if p["keep_going"] and st != "applied":
            self.fail("keep_going: only used with state=applied")
        if p["force"] and st == "verified":
            self.fail("force: not used with state=verified, which changes nothing")
        if st == "rolled_back" and p["journal"] != "last" and not JOURNAL_RE.match(p["journal"]):
            self.fail("journal: %r is neither 'last' nor a journal id (see tuner history)"
                      % p["journal"])
        for name in ("state_dir", "sysroot", "topology"):
            self.absolute(name)

    def binary(self):
        """The tuner program: found, a regular file, owned by root or by us,
        not writable by group or others (it runs with our privileges), nor is
        its directory or one above it; its path with the symlinks resolved."""
        name = self.p["binary"]
        if "/" in name:
            if not os.path.isabs(name):
                self.fail("binary: %r is neither a name nor an absolute path" % name)
            path = name
        else:
            path = self.m.get_bin_path(name, opt_dirs=["/usr/sbin", "/usr/local/sbin"])
            if not path:
                self.fail("binary: %s not found in PATH, /usr/sbin or /usr/local/sbin on the "
                          "target: install tuner there or set binary" % name)
        # the path with its symlinks resolved is the one checked and run (a
        # symlink swapped after the check is not followed)
        real = os.path.realpath(path)
        try:
            st = os.stat(real)
        except OSError as e:
            self.fail("binary: %s: %s" % (path, e.strerror))
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o111:
            self.fail("binary: %s is not an executable file" % path)
        if st.st_uid not in (0, os.geteuid()):
            self.fail("binary: %s is owned by uid %d, not by root or the task's user: "
                      "refusing to run it" % (path, st.st_uid))
        if st.st_mode & 0o022:
            self.fail("binary: %s is writable by group or others (mode %04o): refusing to "
                      "run it" % (path, stat.S_IMODE(st.st_mode)))
        # whoever may write its directory, or one above it, may replace it
        real_dir = d = os.path.dirname(real)
        while True:
            try:
                dst = os.stat(d)
            except OSError as e:
                self.fail("binary: %s: %s: %s" % (path, d, e.strerror))
            what = ("its directory %s" % d if d == real_dir else
                    "%s, a directory above it," % d)
            if dst.st_uid not in (0, os.geteuid()):
                self.fail("binary: %s: %s is owned by uid %d, not by root or the task's user: "
                          "refusing to run it" % (path, what, dst.st_uid))
            # above its own directory, a sticky one (/tmp) lets nobody else
            # rename what is in it
            sticky_above = d != real_dir and dst.st_mode & stat.S_ISVTX
            if dst.st_mode & 0o022 and not sticky_above:
                self.fail("binary: %s: %s is writable by group or others (mode %04o): "
                          "refusing to run it" % (path, what, stat.S_IMODE(dst.st_mode)))
            if d == "/":
                break
            d = os.path.dirname(d)
        return real

    def profile_args(self):
        prof = self.p["profile"]
        if prof is None:
            return []
        if isinstance(prof, dict):
            return ["--profile", self.write_inline(prof)]
        if not isinstance(prof, str) or not prof:
            self.fail("profile: expected a name, an absolute path or a dictionary, got %s"
                      % type(prof).__name__)
        if "/" in prof and not os.path.isabs(prof):
            self.fail("profile: %r is a relative path: give an absolute path on the target, "
                      "or a name with no '/'" % prof)
        return ["--profile", prof]

    def write_inline(self, prof):
        """The inline profile, as JSON, in a file only we can read: mkstemp
        creates it 0600 with O_EXCL in the task's private directory."""
        try:
            text = json.dumps(prof, indent=2, sort_keys=False) + "\n"
        except (TypeError, ValueError) as e:
            self.fail("profile: the inline profile cannot be written as JSON: %s" % e)
        fd, path = tempfile.mkstemp(prefix="tuner-profile-", suffix=".json",
                                    dir=self.m.tmpdir)
        self.profile_file = path
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    # ---- running tuner ----

    def run(self, command, args):
        argv = [self.bin, command, "--json"]
        for opt in ("sysroot", "topology"):
            if self.p[opt] is not None:
                argv += ["--" + opt, self.p[opt]]
        argv += args  # last: rollback ends with "-- ID"
        # a list argv, no shell; no expansion of "$X" or "~" in values
        rc, out, err = self.m.run_command(argv, cwd="/", expand_user_and_vars=False)
        self.result.update(cmd=argv, rc=rc)
        if self.profile_file:  # name the inline profile as such, not its file
            err = err.replace(self.profile_file, "inline profile")
        warnings, errors = [], []
        for line in err.splitlines():
            if line.startswith("tuner: warning: "):
                warnings.append(printable(line[len("tuner: warning: "):]))
            elif line.strip():
                errors.append(printable(line[len("tuner: "):] if line.startswith("tuner: ")
                                        else line))
        self.result["tuner_warnings"] = warnings
        if rc == EXIT_USAGE:
            self.fail("tuner %s refused its command line (exit 64): %s; is the tuner on the "
                      "target older than this module?" % (command, "; ".join(errors)))
        if rc not in EXPECTED_RC[command]:
            self.fail("tuner %s exited %d, which it does not document%s" %
                      (command, rc, ": " + "; ".join(errors) if errors else ""))
        return rc, self.parse(command, rc, out), errors

    def parse(self, command, rc, out):
        """tuner's JSON document, or None when it printed none."""
        if not out.strip():
            return None
        try:
            doc = json.loads(out)
        except ValueError as e:
            self.fail("tuner %s --json printed something that is not JSON (exit %d): %s: %s"
                      % (command, rc, e, printable(out[:200])))
        if not isinstance(doc, dict):
            self.fail("tuner %s --json printed a JSON %s, not an object"
                      % (command, type(doc).__name__))
        version = doc.get("schema_version")
        if version not in KNOWN_SCHEMA_VERSIONS:
            self.fail("tuner %s --json speaks schema_version %s; this module knows %s: use "
                      "the tuner.tuner collection that matches the tuner on the target"
                      % (command, printable(json.dumps(version)),
                         ", ".join(str(v) for v in KNOWN_SCHEMA_VERSIONS)))
        if not isinstance(doc.get("changes", []), list):
            self.fail("tuner %s --json: \"changes\" is not a list" % command)
        return doc

    def error_msg(self, command, errors):
        return "tuner %s failed: %s" % (command, "; ".join(errors) if errors else
                                        "no message (exit 1)")

    # ---- states ----

    def state_dir_args(self):
        return ["--state-dir", self.p["state_dir"]] if self.p["state_dir"] else []

    def plan(self, prof_args):
        rc, doc, errors = self.run("plan", prof_args)
        if rc == EXIT_ERROR or doc is None:
            self.fail(self.error_msg("plan", errors))
        changes = doc.get("changes", [])
        self.result.update(changed=bool(changes), changes=changes, profile=doc.get("profile"))
        if self.m._diff:
            self.result["diff"] = diff_of(changes, doc.get("profile"))

    def apply(self, prof_args):
        args = prof_args + self.state_dir_args()
        args += ["--force"] if self.p["force"] else []
        args += ["--keep-going"] if self.p["keep_going"] else []
        rc, doc, errors = self.run("apply", args)
        if doc is None:
            # before any change was journaled: the profile, the lock, the plan
            self.fail(self.error_msg("apply", errors))
        changes = doc.get("changes", [])
        applied = [c for c in changes if c.get("status") == "applied"]
        self.result.update(changes=changes, profile=doc.get("profile"))
        if "journal" in doc:
            self.result.update(journal=doc["journal"], status=doc.get("status"))
        if self.m._diff:
            self.result["diff"] = diff_of(applied, doc.get("profile"))
        if rc == EXIT_ERROR:
            undone = doc.get("status") == "failed"
            how = ("every change made was undone" if undone else
                   "the undo is incomplete: run tuner rollback %s" % doc.get("journal", "--last"))
            # an incomplete undo may leave some of the changes made
            self.fail("%s; %s (journal %s)" % (self.error_msg("apply", errors), how,
                                             doc.get("journal")),
                      undone=undone, changed=not undone and bool(changes))
        self.result["changed"] = bool(applied)
        if rc == EXIT_PARTIAL:
            failed = [c for c in changes if c.get("status") == "failed"]
            named = ["%s: %s: %s" % (change_what(c), printable(c.get("after", "")),
                                     printable(c.get("error", ""))) for c in failed[:MSG_ITEMS]]
            self.fail("tuner apply partially applied profile %s: %d of %d changes failed "
                      "(%s%s); journal %s (undo: state=rolled_back)"
                      % (printable(doc.get("profile")), len(failed), len(changes),
                         "; ".join(named), "; ..." if len(failed) > MSG_ITEMS else "",
                         doc.get("journal")))

    def verify(self, prof_args):
        rc, doc, errors = self.run("verify", prof_args)
        if rc == EXIT_ERROR or doc is None:
            self.fail(self.error_msg("verify", errors))
        drift = doc.get("changes", [])
        matches = doc.get("matches", not drift)
        self.result.update(changed=False, drift=drift, matches=matches,
                           profile=doc.get("profile"))
        self.result["tuner_warnings"] = [printable(w) for w in doc.get("warnings", [])]
        if (rc == EXIT_CHANGES) != bool(drift) or matches == bool(drift):
            self.fail("tuner verify: exit %d but %d difference(s) and matches=%s in its JSON"
                      % (rc, len(drift), matches))
        if drift and self.p["fail_on_drift"]:
            named = []
            for c in drift[:MSG_ITEMS]:
                hint = "; " + printable(c["hint"]) if c.get("hint") else ""
                named.append("%s: expected %s, found %s%s" % (
                    change_what(c), printable(c.get("after", "")),
                    printable(c.get("before", "")), hint))
            self.fail("drift from profile %s: %d difference(s): %s%s"
                      % (printable(doc.get("profile")), len(drift), "; ".join(named),
                         "; ..." if len(drift) > MSG_ITEMS else ""))

    def rollback(self):
        args = self.state_dir_args()
        args += ["--force"] if self.p["force"] else []
        args += ["--dry-run"] if self.m.check_mode else []
        journal = self.p["journal"]
        args += ["--last"] if journal == "last" else ["--", journal]
        rc, doc, errors = self.run("rollback", args)
        if doc is None:
            self.fail(self.error_msg("rollback", errors))
        res = doc.get("result")
        if not isinstance(res, dict) or not all(
                isinstance(res.get(k), int) for k in ("restored", "left_alone", "failed")):
            self.fail("tuner rollback --json has no \"result\" counts: the tuner on the target "
                      "is older than this module")
        self.result.update(changed=res["restored"] > 0, result=res, journal=doc.get("journal"),
                           status=doc.get("status"), changes=doc.get("changes", []),
                           profile=doc.get("profile"))
        if rc == EXIT_ERROR:
            self.fail("%s (journal %s: %d restored, %d failed)" % (
                self.error_msg("rollback", errors), doc.get("journal"), res["restored"],
                res["failed"]))
        if res["left_alone"]:
            self.m.warn("tuner rollback left %d value(s) alone: changed since the apply "
                        "(force: true restores them)" % res["left_alone"])

    def main(self):
        self.check_args()
        self.bin = self.binary()
        st = self.p["state"]
        try:
            if st == "rolled_back":
                self.rollback()
            else:
                prof_args = self.profile_args()
                if st == "verified":
                    self.verify(prof_args)
                elif self.m.check_mode:
                    self.plan(prof_args)
                else:
                    self.apply(prof_args)
        finally:
            if self.profile_file:
                os.unlink(self.profile_file)
        # explicit: Ansible takes a result with a non-zero rc (plan and verify
        # exit 2 for changes) as failed otherwise
        self.m.exit_json(failed=False, **self.result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            profile=dict(type="raw"),
            state=dict(type="str", default="applied",
                       choices=["applied", "verified", "rolled_back"]),
            journal=dict(type="str", default="last"),
            force=dict(type="bool", default=False),
            keep_going=dict(type="bool", default=False),
            fail_on_drift=dict(type="bool", default=True),
            state_dir=dict(type="path"),
            sysroot=dict(type="path"),
            topology=dict(type="path"),
            binary=dict(type="str", default="tuner"),
        ),
        supports_check_mode=True,
    )
    Tuner(module).main()


if __name__ == "__main__":
    main()
