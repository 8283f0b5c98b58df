#!/bin/sh
# Issue 10, area g: tn_journal_load (sys/statedir.c) reads a journal through
# tn_safefile_read_text and keeps its own messages: a journal holding a NUL
# byte is "damaged" in those words, one over 256 MiB (sparse) is refused, and a
# FIFO planted as a journal is never opened (history does not block).
#   h10g_journal_read.sh TUNER WORKDIR
set -u
tuner=$1
work=$2
fail=0
rm -rf "$work"
mkdir -p "$work"
sd=$work/state
mkdir -m 700 "$sd"
printf '{"schema_version":1}\n\000junk\n' >"$sd/20250101T000000_000Z-1.journal"
truncate -s 300M "$sd/20250102T000000_000Z-1.journal"
mkfifo "$sd/20250103T000000_000Z-1.journal"
chmod 600 "$sd"/*.journal

out=$(timeout 20 "$tuner" history --state-dir "$sd" 2>&1)
rc=$?
printf '%s\n' "$out"
expect() {
	if printf '%s\n' "$out" | grep -q -- "$1"; then
		echo "ok: $2"
	else
		echo "FAIL: $2 (no line matching: $1)"
		fail=1
	fi
}
[ "$rc" -eq 0 ] || { echo "FAIL: history exited $rc"; fail=1; }
expect "^20250101T000000_000Z-1 .*damaged: $sd/20250101T000000_000Z-1.journal: contains NUL bytes: the journal is damaged\$" \
	"a NUL byte: the journal is damaged"
expect "^20250102T000000_000Z-1 .*damaged: $sd/20250102T000000_000Z-1.journal: larger than 256 MiB; refused\$" \
	"over 256 MiB: refused"
expect "^20250103T000000_000Z-1 .*$sd/20250103T000000_000Z-1.journal: a FIFO, not a regular file; refused\$" \
	"a FIFO: refused, never opened"
rm -rf "$work"
exit $fail
