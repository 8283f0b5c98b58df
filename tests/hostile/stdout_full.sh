#!/bin/sh
# What a command prints must reach standard output: 'tuner show --json >
# snap.json' on a full disk (here /dev/full) left an empty file and exited 0
# (plan 2, verify 2). show, plan, verify and profile now exit 1 saying
# "standard output: No space left on device"; the same commands to /dev/null
# exit as before (diagnose says it itself: hostile/h2_diag).
#   stdout_full.sh TUNER SRCDIR
T=$1 SRC=$2
S=$SRC/tests/golden/24em64t.show.json
fails=0
check() { # WHAT WANT_RC CMD...
    what=$1 want=$2; shift 2
    err=$("$@" 2>&1 >/dev/full); rc=$?
    case "$err" in
        *"standard output: No space left on device"*) said=yes ;;
        *) said=no ;;
    esac
    if [ "$rc" = "$want" ] && [ $said = yes ]; then
        echo "ok: $what > /dev/full: exit $rc, said"
    else
        echo "FAIL: $what > /dev/full: exit $rc (want $want), said: $said: $err" | head -c 400; echo
        fails=$((fails + 1))
    fi
}
check "show --json" 1 "$T" show --json --state "$S"
check "show" 1 "$T" show --state "$S"
check "plan" 1 "$T" plan --profile default --state "$S"
check "plan --json" 1 "$T" plan --json --profile default --state "$S"
check "verify" 1 "$T" verify --profile default --state "$S"
check "profile validate" 1 "$T" profile validate default
check "profile show" 1 "$T" profile show default
# the same, written: their usual exit statuses
for c in "show --state $S" "plan --profile default --state $S" "verify --profile default --state $S" \
         "profile validate default"; do
    # shellcheck disable=SC2086
    "$T" $c > /dev/null 2>&1; rc=$?
    case "$c" in plan*|verify*) want=2 ;; *) want=0 ;; esac
    if [ $rc = $want ]; then echo "ok: $c > /dev/null: exit $rc"; else
        echo "FAIL: $c > /dev/null: exit $rc, want $want"; fails=$((fails + 1)); fi
done
[ $fails = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
