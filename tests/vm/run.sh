#!/bin/bash
# Real-kernel test tier: boot Debian kernels in qemu (TCG) with 2 NUMA nodes,
# a 4-queue virtio-net NIC on node 1 and an e1000e NIC, run every scenario
# script inside the guest against the given tuner binary, and check the
# results printed on the serial console.
#
#   tests/vm/run.sh TUNER_BINARY [SCENARIO_DIR]
#
# Exit: 0 every scenario passed on every kernel; 1 something failed;
#       2 usage/setup error; 77 qemu cannot run here (skip).
# Environment (all optional):
#   TUNER_VM_KERNELS           kernels to run, in order (default "6.1 6.12")
#   TUNER_VM_CACHE             cache dir (default $HOME/.cache/tuner-vm)
#   TUNER_VM_TIMEOUT           seconds per boot before qemu is killed (420)
#   TUNER_VM_SCENARIO_TIMEOUT  seconds per scenario inside the guest (120)
#   TUNER_VM_PKG_6_1, TUNER_VM_PKG_6_12   force a kernel package name
#   TUNER_VM_MODULES           modules to load (deps are added; built-ins skipped)
#   TUNER_VM_EXTRA_BINS        more host programs to copy in (with their libs)
#   TUNER_VM_OUT               where logs go (default: a new dir under /tmp,
#                              removed on success unless TUNER_VM_KEEP=1)
#   TUNER_VM_VERBOSE=1         also stream the guest console to stderr
#   TUNER_VM_QEMU              qemu binary (default qemu-system-x86_64)
#   CC                         C compiler for the guest helpers tests/apply/threads.c
#                              and tests/vm/guest/irqb.c (default gcc; linked -static)
# Scenario 07 needs Debian's irqbalance: fetched with apt-get download into
# the cache (never installed here), copied in with its libraries.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ME="tests/vm"

usage() { echo "usage: $0 TUNER_BINARY [SCENARIO_DIR]" >&2; exit 2; }
say()   { echo "[$ME] $*" >&2; }
die()   { echo "[$ME] ERROR: $*" >&2; exit 2; }
skip()  { echo "[$ME] SKIP: $*" >&2; exit 77; }

[ $# -ge 1 ] && [ $# -le 2 ] || usage
TUNER_BIN=$1
SCN_DIR=${2:-$HERE/scenarios}
[ -f "$TUNER_BIN" ] && [ -x "$TUNER_BIN" ] || die "tuner binary '$TUNER_BIN' is not an executable file"
TUNER_BIN=$(readlink -f "$TUNER_BIN")
[ -d "$SCN_DIR" ] || die "scenario dir '$SCN_DIR' does not exist"
SCN_DIR=$(readlink -f "$SCN_DIR")

KERNELS=${TUNER_VM_KERNELS:-6.1 6.12}
CACHE=${TUNER_VM_CACHE:-${HOME:-/root}/.cache/tuner-vm}
BOOT_TIMEOUT=${TUNER_VM_TIMEOUT:-420}
SCN_TIMEOUT=${TUNER_VM_SCENARIO_TIMEOUT:-120}
QEMU=${TUNER_VM_QEMU:-qemu-system-x86_64}
THREADS_SRC=$HERE/../apply/threads.c   # copied in as /usr/bin/tnvm-threads
IRQB_SRC=$HERE/guest/irqb.c             # irqbalance socket client, /usr/bin/tnvm-irqb
LOAD_SRC=$HERE/guest/load.c             # effect scenarios' senders/receivers, /usr/bin/tnvm-load
PROFILES_DIR=$HERE/../../profiles       # the shipped profiles, /tnvm/profiles (effect scenarios)
MODULES=${TUNER_VM_MODULES:-virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net e1000e veth 8021q bonding bridge}

# ---------------------------------------------------------------------------
# preflight
# ---------------------------------------------------------------------------
command -v "$QEMU" >/dev/null 2>&1 ||
    skip "$QEMU not found (install with tests/vm/deps.sh: package qemu-system-x86)"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing: cannot create the guest's tap NIC"
[ "$(id -u)" -eq 0 ] || skip "creating the tap device needs root (CAP_NET_ADMIN)"

missing=()
for t in busybox cpio gzip xz modinfo jq ethtool ip timeout dpkg-deb apt-get apt-cache ldd flock perl "${CC:-gcc}"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (run tests/vm/deps.sh)"
BUSYBOX=$(command -v busybox)
if ldd "$BUSYBOX" >/dev/null 2>&1; then
    # dynamic busybox from package 'busybox'; we want busybox-static's
    [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 && BUSYBOX=/bin/busybox ||
        die "$BUSYBOX is dynamically linked; install busybox-static (tests/vm/deps.sh)"
fi

shopt -s nullglob
SCENARIOS=()
for s in "$SCN_DIR"/*.sh; do SCENARIOS+=("$(basename "$s" .sh)"); done
shopt -u nullglob
[ ${#SCENARIOS[@]} -gt 0 ] || die "no *.sh scenarios in $SCN_DIR"

# ---------------------------------------------------------------------------
# work dir, tap device, cleanup
# ---------------------------------------------------------------------------
if [ -n "${TUNER_VM_OUT:-}" ]; then
    OUT=$TUNER_VM_OUT; mkdir -p "$OUT" || die "cannot create $OUT"; OUT_IS_TMP=0
else
    OUT=$(mktemp -d /tmp/tuner-vm.XXXXXX) || die "mktemp failed"; OUT_IS_TMP=1
fi
TAP="tnvm$$"
TAP_MADE=0
QEMU_PID=""
FAILED=0

cleanup() {
    local rc=$?
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
        # QEMU_PID is timeout(1), which passes TERM on to qemu
        kill -TERM "$QEMU_PID" 2>/dev/null
        local i=0
        while kill -0 "$QEMU_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        pkill -KILL -P "$QEMU_PID" 2>/dev/null; kill -KILL "$QEMU_PID" 2>/dev/null
        wait "$QEMU_PID" 2>/dev/null
    fi
    if [ "$TAP_MADE" = 1 ]; then
        ip tuntap del dev "$TAP" mode tap multi_queue 2>/dev/null ||
            ip link del "$TAP" 2>/dev/null
        if ip link show "$TAP" >/dev/null 2>&1; then
            echo "[$ME] WARNING: could not remove tap device $TAP" >&2
        fi
    fi
    if [ "$OUT_IS_TMP" = 1 ] && [ "$rc" = 0 ] && [ "${TUNER_VM_KEEP:-0}" != 1 ]; then
        rm -rf "$OUT"
    else
        [ -d "$OUT" ] && echo "[$ME] logs kept in $OUT" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---------------------------------------------------------------------------
# kernels: resolve package, download once, extract vmlinuz + modules
# ---------------------------------------------------------------------------
# resolve_pkg SERIES -> Debian binary package name of today's kernel
resolve_pkg() {
    local series=$1 var pkg=""
    var="TUNER_VM_PKG_${series//./_}"
    if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
    case "$series" in
        6.1)
            pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
                  awk '$1 ~ /Depends:/ && $2 ~ /^linux-image-6\.1\.[0-9]+-[0-9]+-amd64$/ { print $2; exit }')
            ;;
        6.12)
            pkg=$(apt-cache depends linux-image-6.12-amd64 2>/dev/null |
                  awk '$1 ~ /Depends:/ && $2 ~ /^linux-image-6\.12\.[0-9]+\+deb12-amd64$/ { print $2; exit }')
            [ -n "$pkg" ] || pkg=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null |
                  awk '{print $1}' | sort -V | tail -n1)
            ;;
        *)
            pkg=$(apt-cache search --names-only "^linux-image-${series//./\\.}[.0-9+a-z-]*-amd64\$" 2>/dev/null |
                  awk '{print $1}' | grep -v -e cloud -e rt- -e unsigned -e dbg | sort -V | tail -n1)
            ;;
    esac
    echo "$pkg"
}

# newest already-cached kernel of a series (fallback when apt can't help)
cached_pkg() {
    local series=$1 d best=""
    for d in "$CACHE"/kernels/linux-image-"$series".*; do
        [ -f "$d/.complete" ] && best=$(basename "$d")
    done
    echo "$best"
}

# module_deps KO -> its "depends" list, space separated
module_deps() { modinfo -F depends "$1" 2>/dev/null | tr ',' ' '; }

# prepare_kernel SERIES PKG: fills $CACHE/kernels/PKG/{vmlinuz,modules/*.ko,modules.order}
prepare_kernel() {   # prepare_kernel SERIES PKG
    local series=$1 pkg=$2 dir="$CACHE/kernels/$2" tmp deb kver mdir order m
    # complete, and for the same modules (a list changed here is fetched again)
    [ -f "$dir/.complete" ] && [ "$(cat "$dir/.modules" 2>/dev/null)" = "$MODULES" ] && return 0
    say "fetching $pkg"
    tmp=$(mktemp -d "$CACHE/tmp.XXXXXX") || return 1
    ( cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" ) > "$tmp/download.log" 2>&1 || {
        cat "$tmp/download.log" >&2; rm -rf "$tmp"; return 1; }
    deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n1)
    [ -n "$deb" ] || { say "no .deb downloaded for $pkg"; rm -rf "$tmp"; return 1; }
    mkdir -p "$tmp/x"
    dpkg-deb -x "$deb" "$tmp/x" || { rm -rf "$tmp"; return 1; }
    local debver; debver=$(dpkg-deb -f "$deb" Version 2>/dev/null)
    rm -f "$deb"
    kver=$(ls "$tmp/x/lib/modules" | head -n1)
    mdir="$tmp/x/lib/modules/$kver"
    rm -rf "$dir"; mkdir -p "$dir/modules"
    cp "$tmp/x/boot/vmlinuz-$kver" "$dir/vmlinuz" || { rm -rf "$tmp" "$dir"; return 1; }
    echo "$kver" > "$dir/kernel-release"
    echo "$debver" > "$dir/version"
    [ -f "$mdir/modules.builtin" ] && cp "$mdir/modules.builtin" "$dir/"

    # find, decompress and order the wanted modules plus their dependencies
    declare -A path=() seen=()
    local f base
    while IFS= read -r f; do
        base=${f##*/}; base=${base%%.ko*}
        path[${base//-/_}]=$f
    done < <(find "$mdir/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
    order=()
    visit() {
        local m=${1//-/_} src dst d
        [ -n "${seen[$m]:-}" ] && return 0
        seen[$m]=1
        src=${path[$m]:-}
        if [ -z "$src" ]; then
            if grep -q "/${m}\.ko\$\|/${1}\.ko\$" "$mdir/modules.builtin" 2>/dev/null; then
                echo "builtin $m" >> "$dir/modules.builtin-used"
            else
                echo "absent $m" >> "$dir/modules.builtin-used"
            fi
            return 0
        fi
        dst="$dir/modules/$m.ko"
        case "$src" in
            *.xz)  xz -dc "$src" > "$dst" ;;
            *.zst) zstd -qdc "$src" > "$dst" ;;
            *.gz)  gzip -dc "$src" > "$dst" ;;
            *)     cp "$src" "$dst" ;;
        esac || return 1
        for d in $(module_deps "$dst"); do visit "$d" || return 1; done
        order+=("$m")
    }
    for m in $MODULES; do visit "$m" || { rm -rf "$tmp" "$dir"; return 1; }; done
    printf '%s\n' "${order[@]}" > "$dir/modules.order"
    rm -rf "$tmp"
    printf '%s' "$MODULES" > "$dir/.modules"
    touch "$dir/.complete"
    # drop superseded kernels of the same series
    local old
    for old in "$CACHE"/kernels/linux-image-"$series".*; do
        [ "$old" = "$dir" ] || rm -rf "$old"
    done
}

# ---------------------------------------------------------------------------
# irqbalance (scenario 07): Debian's own daemon, fetched with apt-get download
# and extracted, never installed on this host (its service would start
# rebalancing the host's IRQs). $CACHE/irqbalance/<version>/irqbalance.
# ---------------------------------------------------------------------------
IRQB_BIN=""
prepare_irqbalance() {
    local ver dir tmp deb d
    ver=$(apt-cache policy irqbalance 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }')
    dir="$CACHE/irqbalance/${ver//[^A-Za-z0-9.+~-]/_}"
    if [ -n "$ver" ] && [ ! -f "$dir/.complete" ]; then
        say "fetching irqbalance $ver"
        tmp=$(mktemp -d "$CACHE/tmp.XXXXXX") || return 1
        if ( cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "irqbalance=$ver" ) > "$tmp/download.log" 2>&1 &&
           deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n1) && [ -n "$deb" ] &&
           mkdir -p "$tmp/x" && dpkg-deb -x "$deb" "$tmp/x" && [ -x "$tmp/x/usr/sbin/irqbalance" ]; then
            rm -rf "$dir"; mkdir -p "$dir"
            cp "$tmp/x/usr/sbin/irqbalance" "$dir/irqbalance" && echo "$ver" > "$dir/version" &&
                touch "$dir/.complete"
            for d in "$CACHE"/irqbalance/*; do [ "$d" = "$dir" ] || rm -rf "$d"; done
        else
            cat "$tmp/download.log" >&2
        fi
        rm -rf "$tmp"
    fi
    [ -f "$dir/.complete" ] || dir=""
    if [ -z "$dir" ]; then   # apt could not help: any cached one
        for d in "$CACHE"/irqbalance/*; do [ -f "$d/.complete" ] && dir=$d; done
        [ -n "$dir" ] && say "could not fetch irqbalance${ver:+ $ver}; using cached $(cat "$dir/version")"
    fi
    [ -n "$dir" ] || return 1
    IRQB_BIN="$dir/irqbalance"
}

# ---------------------------------------------------------------------------
# initramfs: common part (busybox, binaries + libs, init, scenarios) built
# once per run; a small per-kernel modules archive is appended to it.
# ---------------------------------------------------------------------------
ROOT="$OUT/root"

# copy_with_libs SRC DEST_IN_ROOT: copy a program and everything ldd lists
copy_with_libs() {
    local src=$1 dst=$2 line lib
    mkdir -p "$ROOT/$(dirname "$dst")"
    cp -L --remove-destination "$src" "$ROOT/$dst" || return 1
    chmod 0755 "$ROOT/$dst"
    copy_libs_of "$src"
}
copy_libs_of() {
    local src=$1 out line lib
    out=$(ldd "$src" 2>&1) || return 0   # static or script: nothing to copy
    case "$out" in *"not a dynamic executable"*|*"statically linked"*) return 0 ;; esac
    if grep -q 'not found' <<<"$out"; then
        say "ldd $src: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"; return 1
    fi
    while IFS= read -r line; do
        lib=""
        case "$line" in
            *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
            *[[:space:]]/*" ("*) lib=${line#"${line%%/*}"}; lib=${lib%% (*} ;;
        esac
        [ -n "$lib" ] || continue
        [ -e "$ROOT/$lib" ] && continue
        mkdir -p "$ROOT/$(dirname "$lib")"
        cp -L "$lib" "$ROOT/$lib" || return 1
        case "$lib" in
            */libhwloc.so*) copy_hwloc_plugins "$lib" || return 1 ;;
        esac
    done <<<"$out"
}
# hwloc dlopen()s its PCI plugin; ldd can't see that
copy_hwloc_plugins() {
    local pdir p
    pdir="$(dirname "$(readlink -f "$1")")/hwloc"
    p="$pdir/hwloc_pci.so"
    [ -f "$p" ] || return 0
    mkdir -p "$ROOT/$pdir"
    cp -L "$p" "$ROOT/$p" && copy_libs_of "$p"
}

build_common_root() {
    local d
    rm -rf "$ROOT"
    mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,root,etc,var,tnvm/scenarios,tnvm/modules}
    # merged-/usr layout, like Debian 12
    ln -s usr/bin "$ROOT/bin"; ln -s usr/sbin "$ROOT/sbin"
    ln -s usr/lib "$ROOT/lib"; ln -s usr/lib64 "$ROOT/lib64"
    cp "$BUSYBOX" "$ROOT/usr/bin/busybox" || return 1
    # one symlink per applet, at busybox's own paths (perl: one process
    # instead of ~400 ln forks; perl-base is essential in Debian)
    "$BUSYBOX" --list-full | ROOT="$ROOT" perl -ne '
        chomp; next if m{(^|/)busybox$}; my $l = "$ENV{ROOT}/$_";
        symlink("/usr/bin/busybox", $l) unless -e $l || -l $l;' || return 1
    copy_with_libs "$TUNER_BIN" /usr/bin/tuner || { say "cannot copy tuner and its libraries"; return 1; }
    # tuner watch dlopen()s libsystemd (cli/sdnotify.c); ldd can't see that
    local sd=/usr/lib/$(uname -m)-linux-gnu/libsystemd.so.0
    mkdir -p "$ROOT/$(dirname "$sd")" && cp -L "$sd" "$ROOT/$sd" && copy_libs_of "$sd" ||
        { say "cannot copy $sd"; return 1; }
    copy_with_libs "$(command -v jq)" /usr/bin/jq || return 1
    copy_with_libs "$(command -v ethtool)" /usr/sbin/ethtool || return 1
    copy_with_libs "$(command -v ip)" /usr/sbin/ip || return 1
    rm -f "$ROOT/usr/bin/ip"    # busybox's would shadow iproute2's
    local b
    for b in ${TUNER_VM_EXTRA_BINS:-}; do
        b=$(command -v "$b") || { say "extra binary not found: $b"; return 1; }
        rm -f "$ROOT/usr/bin/$(basename "$b")" "$ROOT/usr/sbin/$(basename "$b")"
        copy_with_libs "$b" "/usr/bin/$(basename "$b")" || return 1
    done
    # the multithreaded target process of the transaction scenarios (02-06):
    # static, so it needs nothing from the initramfs
    "${CC:-gcc}" -static -pthread -O2 -o "$ROOT/usr/bin/tnvm-threads" "$THREADS_SRC" \
        2> "$OUT/threads-cc.err" || {
        cat "$OUT/threads-cc.err" >&2
        say "cannot build $THREADS_SRC statically (needs gcc and libc6-dev: tests/vm/deps.sh)"; return 1; }
    # scenario 07's irqbalance (with its libraries, the host's: deps.sh
    # installs them) and the client that asks it what it does, static
    if [ -n "$IRQB_BIN" ]; then
        copy_with_libs "$IRQB_BIN" /usr/sbin/irqbalance ||
            { say "cannot copy irqbalance's libraries (run tests/vm/deps.sh)"; return 1; }
    fi
    "${CC:-gcc}" -static -O2 -o "$ROOT/usr/bin/tnvm-irqb" "$IRQB_SRC" 2> "$OUT/irqb-cc.err" || {
        cat "$OUT/irqb-cc.err" >&2; say "cannot build $IRQB_SRC statically"; return 1; }
    "${CC:-gcc}" -static -O2 -o "$ROOT/usr/bin/tnvm-load" "$LOAD_SRC" 2> "$OUT/load-cc.err" || {
        cat "$OUT/load-cc.err" >&2; say "cannot build $LOAD_SRC statically"; return 1; }
    mkdir -p "$ROOT/tnvm/profiles" && cp "$PROFILES_DIR"/*.json "$ROOT/tnvm/profiles/" || return 1
    printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOT/etc/passwd"
    printf 'root:x:0:\n' > "$ROOT/etc/group"
    printf '127.0.0.1 localhost tnvm\n' > "$ROOT/etc/hosts"
    echo tnvm > "$ROOT/etc/hostname"
    cp "$HERE/guest/init" "$ROOT/init" && chmod 0755 "$ROOT/init"
    cp "$HERE/guest/lib.sh" "$ROOT/tnvm/lib.sh"
    cp "$SCN_DIR"/*.sh "$ROOT/tnvm/scenarios/"
    # anything else the scenarios ship (data files, helpers) goes along
    for d in "$SCN_DIR"/*; do
        case "$d" in *.sh) ;; *) cp -r "$d" "$ROOT/tnvm/scenarios/" ;; esac
    done 2>/dev/null
    chmod 0755 "$ROOT"/tnvm/scenarios/*.sh
    ( cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) \
        | gzip -1 > "$OUT/common.cpio.gz"
}

build_initrd() {   # build_initrd PKG -> $OUT/initrd-PKG.gz
    local pkg=$1 kdir="$CACHE/kernels/$1" mroot="$OUT/mroot-$1"
    rm -rf "$mroot"; mkdir -p "$mroot/tnvm/modules"
    cp "$kdir"/modules/*.ko "$mroot/tnvm/modules/" 2>/dev/null
    cp "$kdir/modules.order" "$mroot/tnvm/modules.order"
    ( cd "$mroot" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet ) \
        | gzip -1 > "$OUT/modules-$pkg.cpio.gz"
    cat "$OUT/common.cpio.gz" "$OUT/modules-$pkg.cpio.gz" > "$OUT/initrd-$pkg.gz"
    rm -rf "$mroot" "$OUT/modules-$pkg.cpio.gz"
}

# ---------------------------------------------------------------------------
# boot one kernel, check its results
# ---------------------------------------------------------------------------
boot_kernel() {   # boot_kernel SERIES PKG
    local series=$1 pkg=$2 kdir="$CACHE/kernels/$2" log="$OUT/console-$1.log" t0 t1 rc
    : > "$log"
    t0=$(date +%s.%N)
    timeout --kill-after=5 "$BOOT_TIMEOUT" "$QEMU" \
        -machine q35 -accel tcg -cpu max -m 1024 \
        -smp 4,sockets=2,cores=2,threads=1 \
        -object memory-backend-ram,id=m0,size=512M \
        -object memory-backend-ram,id=m1,size=512M \
        -numa node,nodeid=0,cpus=0-1,memdev=m0 \
        -numa node,nodeid=1,cpus=2-3,memdev=m1 \
        -kernel "$kdir/vmlinuz" -initrd "$OUT/initrd-$pkg.gz" \
        -append "console=ttyS0 quiet panic=-1 tnvm.timeout=$SCN_TIMEOUT" \
        -nographic -no-reboot -net none \
        -device pxb-pcie,id=pxb1,bus_nr=128,numa_node=1,bus=pcie.0 \
        -device pcie-root-port,id=rp1,bus=pxb1,chassis=1 \
        -netdev tap,id=n0,ifname="$TAP",queues=4,script=no,downscript=no,vhost=off \
        -device virtio-net-pci,netdev=n0,mq=on,vectors=10,bus=rp1,romfile= \
        -netdev user,id=n1 -device e1000e,netdev=n1,bus=pcie.0,romfile= \
        < /dev/null > "$log" 2>&1 &
    QEMU_PID=$!
    local tailpid=""
    if [ "${TUNER_VM_VERBOSE:-0}" = 1 ]; then
        tail -n +1 -f "$log" --pid="$QEMU_PID" >&2 & tailpid=$!
    fi
    wait "$QEMU_PID"; rc=$?
    QEMU_PID=""
    [ -n "$tailpid" ] && wait "$tailpid" 2>/dev/null
    t1=$(date +%s.%N)
    BOOT_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')

    # console lines end in \r\n, and firmware/kernel may emit terminal
    # escapes (ESC c, ESC[...) right before our first line: strip both
    sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[c()][0-9A-B]\{0,1\}//g' "$log" > "$log.txt"
    local s line status reason kfail=0 npass=0
    local krel; krel=$(sed -n 's/^TNVM BEGIN kernel=\([^ ]*\).*/\1/p' "$log.txt" | head -n1)
    say "kernel $series: $pkg (guest uname -r: ${krel:-?}), qemu exit $rc, ${BOOT_SECS}s"
    grep '^TNVM WARN' "$log.txt" | sed 's/^/    /' >&2
    for s in "${SCENARIOS[@]}"; do
        line=$(grep -m1 "^TNVM RESULT $s " "$log.txt")
        status=$(awk '{print $4}' <<<"$line")
        reason=$(cut -d' ' -f5- <<<"$line")
        if [ "$status" = PASS ]; then
            npass=$((npass + 1)); echo "PASS $series/$s $reason"
        else
            kfail=1
            if [ -z "$line" ]; then
                if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
                    reason="no result: qemu killed after ${BOOT_TIMEOUT}s timeout"
                else
                    reason="no result (qemu exit $rc)"
                fi
            fi
            echo "FAIL $series/$s $reason"
            if grep -q "^TNVM LOG $s| " "$log.txt"; then
                echo "---- $series/$s output ----"
                sed -n "s/^TNVM LOG $s| //p" "$log.txt" | tail -n 80
                echo "----"
            fi
        fi
    done
    grep -q '^TNVM DONE' "$log.txt" || { kfail=1; echo "FAIL $series: guest did not finish (no TNVM DONE; qemu exit $rc)"; }
    PASSED=$((PASSED + npass))
    if [ "$kfail" = 1 ]; then
        FAILED=$((FAILED + 1))
        echo "---- $series: last 40 console lines ($log) ----"
        grep -v '^TNVM LOG ' "$log.txt" | tail -n 40
        echo "----"
    fi
    return 0
}

# ---------------------------------------------------------------------------
main() {
    local series pkg t0 t1 tk0 tk1
    PASSED=0
    mkdir -p "$CACHE/kernels" || die "cannot create cache dir $CACHE"
    t0=$(date +%s.%N)
    say "tuner: $TUNER_BIN"
    say "scenarios ($SCN_DIR): ${SCENARIOS[*]}"
    say "cache: $CACHE; out: $OUT"

    # one writer at a time in the cache
    exec 9> "$CACHE/.lock"
    flock 9

    declare -A PKG=()
    for series in $KERNELS; do
        pkg=$(resolve_pkg "$series")
        if [ -z "$pkg" ]; then
            pkg=$(cached_pkg "$series")
            [ -n "$pkg" ] && say "apt-cache could not resolve kernel $series; using cached $pkg" ||
                { echo "FAIL $series: cannot resolve a Debian kernel package (run tests/vm/deps.sh, which refreshes apt lists)"; FAILED=$((FAILED+1)); continue; }
        fi
        if ! prepare_kernel "$series" "$pkg"; then
            local alt; alt=$(cached_pkg "$series")
            if [ -n "$alt" ]; then
                say "could not fetch $pkg; using cached $alt"; pkg=$alt
            else
                echo "FAIL $series: could not download/extract $pkg"; FAILED=$((FAILED+1)); continue
            fi
        fi
        PKG[$series]=$pkg
    done
    prepare_irqbalance ||
        say "WARNING: no irqbalance (apt-get download irqbalance failed, none cached): 07-irqbalance will fail"
    flock -u 9

    build_common_root || die "building the initramfs failed"
    t1=$(date +%s.%N)
    say "kernels + initramfs ready in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s"

    ip tuntap add dev "$TAP" mode tap multi_queue 2>"$OUT/tap.err" ||
        skip "cannot create tap device $TAP: $(cat "$OUT/tap.err")"
    TAP_MADE=1

    for series in $KERNELS; do
        pkg=${PKG[$series]:-}
        [ -n "$pkg" ] || continue
        tk0=$(date +%s.%N)
        build_initrd "$pkg" || { echo "FAIL $series: building initrd failed"; FAILED=$((FAILED+1)); continue; }
        boot_kernel "$series" "$pkg"
        tk1=$(date +%s.%N)
        say "kernel $series total $(awk -v a="$tk0" -v b="$tk1" 'BEGIN{printf "%.1f", b-a}')s"
    done

    t1=$(date +%s.%N)
    local nexp=$(( ${#SCENARIOS[@]} * $(wc -w <<<"$KERNELS") ))
    say "total $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s"
    echo "vm: $PASSED passed, $((nexp - PASSED)) failed"
    [ "$FAILED" -eq 0 ] && [ "$PASSED" -eq "$nexp" ] && return 0
    return 1
}

main
exit $?
