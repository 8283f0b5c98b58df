#!/bin/sh
# Provision a host with tuner, as a provisioning system would (as root):
#   1. check PROFILE with the tuner inside DEB, before anything is installed;
#   2. install DEB (apt-get, so that its libraries come too);
#   3. install PROFILE as /etc/tuner/profile.json (a different one there is
#      kept as profile.json.old);
#   4. show 'tuner plan' for this host (a dry run);
#   5. systemctl enable tuner.service: applied at every boot from now on; but
#      where tuner-watch.service is enabled (the two conflict), the watch is
#      kept instead: tuner.service is not enabled (disabled if it was), and a
#      running watch is reloaded to read the new profile.
#
#   scripts/provision.sh [--root DIR] DEB PROFILE
#
# --root DIR provisions the tree DIR (an image being built, a chroot) instead
# of this host: 'dpkg --root=DIR', 'systemctl --root=DIR enable', no plan.
# DIR must hold a dpkg database. DPKG_OPTS adds options to that dpkg.
# TUNER=PATH checks the profile with that tuner instead of DEB's (tests).
#
# Exit status: 0 provisioned; 1 failed, saying which step (a bad profile:
# nothing was installed; a package apt-get or dpkg did not install: the
# profile was not installed either); 64 usage.
set -eu
prog=provision.sh
root=
die() {
	echo "$prog: $*" >&2
	exit 1
}
usage() {
	echo "usage: $prog [--root DIR] DEB PROFILE" >&2
	exit 64
}
while [ $# -gt 0 ]; do
	case $1 in
	--root)
		[ $# -ge 2 ] || usage
		root=$2
		shift 2
		;;
	--root=*)
		root=${1#--root=}
		shift
		;;
	-h | --help)
		sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	--)
		shift
		break
		;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || usage
deb=$1 profile=$2
if [ -n "$root" ]; then
	[ -d "$root/var/lib/dpkg" ] || die "--root $root: no dpkg database in $root/var/lib/dpkg"
	root=$(cd "$root" && pwd)
fi
[ -f "$profile" ] || die "$profile: no such profile file; nothing was installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tuner-provision.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# 1. The profile, checked by the tuner that will run it, the way the boot unit
# will load it: alone in its directory (an "extends" resolves beside the file,
# then among the shipped profiles), without $TUNER_PROFILE_PATH.
if [ -n "${TUNER:-}" ]; then
	tuner=$TUNER
else
	[ -f "$deb" ] || die "$deb: no such package file; nothing was installed"
	dpkg-deb -x "$deb" "$tmp/deb" 2>"$tmp/err" ||
		die "$deb: not a Debian package ($(head -n1 "$tmp/err")); nothing was installed"
	tuner=$tmp/deb/usr/sbin/tuner
	[ -x "$tuner" ] || die "$deb: has no usr/sbin/tuner; nothing was installed"
	TUNER_PROFILE_PATH=$tmp/deb/usr/share/tuner/profiles
	export TUNER_PROFILE_PATH
fi
mkdir "$tmp/check"
cp "$profile" "$tmp/check/profile.json"
if ! "$tuner" profile validate "$tmp/check/profile.json" >"$tmp/out" 2>&1; then
	# the copy's name replaced by PROFILE's, as plain strings (a path may hold
	# any character a sed or awk pattern gives a meaning to)
	FROM=$tmp/check/profile.json TO=$profile awk '{
		out = ""; s = $0; n = length(ENVIRON["FROM"])
		while ((i = index(s, ENVIRON["FROM"])) > 0) {
			out = out substr(s, 1, i - 1) ENVIRON["TO"]; s = substr(s, i + n)
		}
		print out s
	}' "$tmp/out" >&2
	die "$profile is not a valid tuner profile; nothing was installed"
fi
unset TUNER_PROFILE_PATH
[ -f "$deb" ] || die "$deb: no such package file; nothing was installed"

# 2. The package. A changed /etc/tuner/profile.json is kept (step 3 replaces
# it anyway).
echo "$prog: installing $deb${root:+ into $root}"
if [ -n "$root" ]; then
	# shellcheck disable=SC2086 # DPKG_OPTS: several options
	dpkg --root="$root" --force-confold ${DPKG_OPTS:-} -i "$deb" ||
		die "dpkg --root=$root -i $deb failed (exit $?); the profile was not installed"
else
	case $deb in
	/*) path=$deb ;;
	*) path=./$deb ;;
	esac
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confold "$path" ||
		die "apt-get install $path failed (exit $?); the profile was not installed"
fi

# 3. The profile.
conf=$root/etc/tuner/profile.json
if [ -e "$conf" ] &&
	[ "$(stat -L -c %d:%i -- "$profile")" = "$(stat -L -c %d:%i -- "$conf")" ]; then
	# provisioning again with the installed profile (a new package, the same
	# profile): 'install' would refuse to copy a file onto itself
	echo "$prog: $conf is $profile already"
else
	if [ -f "$conf" ] && ! cmp -s "$profile" "$conf"; then
		cp -p "$conf" "$conf.old"
		echo "$prog: the previous $conf is now $conf.old"
	fi
	install -D -m 0644 "$profile" "$conf"
	echo "$prog: installed $profile as $conf"
fi

# 4. The plan (a dry run: exit 0 nothing to change, 2 changes pending).
if [ -z "$root" ]; then
	rc=0
	tuner plan --profile /etc/tuner/profile.json || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ] || die "tuner plan failed (exit $rc)"
fi

# 5. At every boot: tuner.service; or, where tuner-watch.service is enabled,
# the watch, which applies the profile and keeps it applied. The two conflict
# (Conflicts= in tuner-watch.service): with both enabled, which one a boot
# starts is systemd's choice, so tuner.service is not enabled then (and is
# disabled if it was), and a running watch reads the new profile (reload:
# SIGHUP; it keeps the old one if the new one does not load).
sc() {
	if [ -n "$root" ]; then systemctl --root="$root" "$@"; else systemctl "$@"; fi
}
enabled() { # UNIT: enabled (at boot, or for this boot only)
	case $(sc is-enabled "$1" 2>/dev/null) in
	enabled | enabled-runtime) return 0 ;;
	*) return 1 ;;
	esac
}
in_root=${root:+ of $root}
if enabled tuner-watch.service; then
	if enabled tuner.service; then
		sc disable tuner.service ||
			die "systemctl${root:+ --root=$root} disable tuner.service failed (exit $?)"
		echo "$prog: tuner.service was enabled as well: disabled, it conflicts with tuner-watch.service"
	fi
	echo "$prog: tuner-watch.service is enabled: it applies /etc/tuner/profile.json at every" \
		"boot$in_root and keeps it applied; tuner.service is not enabled (the two conflict)"
	if [ -z "$root" ]; then
		systemctl try-reload-or-restart tuner-watch.service ||
			die "systemctl try-reload-or-restart tuner-watch.service failed (exit $?)"
		echo "$prog: a running tuner-watch.service has read the new profile (reload)"
	fi
	exit 0
fi
sc enable tuner.service || die "systemctl${root:+ --root=$root} enable tuner.service failed (exit $?)"
echo "$prog: tuner.service is enabled: /etc/tuner/profile.json is applied at every boot$in_root"
[ -n "$root" ] || echo "$prog: to apply it now: systemctl start tuner.service"
