#!/bin/sh
# Area b, item 10: a 1 MiB profile of 87,000 sysctl keys. The duplicate-key
# check compared every key with every earlier one: 64 s to validate; and a
# child of as many keys extending it took 84 s to merge. Each must validate
# within a CPU-time limit far above what sorted lookups need (the figures are
# printed; no wall-clock time is asserted), and a duplicate at the very end is
# still found, at its line and column.
#   b_many_keys.sh TUNER WORKDIR
set -u
if [ $# -ne 2 ]; then
	echo "usage: $0 TUNER WORKDIR" >&2
	exit 64
fi
tuner=$1 work=$2
cpu_limit=20	# seconds of CPU; the sorted check needs well under one
passes=0 fails=0
mkdir -p "$work"

# 87,000 keys "net.XYZ" (X, Y, Z of 64 characters) on one line, the last one
# on a line of its own: a duplicate of the first when asked; "child" extends
# many.json beside it with the same keys.
mk() {
	python3 - "$1" "$2" <<'EOF'
import sys
n, dup, child = 87000, sys.argv[2] == "dup", sys.argv[2] == "child"
a = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"
keys = ["net." + a[i // 4096] + a[i // 64 % 64] + a[i % 64] for i in range(n)]
if dup:
    keys[-1] = keys[0]
head = '{"name": "child", "extends": "many.json", ' if child else '{"name": "many", '
text = (head + '"sysctl": {' + ",".join('"%s":1' % k for k in keys[:-1]) +
        ',\n"%s":1}}\n' % keys[-1])
assert len(text) <= 1 << 20, len(text)
open(sys.argv[1], "w").write(text)
EOF
}

# run NAME FILE WANT_EXIT PATTERN: validate under the CPU limit, print the time
run() {
	start=$(date +%s%N)
	(ulimit -t "$cpu_limit"; exec "$tuner" profile validate "$2") >"$work/out" 2>"$work/err"
	rc=$?
	end=$(date +%s%N)
	echo "$1: $(wc -c <"$2") bytes, exit $rc, $(((end - start) / 1000000)) ms wall"
	if [ "$rc" -eq "$3" ] && grep -Eq -- "$4" "$work/out" "$work/err"; then
		echo "ok: $1"
		passes=$((passes + 1))
	else
		echo "FAIL: $1: exit $rc (want $3; 137 or 152: killed at the CPU limit of ${cpu_limit} s), output:"
		sed 's/^/    /' "$work/out" "$work/err"
		fails=$((fails + 1))
	fi
}

mk "$work/many.json" nodup || exit 1
run "87,000 keys validate" "$work/many.json" 0 'valid \(profile "many", 0 interface rules, 87000 sysctls'
mk "$work/many-dup.json" dup || exit 1
run "the duplicate at the end is found" "$work/many-dup.json" 1 \
	'many-dup.json:2:1: sysctl\["net.000"\]: duplicate key$'
mk "$work/child.json" child || exit 1
run "87,000 keys over 87,000 (extends)" "$work/child.json" 0 \
	'valid \(profile "child", 0 interface rules, 87000 sysctls'
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
