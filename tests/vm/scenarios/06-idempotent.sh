#!/bin/sh
# 06-idempotent: a second `tuner apply` of the same profile right after a
# successful one changes nothing: it says "nothing to change" on stderr,
# exits 0, and every kernel value stays as the first apply left it;
# `tuner plan` then exits 0 (nothing pending). The first apply from the
# original state gives the same kernel values as 02's (after.dump).
#
# Shared state (see txn.inc): needs the host as before 02's apply and the
# target process. Ends the chain: rolls back (checked against before.dump)
# and stops the target process.
. /tnvm/lib.sh
. /tnvm/scenarios/txn.inc

need_state "the host as before 02's apply" "$TX/before.dump"

tn apply1 apply --profile "$PROFILE" --state-dir "$SD"
check_eq "first tuner apply exit status" "$rc" 0
kexpect "after the first apply: the same values as 02's apply" "$TX/after.dump"
kdump "$TX/apply1.dump"

tn apply2 apply --profile "$PROFILE" --state-dir "$SD"
check_eq "second tuner apply exit status" "$rc" 0
if grep -q "nothing to change" "$TX/apply2.err"; then
    ok "second apply: stderr says \"nothing to change\""
else
    fail "second apply: stderr does not say \"nothing to change\""
fi
kexpect "after the second apply: every value as the first left it" "$TX/apply1.dump"

tn plan plan --profile "$PROFILE"
check_eq "tuner plan exit status after the apply" "$rc" 0

# clean up: the newest journal is the first apply's (the second made none)
tn rb rollback --last --state-dir "$SD"
check_eq "tuner rollback --last exit status" "$rc" 0
kexpect "after rollback --last: every value as before 02's apply" "$TX/before.dump"

pid=$(tx_pid)
[ -n "$pid" ] && kill "$pid"
finish
