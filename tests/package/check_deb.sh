#!/bin/sh
# The .deb and what it installs, without touching this machine's dpkg
# database, /etc, /lib or /usr:
#   - cpack builds the package (from BUILD when it was configured with
#     CMAKE_INSTALL_PREFIX=/usr, else from a /usr tree built in WORKDIR; cpack
#     refuses a tree with another prefix, and that is checked too);
#   - dpkg-deb -c: exactly the files that should be there, modes, no build
#     paths; the binary has no RPATH, looks for profiles in
#     /usr/share/tuner/profiles, and the units, rule, man page and completion
#     are the checkout's;
#   - dpkg-deb -I: name, version, architecture, a real Maintainer; Depends
#     names the package of every library the binary links (found with dpkg
#     -S, independently of dpkg-shlibdeps); conffiles lists
#     /etc/tuner/profile.json once; the binary has no TUNER_FAULT hook;
#   - LICENSE is MIT, as every source's SPDX line; usr/share/doc/tuner has
#     copyright (Debian's machine-readable format, LICENSE's holder and text)
#     and changelog.gz (scripts/deb/changelog: this version, this
#     Maintainer);
#   - lintian (Debian's package checker): no error; a package without its
#     copyright file is reported (the check works); no hardening-* tag (an
#     unhardened binary is reported: that check works too), and the binary is
#     a PIE with RELRO, BIND_NOW, *_chk functions and stack canaries;
#   - the maintainer scripts, with a stub systemctl in a namespace where
#     systemd "runs": tuner-watch.service stopped on remove, restarted on
#     upgrade, nothing for another root;
#   - dpkg --root=SCRATCH: install (files there, the tuner runs, the conffile
#     recorded), remove (the changed conffile kept), purge (gone, with the
#     enablement link and /var/lib/tuner); maintainer scripts run chrootless
#     and do nothing outside SCRATCH;
#   - scripts/provision.sh: a bad profile fails first, with a clear message,
#     and nothing is installed; a good one is provisioned into a scratch root,
#     then another (the first kept as profile.json.old), then with the
#     installed profile itself (kept, no error), then with tuner-watch.service
#     enabled (tuner.service, which conflicts with it, disabled and not
#     enabled again, said; on the host, stubbed: the watch reloaded), and a
#     purge leaves nothing in etc; a package apt-get does not install: exit 1,
#     said, no profile installed;
#   - systemd-analyze verify on the units (copies whose /usr/sbin/tuner is the
#     packaged binary; any message counts as a failure);
#   - the man page renders without warnings and names every command and
#     option of 'tuner --help' and 'tuner CMD --help'; the bash completion
#     offers them;
#   - the udev rule: a syntax check, and, where udevadm is installed (or
#     TUNER_UDEVADM names one), 'udevadm test' on this machine's net devices
#     in a private mount namespace with only that rule.
#
#   check_deb.sh BUILD SRCDIR WORKDIR
# shellcheck disable=SC2016 # awk and sed programs in single quotes
set -u
if [ $# -ne 3 ]; then
	echo "usage: $0 BUILD SRCDIR WORKDIR" >&2
	exit 64
fi
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) work=$3
passes=0 fails=0 start=$(date +%s)

ok() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { # WHAT COMMAND...: ok when COMMAND succeeds
	what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
show() { sed 's/^/    /' "$@"; }
finish() {
	echo "time: $(($(date +%s) - start)) s"
	echo "$passes passed, $fails failed"
	[ "$fails" -eq 0 ]
	exit
}

if ! command -v dpkg >/dev/null 2>&1; then
	echo "skip: no dpkg: not a Debian system, no .deb to check"
	exit 77
fi
missing=
for t in dpkg-deb dpkg-shlibdeps dpkg-parsechangelog cpack cmake systemd-analyze systemctl man \
	groff gzip readelf python3 unshare bash lintian cc; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
if [ -n "$missing" ]; then
	echo "FAIL: missing:$missing (scripts/deps.sh test installs them)"
	exit 1
fi

rm -rf "$work"
mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd)
version=$(sed -n 's/^project(tuner VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
deb=$work/pkg/tuner_${version}_$arch.deb

# ---- the package ----
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
# a test build has the TUNER_FAULT hook, which cpack refuses too
hook=
grep -q -a TUNER_FAULT "$build/tuner" 2>/dev/null && hook=" and the TUNER_FAULT test hook"
if [ "$prefix" = /usr ] && [ -z "$hook" ]; then
	pkgbuild=$build
else
	echo "note: $build has CMAKE_INSTALL_PREFIX=$prefix$hook; building a /usr tree in $work/build"
	if cpack --config "$build/CPackConfig.cmake" -B "$work/refused" >"$work/refused.log" 2>&1; then
		fail "cpack made a .deb from a tree with CMAKE_INSTALL_PREFIX=$prefix$hook"
	elif grep -q -e "configured with -DCMAKE_INSTALL_PREFIX=/usr" -e "TUNER_FAULT test hook" \
		"$work/refused.log"; then
		ok "cpack refuses a tree with CMAKE_INSTALL_PREFIX=$prefix$hook, saying why"
	else
		fail "cpack failed on the $prefix tree without saying why"
		show "$work/refused.log"
	fi
	pkgbuild=$work/build
	if ! { cmake -S "$src" -B "$pkgbuild" -DCMAKE_INSTALL_PREFIX=/usr -DTUNER_TESTS=OFF &&
		cmake --build "$pkgbuild" -j"$(nproc)"; } >"$work/build.log" 2>&1; then
		fail "building the /usr tree"
		tail -n 30 "$work/build.log" | show
		finish
	fi
fi
if cpack --config "$pkgbuild/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 &&
	[ -f "$deb" ]; then
	ok "cpack made $(basename "$deb")"
else
	fail "cpack -G DEB"
	show "$work/cpack.log"
	finish
fi

# ---- dpkg-deb -c ----
expected=$work/expected.txt
{
	printf '%s\n' ./etc/tuner/profile.json ./lib/systemd/system/tuner.service \
		./lib/systemd/system/tuner-hotplug@.service ./lib/systemd/system/tuner-watch.service \
		./lib/udev/rules.d/90-tuner.rules \
		./usr/sbin/tuner ./usr/share/bash-completion/completions/tuner \
		./usr/share/doc/tuner/changelog.gz ./usr/share/doc/tuner/copyright \
		./usr/share/man/man8/tuner.8.gz
	for f in "$src"/profiles/*.json "$src"/profiles/README.md; do
		[ -f "$f" ] && echo "./usr/share/tuner/profiles/${f##*/}"
	done
} | LC_ALL=C sort >"$expected"
dpkg-deb -c "$deb" >"$work/contents.txt" || fail "dpkg-deb -c"
awk '$1 !~ /^d/ {print $6}' "$work/contents.txt" | LC_ALL=C sort >"$work/files.txt"
if cmp -s "$expected" "$work/files.txt"; then
	ok "the package holds exactly the $(wc -l <"$expected") expected files"
else
	fail "the package's files differ from the expected ones (-expected +found)"
	diff "$expected" "$work/files.txt" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | show
fi
# every directory is a parent of an expected file
awk '$1 ~ /^d/ {print $6}' "$work/contents.txt" | while read -r d; do
	grep -q "^$d" "$expected" || echo "$d"
done >"$work/stray-dirs.txt"
check "no directory that holds no expected file" test ! -s "$work/stray-dirs.txt"
check "nothing that names the build or the checkout" \
	sh -c "! grep -e '$build' -e '$src' -e CMakeFiles -e _CPack '$work/contents.txt'"
check "everything owned by root:root" sh -c "awk '\$2 != \"root/root\"' '$work/contents.txt' | grep -q . && exit 1 || exit 0"
modes=$(awk '$1 !~ /^d/ {print $1, $6}' "$work/contents.txt" |
	awk '($2 == "./usr/sbin/tuner" && $1 != "-rwxr-xr-x") ||
	     ($2 != "./usr/sbin/tuner" && $1 != "-rw-r--r--")')
check "modes: 0755 for the binary, 0644 for the rest" test -z "$modes"
[ -z "$modes" ] || echo "$modes" | show

x=$work/x
dpkg-deb -x "$deb" "$x" || fail "dpkg-deb -x"
if readelf -d "$x/usr/sbin/tuner" | grep -q -e RPATH -e RUNPATH; then
	fail "the packaged tuner has an RPATH or RUNPATH"
else
	ok "the packaged tuner has no RPATH or RUNPATH"
fi
check "the packaged tuner looks for profiles in /usr/share/tuner/profiles" \
	sh -c "grep -q -a '/usr/share/tuner/profiles' '$x/usr/sbin/tuner' &&
		! grep -q -a '/usr/local/share/tuner' '$x/usr/sbin/tuner'"
n=$(grep -c -a TUNER_FAULT "$x/usr/sbin/tuner")
check "the packaged tuner has no TUNER_FAULT test hook (the string is in $n lines)" test "$n" -eq 0
out=$("$x/usr/sbin/tuner" --version 2>&1)
check "the packaged tuner runs: '$out'" sh -c "echo '$out' | grep -q -F '$version'"
for f in tuner.service tuner-hotplug@.service tuner-watch.service; do
	check "lib/systemd/system/$f is scripts/$f" cmp -s "$x/lib/systemd/system/$f" "$src/scripts/$f"
done
check "lib/udev/rules.d/90-tuner.rules is scripts/90-tuner.rules" \
	cmp -s "$x/lib/udev/rules.d/90-tuner.rules" "$src/scripts/90-tuner.rules"
check "the man page is scripts/tuner.8, compressed" \
	sh -c "gzip -dc '$x/usr/share/man/man8/tuner.8.gz' | cmp -s - '$src/scripts/tuner.8'"
check "the completion is scripts/tuner.bash-completion" \
	cmp -s "$x/usr/share/bash-completion/completions/tuner" "$src/scripts/tuner.bash-completion"
for f in "$src"/profiles/*.json "$src"/profiles/README.md; do
	cmp -s "$f" "$x/usr/share/tuner/profiles/${f##*/}" || fail "profiles/${f##*/} differs"
done
sed 's|"\$schema": "schema.json"|"$schema": "/usr/share/tuner/profiles/schema.json"|' \
	"$src/profiles/default.json" >"$work/profile.json.want"
check "etc/tuner/profile.json is profiles/default.json, \$schema made absolute" \
	cmp -s "$work/profile.json.want" "$x/etc/tuner/profile.json"

# ---- dpkg-deb -I ----
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: tuner" test "$(field Package)" = tuner
check "Version: $version" test "$(field Version)" = "$version"
check "Architecture: $arch" test "$(field Architecture)" = "$arch"
maint=$(field Maintainer)
echo "Maintainer: $maint"
check "a Maintainer: a name and an address" \
	sh -c "echo '$maint' | grep -Eqx '[^<>@]*[[:alpha:]][^<>@]* <[^<> @]+@[^<> @]+\.[^<> @]+>'"
check "the Maintainer is no placeholder" \
	sh -c "! echo '$maint' | grep -Eiq 'placeholder|unknown|nobody|todo|changeme|example\.(com|org|net)>|localhost|root@'"
check "a Description" test -n "$(field Description)"
depends=$(field Depends)
echo "Depends: $depends"
# the package of each library the binary links, by dpkg -S of the path the
# loader finds (ldd)
for lib in $(readelf -d "$x/usr/sbin/tuner" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	path=$(ldd "$x/usr/sbin/tuner" | awk -v l="$lib" '$1 == l {print $3}')
	real=$(readlink -f "$path")
	pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null)
	pkg=${pkg%%:*}
	if [ -z "$pkg" ]; then
		fail "$lib ($path): no package owns it"
	elif echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -qx "$pkg"; then
		ok "Depends names $pkg, for $lib"
	else
		fail "Depends does not name $pkg, for $lib"
	fi
done
for pkg in libcjson1 libhwloc15 libnl-3-200 libnl-genl-3-200 libsystemd0; do
	echo "$depends" | grep -q "$pkg" || fail "Depends does not name $pkg"
done
dpkg-deb -e "$deb" "$work/control" || fail "dpkg-deb -e"
check "conffiles is /etc/tuner/profile.json, once" \
	sh -c "printf '/etc/tuner/profile.json\n' | cmp -s - '$work/control/conffiles'"
check "postinst, prerm and postrm, executable" \
	test -x "$work/control/postinst" -a -x "$work/control/prerm" -a -x "$work/control/postrm"
# What the maintainer scripts ask of systemd, on a host it runs (a private
# mount namespace whose /run has systemd/system; systemctl and
# deb-systemd-invoke stubs that record their arguments): a running
# tuner-watch.service is stopped on remove (it would go on changing the host as
# root, its binary gone) and restarted on upgrade (else the old binary runs
# until the next boot); for another root, nothing.
# MAINT SCRIPT ARGS...: what the stubs were asked, ';'-separated
mkdir -p "$work/maint"
for c in systemctl deb-systemd-invoke; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/maint/calls"\n' "$c" "$work" >"$work/maint/$c"
	chmod +x "$work/maint/$c"
done
maint() {
	script=$1
	shift
	: >"$work/maint/calls"
	unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /run &&
		mkdir -p /run/systemd/system && PATH="$0:$PATH" exec sh "$@"' \
		"$work/maint" "$work/control/$script" "$@" >/dev/null 2>&1 ||
		echo "exit $?" >>"$work/maint/calls"
	tr '\n' ';' <"$work/maint/calls"
}
for c in "prerm remove|deb-systemd-invoke stop tuner-watch.service;" \
	"prerm upgrade 0.1.0|" \
	"postinst configure|systemctl daemon-reload;" \
	"postinst configure 0.0.9|systemctl daemon-reload;deb-systemd-invoke try-restart tuner-watch.service;" \
	"postrm remove|systemctl daemon-reload;" \
	"postrm upgrade 0.1.0|"; do
	args=${c%%|*} want=${c#*|}
	# shellcheck disable=SC2086 # the script and its arguments
	got=$(maint $args)
	check "$args, systemd running: '$want' (got '$got')" test "$got" = "$want"
done
got=$(DPKG_ROOT=/nonexistent maint prerm remove)$(DPKG_ROOT=/nonexistent maint postinst configure 0.0.9)
check "prerm remove and postinst configure OLD for another root (DPKG_ROOT): nothing asked ($got)" \
	test -z "$got"

# ---- licence, copyright, changelog ----
lic=$src/LICENSE
check "LICENSE: the MIT licence" sh -c "head -n 1 '$lic' | grep -qx 'MIT License' &&
	grep -q '^Copyright (c) [0-9]* The tuner authors$' '$lic'"
notmit=$(grep -L 'SPDX-License-Identifier: MIT' $(find "$src/tuner" "$src/tests" "$src/bench" \
	-name '*.[ch]' -not -path '*/cache/*'))
check "every C source says SPDX MIT, as LICENSE does${notmit:+ (not: $notmit)}" test -z "$notmit"
cr=$x/usr/share/doc/tuner/copyright
dep5=https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
check "usr/share/doc/tuner/copyright: Debian's machine-readable format" \
	sh -c "head -n 1 '$cr' | grep -qx 'Format: $dep5'"
check "... Files: *, the holder of LICENSE, License: Expat (MIT)" \
	sh -c "grep -qx 'Files: \*' '$cr' && grep -qx 'License: Expat' '$cr' &&
		grep -qx \"Copyright: \$(sed -n 's/^Copyright (c) //p' '$lic')\" '$cr'"
# the licence text: the field's continuation lines, " ." for a blank line
sed -n '/^License: Expat$/,$p' "$cr" | sed '1d; s/^ //; s/^\.$//' >"$work/cr-text"
sed '1,/^Copyright (c)/d' "$lic" | sed '1{/^$/d}' >"$work/lic-text"
check "... with the text of LICENSE" \
	sh -c "grep -q 'Permission is hereby granted' '$work/lic-text' &&
		cmp -s '$work/lic-text' '$work/cr-text'"
cl=$work/changelog
gzip -dc "$x/usr/share/doc/tuner/changelog.gz" >"$cl" 2>/dev/null
check "usr/share/doc/tuner/changelog.gz is scripts/deb/changelog" cmp -s "$cl" "$src/scripts/deb/changelog"
clv=$(dpkg-parsechangelog -l "$cl" -S Version 2>&1)
check "... its newest entry is version $version ($clv)" test "$clv" = "$version"
clm=$(dpkg-parsechangelog -l "$cl" -S Maintainer 2>&1)
check "... by the package's Maintainer ($clm)" test "$clm" = "$maint"

# ---- lintian ----
# Debian's package checker: no error (a warning is shown, and reported).
lintian --fail-on error --display-info "$deb" >"$work/lintian.log" 2>&1
rc=$?
grep -v 'running with root privileges' "$work/lintian.log" >"$work/lintian.txt"
if [ $rc -eq 0 ] && ! grep -q '^E: ' "$work/lintian.txt"; then
	ok "lintian: no error ($(grep -c '^W: ' "$work/lintian.txt") warnings, $(grep -c '^I: ' \
		"$work/lintian.txt") notes)"
else
	fail "lintian: exit $rc"
fi
show "$work/lintian.txt"
# the check is worth something: a package without its copyright file is an error
dpkg-deb -R "$deb" "$work/nocopyright" && rm "$work/nocopyright/usr/share/doc/tuner/copyright" &&
	dpkg-deb --root-owner-group -b "$work/nocopyright" "$work/nocopyright.deb" >/dev/null
lintian "$work/nocopyright.deb" >"$work/lintian-bad.log" 2>&1
check "lintian reports a package without its copyright file (so silence means something)" \
	grep -q '^E: tuner: no-copyright-file' "$work/lintian-bad.log"
# Hardening (cmake/hardening.cmake): lintian's hardening-* tags are notes (I:),
# which --fail-on error lets through; none may be there. And the binary itself:
# a PIE, RELRO bound at start (BIND_NOW), checked functions (_chk) and stack
# canaries (__stack_chk_fail) in its dynamic symbols.
hard=$(grep -E '^[EWIPX]: tuner[^:]*: hardening-' "$work/lintian.txt" | sed 's/^[EWIPX]: tuner[^:]*: //' |
	tr '\n' ' ')
check "lintian: no hardening-* tag${hard:+ (found: $hard)}" test -z "$hard"
tb=$x/usr/sbin/tuner
check "the packaged tuner: a PIE, with GNU_RELRO and BIND_NOW" \
	sh -c "readelf -h '$tb' | grep -q 'Type:.*DYN' && readelf -l '$tb' | grep -q GNU_RELRO &&
		readelf -d '$tb' | grep -q 'FLAGS.*BIND_NOW' && readelf -d '$tb' | grep -q 'FLAGS_1.*PIE'"
check "the packaged tuner: fortified functions (*_chk) and stack canaries" \
	sh -c "readelf --dyn-syms -W '$tb' | grep -q '__[a-z]*_chk@' &&
		readelf --dyn-syms -W '$tb' | grep -q '__stack_chk_fail@'"
# the check is worth something: a binary built without them is reported
printf '#include <stdio.h>\n#include <string.h>\nint main(int c, char **v)\n{\n\tchar b[8];\n\tstrcpy(b, v[c - 1]);\n\tprintf(b);\n\treturn b[1];\n}\n' \
	>"$work/soft.c"
dpkg-deb -R "$deb" "$work/soft" && cc -O2 -U_FORTIFY_SOURCE -fno-stack-protector -Wno-format-security \
	-Wl,-z,norelro -Wl,-z,lazy -o "$work/soft/usr/sbin/tuner" "$work/soft.c" &&
	dpkg-deb --root-owner-group -b "$work/soft" "$work/soft.deb" >/dev/null
lintian --display-info "$work/soft.deb" >"$work/lintian-soft.log" 2>&1
check "lintian reports an unhardened binary (hardening-no-relro, -no-bindnow, -no-fortify-functions)" \
	sh -c "grep -q 'hardening-no-relro' '$work/lintian-soft.log' &&
		grep -q 'hardening-no-bindnow' '$work/lintian-soft.log' &&
		grep -q 'hardening-no-fortify-functions' '$work/lintian-soft.log'"

# ---- install, remove, purge in a scratch root ----
newroot() {
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates" && : >"$1/var/lib/dpkg/status"
}
# The libraries are not "installed" in the scratch root; the maintainer
# scripts run here, with DPKG_ROOT set, and must only touch DPKG_ROOT.
# --path-include: a path-exclude in /etc/dpkg/dpkg.cfg.d (slim images) does not apply
dpkg_r() { dpkg --root="$r" --force-depends --force-script-chrootless --path-include="*" "$@"; }
r=$work/root
newroot "$r"
if dpkg_r -i "$deb" >"$work/dpkg-i.log" 2>&1; then
	ok "dpkg --root -i"
else
	fail "dpkg --root -i"
	show "$work/dpkg-i.log"
fi
st=$(dpkg-query --root="$r" -W -f='${Status}' tuner 2>/dev/null)
check "status: $st" test "$st" = "install ok installed"
missing=
while read -r f; do
	[ -f "$r/${f#./}" ] || missing="$missing ${f#.}"
done <"$expected"
check "every file is installed${missing:+ (missing:$missing)}" test -z "$missing"
check "the conffile is recorded" sh -c "dpkg-query --root='$r' -W -f='\${Conffiles}' tuner | grep -q '/etc/tuner/profile.json [0-9a-f]'"
check "the installed tuner validates /etc/tuner/profile.json" \
	sh -c "'$r/usr/sbin/tuner' profile validate '$r/etc/tuner/profile.json' >/dev/null"
bad=
for f in "$r"/usr/share/tuner/profiles/*.json; do
	n=${f##*/}
	n=${n%.json}
	[ "$n" = schema ] && continue
	TUNER_PROFILE_PATH=$r/usr/share/tuner/profiles "$r/usr/sbin/tuner" profile show "$n" \
		>/dev/null 2>&1 || bad="$bad $n"
done
check "every shipped profile loads by name from the installed directory${bad:+ (not:$bad)}" \
	test -z "$bad"
check "installing enables neither unit (tuner-watch.service ships disabled)" \
	sh -c "! ls '$r/etc/systemd/system/'*.wants/tuner*.service >/dev/null 2>&1"
systemctl --root="$r" enable tuner.service >/dev/null 2>&1
mkdir -p "$r/var/lib/tuner" && : >"$r/var/lib/tuner/x.journal"
echo '{"name": "mine", "extends": "default"}' >"$r/etc/tuner/profile.json"
if dpkg_r -r tuner >"$work/dpkg-r.log" 2>&1; then
	ok "dpkg --root -r"
else
	fail "dpkg --root -r"
	show "$work/dpkg-r.log"
fi
check "after -r: the binary is gone" test ! -e "$r/usr/sbin/tuner"
check "after -r: the changed conffile is kept" grep -q mine "$r/etc/tuner/profile.json"
st=$(dpkg-query --root="$r" -W -f='${Status}' tuner 2>/dev/null)
check "after -r: status $st" test "$st" = "deinstall ok config-files"
if dpkg_r -P tuner >"$work/dpkg-p.log" 2>&1; then
	ok "dpkg --root -P"
else
	fail "dpkg --root -P"
	show "$work/dpkg-p.log"
fi
check "after -P: /etc/tuner is gone" test ! -e "$r/etc/tuner"
check "after -P: the enablement link is gone" \
	test ! -L "$r/etc/systemd/system/multi-user.target.wants/tuner.service"
check "after -P: /var/lib/tuner is gone" test ! -e "$r/var/lib/tuner"
left=$(cd "$r" && find . ! -type d ! -path './var/lib/dpkg/*' | LC_ALL=C sort)
check "after -P: no file left${left:+: $left}" test -z "$left"

# ---- scripts/provision.sh ----
prov=$src/scripts/provision.sh
stubs=$work/stubs
mkdir -p "$stubs"
for c in dpkg apt-get apt systemctl install; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\nexit 0\n' "$c" "$work" >"$stubs/$c"
	chmod +x "$stubs/$c"
done
# systemctl is-enabled UNIT: the word in $work/state-UNIT ("disabled" if none),
# exit 0 for "enabled", as systemctl does
cat >"$stubs/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*" >>"$work/calls"
if [ "\$1" = is-enabled ]; then
	state=\$(cat "$work/state-\$2" 2>/dev/null || echo disabled)
	echo "\$state"
	[ "\$state" = enabled ]
fi
EOF
printf '{"name": "bad", "extends": "default", "sysctl": {"net.core.netdev_budget": "lots"}}\n' \
	>"$work/bad.json"
echo 'not a package' >"$work/fake.deb"
printf '{"name": "mine", "extends": "redis-numa-split"}\n' >"$work/mine.json"
# PROVISION OUT [ENV...]: run provision.sh with the stubs first in PATH
provision() {
	out=$1
	shift
	env PATH="$stubs:$PATH" "$@" >"$out" 2>&1
}
rm -f "$work/calls"
provision "$work/p1.log" TUNER="$build/tuner" sh "$prov" "$work/fake.deb" "$work/bad.json"
rc=$?
check "provision.sh, bad profile, fake .deb, TUNER=build/tuner: exit $rc (want 1)" test $rc -eq 1
check "... says the profile is bad and nothing was installed" \
	grep -q "bad.json is not a valid tuner profile; nothing was installed" "$work/p1.log"
check "... with the validator's message, naming the file" \
	sh -c "grep -v '^provision.sh:' '$work/p1.log' | grep -q 'bad.json'"
check "... and ran nothing that installs" test ! -e "$work/calls"
# a profile whose path has characters a sed pattern takes for its own ('|',
# '&'): the validator's message still names it (it was a sed error, alone)
odd="$work/a|b&c.json"
cp "$work/bad.json" "$odd"
provision "$work/p1odd.log" TUNER="$build/tuner" sh "$prov" "$work/fake.deb" "$odd"
rc=$?
check "provision.sh, bad profile named 'a|b&c.json': exit $rc (want 1), named in the messages" \
	sh -c "[ $rc -eq 1 ] &&
		grep -q -F 'tuner: $odd:1:' '$work/p1odd.log' &&
		grep -q -F '$odd is not a valid tuner profile; nothing was installed' '$work/p1odd.log'"
[ $rc -eq 1 ] || show "$work/p1odd.log"
provision "$work/p2.log" sh "$prov" "$deb" "$work/bad.json"
rc=$?
check "provision.sh, bad profile, the .deb's own tuner: exit $rc (want 1), nothing run" \
	sh -c "[ $rc -eq 1 ] && grep -q 'not a valid tuner profile' '$work/p2.log' && [ ! -e '$work/calls' ]"
provision "$work/p3.log" sh "$prov" "$work/fake.deb" "$src/profiles/default.json"
rc=$?
check "provision.sh, a file that is no .deb: exit $rc (want 1), says so, nothing run" \
	sh -c "[ $rc -eq 1 ] && grep -q 'not a Debian package' '$work/p3.log' && [ ! -e '$work/calls' ]"
# a package apt-get does not install (exit 100): provision.sh fails with its
# documented 1, says which step, and installs no profile, enables nothing
fails_dir=$work/stubs-fail
mkdir -p "$fails_dir"
cp "$stubs"/* "$fails_dir/"
printf '#!/bin/sh\necho "apt-get $*" >>"%s/calls"\necho "E: broken" >&2\nexit 100\n' "$work" \
	>"$fails_dir/apt-get"
rm -f "$work/calls"
env PATH="$fails_dir:$PATH" sh "$prov" "$deb" "$work/mine.json" >"$work/p7.log" 2>&1
rc=$?
check "provision.sh, apt-get fails (exit 100): exit $rc (want 1), says so, installs no profile" \
	sh -c "[ $rc -eq 1 ] && grep -q 'apt-get install .* failed (exit 100); the profile was not installed' \
		'$work/p7.log' && [ \"\$(cut -d' ' -f1 '$work/calls')\" = apt-get ]"
for f in "$work"/p1.log "$work"/p2.log "$work"/p3.log "$work"/p7.log; do
	[ -s "$f" ] && {
		echo "  ${f##*/}:"
		show "$f"
	}
done
# the whole flow on a host, with stubs for everything that would change this
# one (apt-get, install, systemctl) and for the plan (tuner: exit 2, changes
# pending); only where no /etc/tuner/profile.json is there to be compared
if [ -e /etc/tuner/profile.json ]; then
	echo "note: /etc/tuner/profile.json exists: provision.sh on the host not run"
else
	printf '#!/bin/sh\necho "tuner $*" >>"%s/calls"\nexit 2\n' "$work" >"$stubs/tuner"
	chmod +x "$stubs/tuner"
	rm -f "$work/calls"
	if provision "$work/p5.log" sh "$prov" "$deb" "$work/mine.json"; then
		ok "provision.sh on the host (stubbed): exit 0 with 'tuner plan' exiting 2"
	else
		fail "provision.sh on the host (stubbed)"
		show "$work/p5.log"
	fi
	cat >"$work/calls.want" <<EOF
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold $deb
install -D -m 0644 $work/mine.json /etc/tuner/profile.json
tuner plan --profile /etc/tuner/profile.json
systemctl is-enabled tuner-watch.service
systemctl enable tuner.service
EOF
	if cmp -s "$work/calls.want" "$work/calls"; then
		ok "... ran apt-get install, install, tuner plan, systemctl enable, in that order"
	else
		fail "... ran (-wanted +ran):"
		diff "$work/calls.want" "$work/calls" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | show
	fi
	# where tuner-watch.service is enabled (it conflicts with tuner.service):
	# tuner.service is not enabled, and disabled if it was; a running watch
	# is told to read the new profile (try-reload-or-restart: only if it runs)
	for t in disabled enabled; do
		echo enabled >"$work/state-tuner-watch.service"
		echo "$t" >"$work/state-tuner.service"
		rm -f "$work/calls"
		provision "$work/p9-$t.log" sh "$prov" "$deb" "$work/mine.json"
		rc=$?
		{
			sed -n '1,3p' "$work/calls.want"
			echo "systemctl is-enabled tuner-watch.service"
			echo "systemctl is-enabled tuner.service"
			[ "$t" = disabled ] || echo "systemctl disable tuner.service"
			echo "systemctl try-reload-or-restart tuner-watch.service"
		} >"$work/calls9.want"
		if [ $rc -eq 0 ] && cmp -s "$work/calls9.want" "$work/calls" &&
			grep -q "tuner-watch.service is enabled: .*tuner.service is not enabled (the two conflict)" \
				"$work/p9-$t.log"; then
			ok "provision.sh on the host (stubbed), tuner-watch.service enabled, tuner.service $t:" \
				"tuner.service left disabled, the watch reloaded, said"
		else
			fail "provision.sh on the host (stubbed), tuner-watch.service enabled, tuner.service $t:" \
				"exit $rc (want 0); ran (-wanted +ran):"
			diff "$work/calls9.want" "$work/calls" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | show
			show "$work/p9-$t.log"
		fi
	done
	rm -f "$stubs/tuner" "$work/state-tuner-watch.service" "$work/state-tuner.service"
fi
# the whole flow, into a scratch root (dpkg, install and systemctl are real:
# the stubs are not in PATH)
r=$work/provisioned
newroot "$r"
if DPKG_OPTS="--force-depends --force-script-chrootless --path-include=*" sh "$prov" --root "$r" "$deb" \
	"$work/mine.json" >"$work/p4.log" 2>&1; then
	ok "provision.sh --root SCRATCH (a profile extending a shipped one by name)"
else
	fail "provision.sh --root SCRATCH"
	show "$work/p4.log"
fi
check "... installed the package there" test -x "$r/usr/sbin/tuner"
check "... and the profile as etc/tuner/profile.json" cmp -s "$work/mine.json" "$r/etc/tuner/profile.json"
check "... and enabled tuner.service there" \
	test "$(readlink "$r/etc/systemd/system/multi-user.target.wants/tuner.service")" = \
	/lib/systemd/system/tuner.service
# provisioned again with another profile: the first is kept as profile.json.old;
# a purge then leaves nothing of tuner's in /etc
printf '{"name": "mine2", "extends": "default"}\n' >"$work/mine2.json"
DPKG_OPTS="--force-depends --force-script-chrootless --path-include=*" sh "$prov" --root "$r" "$deb" \
	"$work/mine2.json" >"$work/p6.log" 2>&1
check "provision.sh --root again, another profile: the first kept as profile.json.old" \
	cmp -s "$work/mine.json" "$r/etc/tuner/profile.json.old"
# and again with the installed profile itself (a new package, the same
# profile): 'install' copied it onto itself, failed, and tuner.service was
# not enabled
rm -f "$r/etc/systemd/system/multi-user.target.wants/tuner.service"
DPKG_OPTS="--force-depends --force-script-chrootless --path-include=*" sh "$prov" --root "$r" "$deb" \
	"$r/etc/tuner/profile.json" >"$work/p8.log" 2>&1
rc=$?
check "provision.sh --root with its own etc/tuner/profile.json: exit $rc (want 0), profile kept, enabled" \
	sh -c "[ $rc -eq 0 ] && cmp -s '$work/mine2.json' '$r/etc/tuner/profile.json' &&
		cmp -s '$work/mine.json' '$r/etc/tuner/profile.json.old' &&
		[ -L '$r/etc/systemd/system/multi-user.target.wants/tuner.service' ]"
[ $rc -eq 0 ] || show "$work/p8.log"
# tuner-watch.service enabled there as well (with both, which one a boot starts
# is systemd's choice: they conflict), then provisioned again: tuner.service
# disabled, the watch kept, said; and once more: still only the watch
wants=$r/etc/systemd/system/multi-user.target.wants
systemctl --root="$r" enable tuner-watch.service >"$work/enable-watch.log" 2>&1 ||
	fail "systemctl --root SCRATCH enable tuner-watch.service"
for n in 1 2; do
	DPKG_OPTS="--force-depends --force-script-chrootless --path-include=*" sh "$prov" --root "$r" \
		"$deb" "$work/mine2.json" >"$work/p10-$n.log" 2>&1
	rc=$?
	units=
	for u in tuner.service tuner-watch.service; do
		[ -L "$wants/$u" ] && units="$units $u"
	done
	if [ $rc -eq 0 ] && [ "$units" = " tuner-watch.service" ] &&
		grep -q "tuner-watch.service is enabled: .*tuner.service is not enabled" "$work/p10-$n.log"; then
		ok "provision.sh --root, tuner-watch.service enabled (run $n): tuner.service not enabled, said"
	else
		fail "provision.sh --root, tuner-watch.service enabled (run $n): exit $rc (want 0)," \
			"enabled:${units:- none} (want tuner-watch.service only)"
		show "$work/p10-$n.log"
	fi
done
check "... the first run says tuner.service was disabled" \
	grep -q "tuner.service was enabled as well: disabled" "$work/p10-1.log"
dpkg --root="$r" --force-depends --force-script-chrootless -P tuner >"$work/dpkg-p2.log" 2>&1 ||
	fail "dpkg --root -P after provision.sh"
left=$(cd "$r" && find etc var/lib/tuner -path etc/systemd -prune -o -print 2>/dev/null |
	grep -v '^etc$' | LC_ALL=C sort | tr '\n' ' ')
check "after -P: nothing left in etc (but systemd's) or var/lib/tuner${left:+: $left}" test -z "$left"

# ---- systemd-analyze verify ----
# Copies of the packaged units naming the packaged binary (verify wants the
# ExecStart program to exist) and, through MANPATH, its man page
# (Documentation=man:tuner(8)). Everything else is the packaged text; the
# units they refer to are this machine's.
v=$work/verify
mkdir -p "$v"
for f in tuner.service tuner-hotplug@.service tuner-watch.service; do
	sed "s|/usr/sbin/tuner|$x/usr/sbin/tuner|g" "$x/lib/systemd/system/$f" >"$v/$f"
done
MANPATH=$x/usr/share/man systemd-analyze verify "$v/tuner.service" "$v/tuner-hotplug@.service" \
	"$v/tuner-watch.service" >"$work/verify.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$work/verify.log" ]; then
	ok "systemd-analyze verify: the three units, no message"
else
	fail "systemd-analyze verify: exit $rc"
	show "$work/verify.log"
fi
# the check is worth something: a misspelt key is reported
mkdir -p "$v/bad"
sed 's/^RemainAfterExit=/RemainAfterExi=/' "$v/tuner.service" >"$v/bad/tuner.service"
MANPATH=$x/usr/share/man systemd-analyze verify "$v/bad/tuner.service" >"$work/verify-bad.log" 2>&1
check "systemd-analyze verify reports a misspelt key (so silence means something)" \
	grep -q RemainAfterExi "$work/verify-bad.log"

# ---- the man page ----
for w in 80 100; do
	MANWIDTH=$w man --warnings -l "$src/scripts/tuner.8" 2>"$work/man.err" >"$work/man.txt"
	check "man --warnings -l scripts/tuner.8, width $w: no warning" test ! -s "$work/man.err"
	show "$work/man.err"
done
groff -man -ww -z "$src/scripts/tuner.8" >"$work/groff.err" 2>&1
check "groff -man -ww -z: no warning" test ! -s "$work/groff.err"
show "$work/groff.err"
MANWIDTH=80 man -l "$x/usr/share/man/man8/tuner.8.gz" >"$work/man-installed.txt" 2>&1
check "the installed tuner.8.gz renders" grep -q "NICS THAT APPEAR LATER" "$work/man-installed.txt"
long=$(awk 'length > 80' "$work/man-installed.txt")
check "no rendered line wider than 80 columns" test -z "$long"

# Every command and long option of the help texts is in the man page and is
# offered by the completion for its command.
tuner=$build/tuner
cmds=$("$tuner" --help | awk '/^Commands:/ {on = 1; next} on && /^$/ {on = 0} on {print $1}')
check "tuner --help lists commands: $(echo "$cmds" | tr '\n' ' ')" test -n "$cmds"
comp() { # WORDS...: what the completion offers for them (the last is completed)
	bash -c '. "$1"; shift; compopt() { :; }; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tuner
		printf "%s\n" "${COMPREPLY[@]}"' sh "$src/scripts/tuner.bash-completion" "$@"
}
for c in $cmds; do
	grep -q -e "^\.B $c\$" -e "^\.BI \"$c " -e "^.fB$c " "$src/scripts/tuner.8" ||
		fail "man page: no entry for command $c"
	comp tuner "${c%"${c#??}"}" | grep -qx "$c" || fail "completion: 'tuner ${c%"${c#??}"}' does not offer $c"
	opts=$("$tuner" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	offered=$(comp tuner "$c" --)
	for o in $opts; do
		man_o=$(echo "$o" | sed 's/-/\\\\-/g')
		grep -q -- "$man_o" "$src/scripts/tuner.8" || fail "man page: no $o (tuner $c --help)"
		echo "$offered" | grep -qx -- "$o" || fail "completion: tuner $c -- does not offer $o"
	done
	ok "tuner $c: the man page and the completion know $(echo "$opts" | wc -w) options"
done
for o in $("$tuner" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	man_o=$(echo "$o" | sed 's/-/\\\\-/g')
	grep -q -- "$man_o" "$src/scripts/tuner.8" || fail "man page: no global $o"
done
for s in 0 1 2 3 4 64; do
	grep -q "^\.B $s\$" "$src/scripts/tuner.8" || fail "man page: no exit status $s"
done
# and every exit status the binary's help names (tuner.service counts only 0
# as success)
codes=$("$tuner" --help | sed -n '/^Exit status:/,/^$/p' | grep -o '[0-9][0-9]* [a-z(]' |
	cut -d' ' -f1 | sort -un)
missing=
for s in $codes; do
	grep -q "^\.B $s\$" "$src/scripts/tuner.8" || missing="$missing $s"
done
check "every exit status of 'tuner --help' ($(echo "$codes" | tr '\n' ' ' | sed 's/ $//')) is in the man page${missing:+ (not:$missing)}" \
	test -z "$missing"
for e in TUNER_PROFILE_PATH TUNER_FAULT /etc/tuner/profile.json /usr/share/tuner/profiles \
	/var/lib/tuner; do
	grep -q -- "$e" "$src/scripts/tuner.8" || fail "man page: no $e"
done
# the completion's lookups: profile names, journal ids
mkdir -p "$work/state"
: >"$work/state/20261130T000000_000Z-1.journal"
: >"$work/state/20261130T000001_000Z-2.journal"
got=$(TUNER_PROFILE_PATH=$src/profiles comp tuner plan --profile red | grep -x redis-numa-split)
check "completion: --profile red offers redis-numa-split" test -n "$got"
got=$(TUNER_PROFILE_PATH=$src/profiles comp tuner plan --profile sch | grep -x schema)
check "completion: not the schema" test -z "$got"
got=$(comp tuner rollback --state-dir "$work/state" 2026 | wc -l)
check "completion: rollback offers the journal ids of --state-dir ($got)" test "$got" -eq 2
got=$(comp tuner profile '' | tr '\n' ' ')
check "completion: profile offers validate show ($got)" test "$got" = "validate show "

# ---- the udev rule ----
rule=$src/scripts/90-tuner.rules
if python3 - "$rule" <<'EOF'; then
import re, sys
p = sys.argv[1]
match_only = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "SUBSYSTEM", "SUBSYSTEMS", "DRIVER",
              "DRIVERS", "ATTRS", "TAGS", "CONST", "TEST", "PROGRAM", "RESULT"}
assign_only = {"OWNER", "GROUP", "MODE", "SECLABEL", "RUN", "LABEL", "GOTO", "IMPORT",
               "OPTIONS", "WAIT_FOR"}
both = {"NAME", "SYMLINK", "ATTR", "SYSCTL", "ENV", "TAG"}
need_attr = {"ATTR", "ATTRS", "SYSCTL", "ENV", "IMPORT", "CONST", "SECLABEL"}
item = re.compile(r'\s*([A-Z_]+)(\{[^}]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*$')
labels, gotos, bad = set(), [], 0
for n, line in enumerate(open(p), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    for it in re.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', line):
        m = item.match(it)
        if not m:
            print(f"{p}:{n}: cannot parse {it!r}"); bad += 1; continue
        key, attr, op, val = m.groups()
        if key not in match_only | assign_only | both:
            print(f"{p}:{n}: unknown key {key}"); bad += 1
        elif op in ("==", "!=") and key in assign_only:
            print(f"{p}:{n}: {key} cannot be matched"); bad += 1
        elif op not in ("==", "!=") and key in match_only:
            print(f"{p}:{n}: {key} cannot be assigned"); bad += 1
        if key in need_attr and not attr:
            print(f"{p}:{n}: {key} needs {{...}}"); bad += 1
        if key == "LABEL":
            labels.add(val)
        if key == "GOTO":
            gotos.append((n, val))
for n, g in gotos:
    if g not in labels:
        print(f"{p}:{n}: GOTO {g} has no LABEL"); bad += 1
sys.exit(1 if bad else 0)
EOF
	ok "90-tuner.rules: keys, operators and labels"
else
	fail "90-tuner.rules: syntax"
fi
udevadm=${TUNER_UDEVADM:-$(command -v udevadm 2>/dev/null)}
if [ -z "$udevadm" ]; then
	echo "note: no udevadm (the udev package is not installed: installing it on a" \
		"machine not booted with systemd starts udevd, which retriggers and renames" \
		"its devices), so 90-tuner.rules is not run; TUNER_UDEVADM=PATH runs it"
else
	# In a private mount namespace: /run is a tmpfs (udevadm test writes its
	# database there), every rules directory is empty but for our rule.
	u=$work/udev
	mkdir -p "$u/empty" "$u/rules"
	cp "$rule" "$u/rules/"
	cat >"$u/run.sh" <<'EOF'
set -e
udevadm=$1 rules=$2 empty=$3 synth=$4
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mkdir -p /run/udev/rules.d
cp "$rules"/* /run/udev/rules.d/
[ "$synth" = 1 ] && echo 'ENV{SYNTH_UUID}="0"' >/run/udev/rules.d/10-synth.rules
for d in /etc/udev/rules.d /lib/udev/rules.d /usr/lib/udev/rules.d /usr/local/lib/udev/rules.d; do
	[ -d "$d" ] && mount --bind "$empty" "$d"
done
for dev in /sys/class/net/*; do
	n=${dev##*/}
	w=$("$udevadm" test --action=add "$dev" 2>/dev/null | sed -n 's/^SYSTEMD_WANTS=//p')
	d=-
	[ -e "$dev/device" ] && d=device
	echo "$n $d ${w:--}"
done
EOF
	for synth in 0 1; do
		if unshare -m sh "$u/run.sh" "$udevadm" "$u/rules" "$u/empty" $synth >"$u/out$synth" \
			2>"$u/err$synth"; then
			:
		else
			fail "udevadm test in a private mount namespace"
			show "$u/err$synth"
		fi
	done
	echo "  udevadm test --action=add (name, device link, SYSTEMD_WANTS):"
	show "$u/out0"
	check "udevadm test: tuner-hotplug@.service for exactly the devices with a device link" \
		awk '($2 == "device") != ($3 == "tuner-hotplug@.service") {exit 1}' "$u/out0"
	check "udevadm test: nothing for events with SYNTH_UUID (udevadm trigger)" \
		awk '$3 != "-" {exit 1}' "$u/out1"
	grep -q ' device ' "$u/out0" || echo "note: this machine has no device with a device link"
fi

finish
