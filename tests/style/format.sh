#!/bin/sh
# Every source file of tuner/ is as .clang-format (kernel style: tabs, 100
# columns; shared STYLE.md section 10) writes it: clang-format changes
# nothing. The first differences are printed.
#   format.sh SRCDIR
set -u
cd "$1" || exit 1
command -v clang-format >/dev/null 2>&1 || {
	echo "SKIP: clang-format is not installed (scripts/deps.sh test installs it)"
	exit 77
}
bad=0
n=0
for f in $(find tuner -name '*.[ch]' | sort); do
	n=$((n + 1))
	if ! clang-format --style=file "$f" | diff -u "$f" - > /tmp/format.$$.diff; then
		echo "FAIL: $f is not as .clang-format writes it:"
		head -20 /tmp/format.$$.diff
		bad=$((bad + 1))
	fi
done
rm -f /tmp/format.$$.diff
[ "$n" -gt 100 ] || { echo "FAIL: only $n files found under tuner/"; exit 1; }
[ "$bad" -eq 0 ] || { echo "$bad of $n files differ (clang-format -i FILE to fix)"; exit 1; }
echo "ok: $n files as .clang-format writes them"
