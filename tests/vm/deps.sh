#!/bin/bash
# Install the Debian packages the VM test tier (tests/vm/run.sh) needs.
# Idempotent and quiet: does nothing when everything is already there.
# Needs root (or sudo) and Debian's package archive.
set -euo pipefail

# package -> a file that proves it is installed
declare -A NEED=(
    [qemu-system-x86]=/usr/bin/qemu-system-x86_64
    [busybox-static]=/bin/busybox
    [cpio]=/usr/bin/cpio
    [kmod]=/usr/bin/kmod
    [xz-utils]=/usr/bin/xz
    [jq]=/usr/bin/jq
    [ethtool]=/usr/sbin/ethtool
    [iproute2]=/usr/bin/ip
    # tests/apply/threads.c is built with gcc -static for the guest
    [gcc]=/usr/bin/gcc
    [libc6-dev]=/usr/include/stdio.h
    # the guest's irqbalance (scenario 07; run.sh fetches the .deb with
    # apt-get download and never installs it) runs with this host's copies of
    # its libraries: what `ldd` lists for Debian 12's irqbalance 1.9.2
    [libcap-ng0]=/usr/lib/$(uname -m)-linux-gnu/libcap-ng.so.0
    [libglib2.0-0]=/usr/lib/$(uname -m)-linux-gnu/libglib-2.0.so.0
    [libnuma1]=/usr/lib/$(uname -m)-linux-gnu/libnuma.so.1
    [libsystemd0]=/usr/lib/$(uname -m)-linux-gnu/libsystemd.so.0
)

missing=()
for pkg in "${!NEED[@]}"; do
    # busybox-static: the dynamic "busybox" package also ships /bin/busybox,
    # so ask dpkg for the static one explicitly.
    if [ "$pkg" = busybox-static ]; then
        dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$pkg")
        continue
    fi
    [ -e "${NEED[$pkg]}" ] || missing+=("$pkg")
done

# run.sh resolves today's kernel package names with apt-cache and fetches
# them with apt-get download, so the package lists must be present and not
# stale (the archive drops superseded kernel ABIs at point releases).
lists_fresh() {
    local f
    f=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)
    [ -n "$f" ]
}

if [ "${#missing[@]}" -eq 0 ] && lists_fresh; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "tests/vm/deps.sh: need root to install: ${missing[*]:-(package lists)}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
if [ "${#missing[@]}" -gt 0 ]; then
    echo "tests/vm/deps.sh: installing ${missing[*]}" >&2
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
