#!/bin/sh
# tuner-hotplug@.service waits for the NIC that appeared to be brought up
# before it applies (most drivers request their queue IRQs only then), for any
# valid interface name (up to 15 bytes, no '/', ':' or white space; '%' never
# stays in one: the kernel takes it for a "%d" pattern).
#
# Each case follows the name from 90-tuner.rules to the argument vector of the
# unit's ExecStartPre= as udev and systemd make it (h5_hotplug_argv.py: udev's
# substitution, PID 1's split of SYSTEMD_WANTS and its instance, the unit's
# specifiers; all escaping by the real systemd-escape), for systemd 233 to 257
# (SYSTEMD_WANTS loses its backslashes) and 258 (it keeps them). The vector
# runs in a private network and mount namespace (its own /sys) holding a veth
# pair NAME and peer0, NAME down and brought up 1 s later: the wait must last
# until then and end with NAME up. Also for a NIC that is gone (no wait).
#
# It failed with the rule's "tuner-hotplug@$name.service" and the unit's %i:
# PID 1 mangles a '+' or '@'... into \x2b, drops a backslash, and starts
# nothing for a name with an unpaired quote; %I would make "lan-1" "lan/1".
#
#   h5_hotplug_wait.sh SRCDIR
# Needs root, unshare, ip, python3 and systemd-escape (else skipped: 77).
# shellcheck disable=SC2016 # sh -c programs in single quotes
set -u
src=$1
unit=$src/scripts/tuner-hotplug@.service
rules=$src/scripts/90-tuner.rules
argv=$src/tests/hostile/h5_hotplug_argv.py
passes=0 fails=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
	! command -v systemd-escape >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
	! command -v python3 >/dev/null 2>&1 ||
	! unshare -n -m sh -c 'mount --make-rprivate / && mount -t sysfs sysfs /sys &&
		ip link add tnprobe0 type veth peer name tnprobe1' >/dev/null 2>&1; then
	echo "skip: needs root, unshare, ip, python3, systemd-escape and veth in a private netns"
	exit 77
fi

# run_all MODE: in a private netns, each name of $d/names (one a line) a veth
# down, brought up 1 s after its vector starts, the vectors run side by side;
# $d/MODE.K.res: "RC MILLISECONDS FLAGS" (RC 3: systemd starts no unit; the
# time is the vector's run alone), $d/MODE.K.err: the unit name, messages.
# The last name, gone-1, is never created (its path is made up).
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
run_all() {
	unshare -n -m sh -c '
		mode=$1 d=$2 argv=$3 rules=$4 unit=$5
		mount --make-rprivate / && mount -t sysfs sysfs /sys || exit 90
		k=0
		while IFS= read -r name; do
			k=$((k + 1))
			f=$d/$mode.$k
			if [ "$name" = gone-1 ]; then
				path=/sys/devices/pci0000:00/0000:00:03.0/net/$name
			else
				ip link add "$name" type veth peer name "peer$k" 2>"$f.err" || {
					echo "91 0 none" >"$f.res"
					continue
				}
				path=$(readlink -f "/sys/class/net/$name")
			fi
			python3 "$argv" "$rules" "$unit" "$name" "$path" "$mode" >"$f.argv" 2>"$f.err" || {
				echo "$? 0 none" >"$f.res"
				continue
			}
			[ "$name" = gone-1 ] || (sleep 1; ip link set "$name" up) &
			(
				t0=$(date +%s%N)
				xargs -0 -a "$f.argv" env -- >/dev/null 2>>"$f.err"
				rc=$?
				t1=$(date +%s%N)
				flags=$(cat "/sys/class/net/$name/flags" 2>/dev/null || echo none)
				echo "$rc $(((t1 - t0) / 1000000)) $flags" >"$f.res"
			) &
		done <"$d/names"
		wait' sh "$1" "$d" "$argv" "$rules" "$unit"
}

quote="a'b" dquote='a"b' bslash='a\b' ctrl=$(printf 'a\001b') high=$(printf 'c\377d')
for name in lan-1 wlan0-1 eth7 a@b a+b "$bslash" "$quote" "$dquote" 'a$$b' 'a${X}b' '$X' .hid \
	é-1 "$ctrl" "$high" -lead 'a;b*c#d,e=f[]' "x-@+\$'\"\\y.z" abcdefghijklmno gone-1; do
	printf '%s\n' "$name"
done >"$d/names"
for mode in unquote retain; do
	run_all $mode || fail "$mode: the private netns (exit $?)"
	k=0
	while IFS= read -r name; do
		k=$((k + 1))
		# shellcheck disable=SC2046 # three words
		set -- $(cat "$d/$mode.$k.res" 2>/dev/null)
		rc=${1:-x} ms=${2:-0} flags=${3:-none}
		shown=$(printf '%s' "$name" | od -An -c | tr -s ' ' | sed 's/^ //; s/ $//')
		if [ "$name" = gone-1 ]; then
			if [ "$rc" = 0 ] && [ "$ms" -lt 800 ]; then
				ok "$mode: a NIC that is gone is not waited for (${ms} ms)"
			else
				fail "$mode: a NIC that is gone: exit $rc after $ms ms (want 0, at once)"
				sed 's/^/    /' "$d/$mode.$k.err"
			fi
			continue
		fi
		up=0
		[ "$flags" = none ] || up=$((flags & 1))
		if [ "$rc" = 0 ] && [ "$ms" -ge 800 ] && [ "$ms" -lt 5000 ] && [ "$up" -eq 1 ]; then
			ok "$mode: the NIC '$shown': waited ${ms} ms, until it was up ($flags)"
		else
			fail "$mode: the NIC '$shown': the wait ended after ${ms} ms (exit $rc) with" \
				"flags $flags (want: about 1000 ms, then up)"
			sed 's/^/    /' "$d/$mode.$k.err"
		fi
	done <"$d/names"
done
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
