#!/bin/sh
# Issue 10, area c: --state FILE read through the one read-whole-file helper
# (tn_safefile_load): a snapshot with a NUL byte is refused (the JSON parser
# stopped at the NUL and loaded what came before it as the whole snapshot),
# and what was refused before still is, with the same words.
#   h10c_state_read.sh TUNER WORKDIR [SRCDIR]
set -u
. "$(dirname "$0")/../apply/lib.sh"
golden=$src/tests/golden/32em64t.show.json

# the snapshot itself loads
tn show --state "$golden"
check "$rc" "the golden snapshot loads (exit $rc)"

# a whole snapshot, a NUL, and anything after it
{ cat "$golden"; printf '\000'; printf '{"schema_version": 999}'; } >"$work/nul.json"
expect_refusal "a NUL after the snapshot" 1 \
	"^tuner: $work/nul.json: contains a NUL byte; not a snapshot$" show --state "$work/nul.json"
expect_refusal "plan: a NUL after the snapshot" 1 \
	"^tuner: $work/nul.json: contains a NUL byte; not a snapshot$" plan --state "$work/nul.json"
if [ -s "$work/out" ]; then
	fail "plan printed a plan for a refused snapshot"
	show "$work/out"
fi

# larger than the bound (sparse): refused before it is read whole
rm -f "$work/big.json"
truncate -s $((64 * 1024 * 1024 + 1)) "$work/big.json"
expect_refusal "a snapshot over 64 MiB" 1 "^tuner: $work/big.json: larger than 64 MiB; not a snapshot$" \
	show --state "$work/big.json"

# a FIFO is never opened (no writer: opening it would block)
rm -f "$work/fifo.json"
mkfifo "$work/fifo.json"
expect_refusal "a FIFO" 1 "^tuner: $work/fifo.json: a FIFO, not a regular file; refused$" \
	show --state "$work/fifo.json"
expect_refusal "a directory" 1 "^tuner: $work: a directory, not a regular file; refused$" \
	show --state "$work"
expect_refusal "missing" 1 "^tuner: $work/none.json: No such file or directory$" \
	show --state "$work/none.json"

finish
