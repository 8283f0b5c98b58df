#!/usr/bin/env python3
# What the ExecStartPre= of tuner-hotplug@.service runs for a NIC named NAME
# whose sysfs path is SYSPATH, from 90-tuner.rules to the argument vector, each
# step as udev and systemd (v233 and later) take it, the escaping done by the
# real systemd-escape (the same functions of libsystemd-shared as PID 1's):
#
#   1. udev: the rule's ENV{SYSTEMD_WANTS}+="..." value, with $name, $kernel
#      and %k replaced by NAME as they are, unescaped;
#   2. PID 1 (src/core/device.c): the property split into words with
#      EXTRACT_UNQUOTE (quotes removed, a backslash takes the next character
#      as it is, an unpaired quote is an error: no unit is started; v258
#      keeps backslashes, EXTRACT_RETAIN_ESCAPE: MODE "retain"); a template
#      word ("x@.service") gets the instance 'systemd-escape --path SYSPATH',
#      any other word is 'systemd-escape --mangle WORD';
#   3. the unit's ExecStartPre= line: a ':' prefix (no environment
#      expansion) noted, the line split into words with EXTRACT_UNQUOTE |
#      EXTRACT_CUNESCAPE, then in each word %i (the instance), %I
#      ('systemd-escape -u'), %f ('systemd-escape -u --path'), %% expanded;
#   4. at exec, without ':': "$$" is "$" and "${VAR}" its value (none here).
#
# Prints the unit name on stderr and the vector on stdout, each argument
# followed by a NUL (for xargs -0); exit 3 when
# systemd would start no unit (saying why), 4 when this emulation does not
# know a construct the files use (a specifier, an escape).
#
#   h5_hotplug_argv.py RULES UNIT NAME SYSPATH [unquote|retain]
import os
import re
import subprocess
import sys


def die(code, msg):
    print(f"h5_hotplug_argv: {msg}", file=sys.stderr)
    sys.exit(code)


def escape(*args):
    r = subprocess.run(["systemd-escape", *args], capture_output=True)
    if r.returncode != 0:
        return None
    return os.fsdecode(r.stdout.rstrip(b"\n"))


def split_words(text, cunescape, retain):
    """extract_first_word over the whole of TEXT: a list of words, or None
    for an unpaired quote or a trailing backslash (-EINVAL)."""
    words, cur, have, quote, i = [], [], False, None, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and not retain:
            if i + 1 >= len(text):
                return None
            n = text[i + 1]
            if cunescape:
                simple = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", " ": " "}
                if n in simple:
                    cur.append(simple[n])
                    i += 2
                elif n == "x" and re.match(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
                    cur.append(chr(int(text[i + 2:i + 4], 16)))
                    i += 4
                else:
                    die(4, f"escape \\{n} in {text!r}: not emulated")
            else:
                cur.append(n)
                i += 2
            have = True
            continue
        if quote:
            if c == quote:
                quote = None
            else:
                cur.append(c)
        elif c in "'\"":
            quote, have = c, True
        elif c in " \t\n":
            if have:
                words.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(c)
            have = True
        i += 1
    if quote:
        return None
    if have:
        words.append("".join(cur))
    return words


def main():
    rules, unit, name, syspath = sys.argv[1:5]
    mode = sys.argv[5] if len(sys.argv) > 5 else "unquote"
    with open(rules, encoding="utf-8") as f:
        m = re.search(r'ENV\{SYSTEMD_WANTS\}\+?="([^"]*)"', f.read())
    if not m:
        die(4, f"{rules}: no ENV{{SYSTEMD_WANTS}}")
    # 1. udev
    subst = r"\$name|\$kernel|%k"
    if re.search(r"[$%]", re.sub(subst, "", m.group(1))):
        die(4, f"SYSTEMD_WANTS={m.group(1)!r}: a substitution not emulated")
    value = re.sub(subst, lambda _: name, m.group(1))
    # 2. PID 1
    words = split_words(value, cunescape=False, retain=(mode == "retain"))
    if words is None:
        die(3, f"SYSTEMD_WANTS={value!r}: systemd cannot parse it (an unpaired quote): no unit")
    tmpl = os.path.basename(unit)
    prefix = tmpl[:tmpl.index("@") + 1]
    units = []
    for w in words:
        if re.fullmatch(r"[^@]+@\.service", w):
            inst = escape("--path", "--", syspath)
            u = None if inst is None else w.replace("@.", f"@{inst}.", 1)
        else:
            u = escape("--mangle", "--", w)
        if u is None:
            die(3, f"SYSTEMD_WANTS word {w!r}: no valid unit name: no unit")
        if len(u.encode()) >= 256:
            die(3, f"{u}: longer than a unit name may be (255): no unit")
        units.append(u)
    mine = [u for u in units if u.startswith(prefix)]
    if len(mine) != 1:
        die(3, f"SYSTEMD_WANTS={value!r} wants {units}, not one {prefix}INSTANCE.service")
    u = mine[0]
    inst = u[len(prefix):u.rindex(".")]
    print(f"unit: {u}", file=sys.stderr)
    # 3. the unit
    with open(unit, encoding="utf-8") as f:
        lines = [ln[len("ExecStartPre="):] for ln in f.read().splitlines()
                 if ln.startswith("ExecStartPre=")]
    if len(lines) != 1:
        die(4, f"{unit}: {len(lines)} ExecStartPre= lines, not one")
    line = lines[0]
    noenv = False
    while line and line[0] in "-@:+!":
        noenv = noenv or line[0] == ":"
        if line[0] == "@":
            die(4, "the '@' prefix: not emulated")
        line = line[1:]
    argv = split_words(line, cunescape=True, retain=False)
    if argv is None:
        die(4, f"{unit}: the ExecStartPre= line does not parse")
    spec = {"i": lambda: inst, "I": lambda: escape("-u", "--", inst),
            "f": lambda: escape("-u", "--path", "--", inst), "%": lambda: "%"}

    def expand(word):
        def one(m):
            if m.group(1) not in spec:
                die(4, f"specifier %{m.group(1)}: not emulated")
            v = spec[m.group(1)]()
            if v is None:
                die(3, f"%{m.group(1)} of instance {inst!r}: systemd-escape cannot unescape it,"
                    " systemd cannot load the line: no unit")
            return v
        return re.sub(r"%(.)", one, word)

    argv = [expand(w) for w in argv]
    # 4. exec
    if not noenv:
        # a word that is "$VAR" alone becomes the words of its value (none:
        # it is unset); in others "$$" is "$" and "${VAR}" the value
        argv = [re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", "", w.replace("$$", "\0")).replace("\0", "$")
                for w in argv if not re.fullmatch(r"\$[A-Za-z_][A-Za-z0-9_]*", w)]
    sys.stdout.buffer.write(b"".join(os.fsencode(a) + b"\0" for a in argv))


main()
