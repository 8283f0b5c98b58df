#!/bin/sh
# Install the Debian 12 packages tuner needs, as root; quiet and idempotent
# (no apt-get at all when everything is there).
#   scripts/deps.sh build   what building tuner needs
#   scripts/deps.sh test    that, plus what the test suite needs
set -eu
what=${1:-build}
pkgs="gcc make cmake pkg-config libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libhwloc-dev
libcjson-dev libsystemd-dev"
if [ "$what" = test ]; then
	pkgs="$pkgs libcmocka-dev python3 hwloc ethtool iproute2 util-linux clang
libclang-rt-14-dev valgrind dpkg-dev man-db groff-base systemd ansible-core lintian
prometheus-node-exporter curl strace python3-jsonschema clang-format"
fi
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "scripts/deps.sh: run as root to install:$missing" >&2
	exit 1
fi
echo "scripts/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
