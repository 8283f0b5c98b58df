#!/bin/sh
# tuner --help, --version and 'tuner help' to a full disk (/dev/full): exit 1,
# "standard output: No space left on device", as the commands' own output
# (hostile/stdout_full); they exited 0 with nothing written (h4 review). The
# same to /dev/null exit 0.
#   h4_stdout.sh TUNER
T=$1
fails=0
for a in --help --version help; do
    err=$("$T" $a 2>&1 >/dev/full); rc=$?
    case "$err" in
        "tuner: $a: standard output: No space left on device") said=yes ;;
        *) said=no ;;
    esac
    if [ $rc = 1 ] && [ $said = yes ]; then echo "ok: tuner $a > /dev/full: exit 1, said"
    else echo "FAIL: tuner $a > /dev/full: exit $rc (want 1), said: $said: $err"; fails=$((fails + 1)); fi
    out=$("$T" $a 2>&1 >/dev/null); rc=$?
    if [ $rc = 0 ] && [ -z "$out" ]; then echo "ok: tuner $a > /dev/null: exit 0"
    else echo "FAIL: tuner $a > /dev/null: exit $rc, stderr: $out"; fails=$((fails + 1)); fi
done
[ $fails = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
