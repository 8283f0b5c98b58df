#!/bin/sh
# tuner-hotplug@IFNAME.service waits for IFNAME to be brought up before it
# applies (most drivers request their queue IRQs only then), also for a NIC
# whose name has a '-' (lan-1, wlan0-1, names given by .link files): the
# instance is the name as udev's $name put it in SYSTEMD_WANTS, and %I would
# unescape its '-' to '/' (systemd-escape -u: "lan-1" is "lan/1"), so the wait
# read /sys/class/net/lan/1/flags, found nothing and applied at once, the NIC
# still down.
#
# The unit's own ExecStartPre= line is run, with its specifiers expanded as
# systemd expands them (%i: the instance; %I: systemd-escape -u of it; $$: $),
# in a private network and mount namespace (its own /sys) holding a veth pair
# named NAME and peer0, NAME down and brought up 1 s later: the wait must last
# until then, and end with NAME up. Also for a plain name (eth7), and for a
# NIC that is gone (no wait). Needs root and unshare (else skipped: 77).
#
#   h5_hotplug_wait.sh SRCDIR
# shellcheck disable=SC2016,SC2046 # sh -c programs in single quotes; set -- $(...)
set -u
src=$1
unit=$src/scripts/tuner-hotplug@.service
passes=0 fails=0
ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
	! command -v systemd-escape >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
	! unshare -n -m sh -c 'mount --make-rprivate / && mount -t sysfs sysfs /sys &&
		ip link add tnprobe0 type veth peer name tnprobe1' >/dev/null 2>&1; then
	echo "skip: needs root, unshare, ip, systemd-escape and veth in a private netns"
	exit 77
fi
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
[ -n "$pre" ] || {
	echo "FAIL: no ExecStartPre= in $unit"
	exit 1
}

# expand INSTANCE: the ExecStartPre= line as systemd runs it for
# tuner-hotplug@INSTANCE.service, as a shell command line (single quotes are
# the unit's own quoting; the instance, quoted, has no quote)
expand() {
	unesc=$(systemd-escape -u -- "$1")
	printf '%s' "$pre" | awk -v i="'$1'" -v I="'$unesc'" '{
		out = ""
		for (n = 1; n <= length($0); n++) {
			c = substr($0, n, 1); d = substr($0, n + 1, 1)
			if (c == "%" && d == "i") { out = out i; n++ }
			else if (c == "%" && d == "I") { out = out I; n++ }
			else if (c == "%" && d == "%") { out = out "%"; n++ }
			else if (c == "$" && d == "$") { out = out "$"; n++ }
			else out = out c
		}
		print out
	}'
}

# case NAME UP_AFTER: in a private netns, NAME down (brought up after UP_AFTER
# seconds; "-": never created); prints "RC SECONDS FLAGS"
run_case() {
	cmd=$(expand "$1")
	unshare -n -m sh -c '
		name=$1 after=$2 cmd=$3
		mount --make-rprivate / && mount -t sysfs sysfs /sys || exit 90
		if [ "$after" != - ]; then
			ip link add "$name" type veth peer name peer0 || exit 91
			(sleep "$after"; ip link set "$name" up) &
		fi
		t0=$(date +%s%N)
		eval "$cmd" >/dev/null 2>&1
		rc=$?
		t1=$(date +%s%N)
		flags=$(cat "/sys/class/net/$name/flags" 2>/dev/null || echo none)
		wait
		echo "$rc $(((t1 - t0) / 1000000)) $flags"' sh "$1" "$2" "$cmd"
}

for name in lan-1 wlan0-1 eth7; do
	set -- $(run_case "$name" 1)
	rc=$1 ms=$2 flags=$3
	up=$((flags & 1))
	if [ "$rc" -eq 0 ] && [ "$ms" -ge 800 ] && [ "$ms" -lt 5000 ] && [ "$up" -eq 1 ]; then
		ok "tuner-hotplug@$name.service: waited ${ms} ms, until $name was up ($flags)"
	else
		fail "tuner-hotplug@$name.service: the wait ended after ${ms} ms (exit $rc) with" \
			"$name's flags $flags (want: about 1000 ms, then up)"
	fi
done
set -- $(run_case gone-1 -)
if [ "$1" -eq 0 ] && [ "$2" -lt 800 ]; then
	ok "tuner-hotplug@gone-1.service: a NIC that is gone is not waited for (${2} ms)"
else
	fail "tuner-hotplug@gone-1.service: exit $1 after $2 ms (want 0, at once)"
fi
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
