#!/bin/sh
# tuner-watch.service passes 'systemd-analyze verify' (with tuner.service,
# which it conflicts with), both naming this build's binary and, through
# MANPATH, scripts/tuner.8; and the check is worth something: a misspelt key
# is reported. The package test (package/deb) checks the packaged copy too.
#   unit.sh TUNER SRCDIR WORKDIR
tuner=$1 src=$2 work=$3
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
rm -rf "$work" && mkdir -p "$work/man/man8" "$work/bad" || exit 1
cp "$src/scripts/tuner.8" "$work/man/man8/tuner.8"
for f in tuner.service tuner-watch.service; do
	sed "s|/usr/sbin/tuner|$tuner|g" "$src/scripts/$f" >"$work/$f"
done
fails=0
if "$tuner" watch --help >/dev/null 2>&1; then
	echo "ok: $tuner has the watch command the unit runs"
else
	echo "FAIL: '$tuner watch --help' fails: the unit's ExecStart would"
	fails=1
fi
MANPATH=$work/man systemd-analyze verify "$work/tuner-watch.service" "$work/tuner.service" \
	>"$work/verify.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$work/verify.log" ]; then
	echo "ok: systemd-analyze verify tuner-watch.service: no message"
else
	echo "FAIL: systemd-analyze verify: exit $rc"
	sed 's/^/    /' "$work/verify.log"
	fails=1
fi
if grep -q '^Type=notify$' "$work/tuner-watch.service" &&
	grep -q '^Conflicts=tuner.service$' "$work/tuner-watch.service"; then
	echo "ok: Type=notify, Conflicts=tuner.service"
else
	echo "FAIL: Type=notify and Conflicts=tuner.service"
	fails=1
fi
if grep -q "^ExecStart=$tuner watch " "$work/tuner-watch.service"; then
	echo "ok: ExecStart runs 'tuner watch'"
else
	echo "FAIL: ExecStart"
	fails=1
fi
sed 's/^WatchdogSec=/WatchdogSek=/' "$work/tuner-watch.service" >"$work/bad/tuner-watch.service"
MANPATH=$work/man systemd-analyze verify "$work/bad/tuner-watch.service" "$work/tuner.service" \
	>"$work/verify-bad.log" 2>&1
if grep -q WatchdogSek "$work/verify-bad.log"; then
	echo "ok: a misspelt key is reported (so silence means something)"
else
	echo "FAIL: a misspelt key is not reported"
	fails=1
fi
[ $fails -eq 0 ]
