#!/bin/sh
# Hardening item 9 (area a): a FIFO where tuner expects a file made it hang
# forever in open(). Each place a file is opened gets a FIFO: --profile (a
# path, a name in the profile path), a file of an "extends" chain, a *.journal
# in the state directory (history, rollback), /proc and /sys files of a
# --sysroot tree (tuner's own reads, and hwloc's when the tree is read without
# --topology), --state and --topology. Each must end within 10 s with an error
# naming the file; nobody ever writes to the FIFOs. A device is not opened
# either. Everything runs on a sysroot tree.
#   a_fifo.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/a_lib.sh"

tree=$work/tree state=$work/state f=$work/f
rm -rf "$state" "$f"
mkdir -p "$f"
mktree "$tree"
g="--sysroot $tree --topology $topo"

# no_hang NAME PATTERN [EXIT]: the last tnt ended (not killed by the timeout),
# with EXIT (default 1) and a stderr line matching PATTERN
no_hang() {
	want=${3:-1}
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "$1: tuner hung (killed after 10 s)"
	elif [ "$rc" -ne "$want" ] || ! grep -Eq "$2" "$work/err" "$work/out"; then
		fail "$1: exit $rc (want $want and a message matching /$2/); stderr:"
		head -n 5 "$work/err" | show
	else
		ok "$1: $(grep -m 1 -Eh "$2" "$work/err" "$work/out")"
	fi
}

# ---- profiles ----
mkfifo -m 0644 "$f/profile.json"
tnt plan $g --profile "$f/profile.json"
no_hang "--profile FIFO" "f/profile.json: a FIFO, not a regular file; refused"
mkdir -p "$f/path"
mkfifo -m 0644 "$f/path/fifo-name.json"
TUNER_PROFILE_PATH=$f/path tnt plan $g --profile fifo-name
no_hang "--profile NAME, a FIFO in \$TUNER_PROFILE_PATH" \
	"path/fifo-name.json: a FIFO, not a regular file; refused"
printf '{"name": "child", "extends": "parent"}\n' >"$f/child.json"
mkfifo -m 0644 "$f/parent.json"
tnt profile validate "$f/child.json"
no_hang "a FIFO in the extends chain" "f/parent.json: a FIFO, not a regular file; refused"
tnt profile validate /dev/zero
no_hang "--profile a character device (never opened)" \
	"/dev/zero: a character device, not a regular file; refused"

# ---- a *.journal FIFO in the state directory ----
tnt apply -q $g --profile "$src/profiles/default.json" --state-dir "$state"
check "$([ "$rc" -eq 0 ]; echo $?)" "an apply to have a state directory (exit $rc)"
id=99999999T999999_999Z-1
mkfifo -m 0600 "$state/$id.journal"
tnt history --state-dir "$state"
no_hang "history with a FIFO journal" "$id.journal: a FIFO, not a regular file; refused" 0
tnt rollback --last --sysroot "$tree" --state-dir "$state"
no_hang "rollback --last, the newest journal a FIFO" "$id.journal: a FIFO, not a regular file"
tnt rollback --dry-run --sysroot "$tree" --state-dir "$state" "$id"
no_hang "rollback ID --dry-run of a FIFO journal" "$id.journal: a FIFO, not a regular file"
rm -f "$state/$id.journal"
tnt rollback -q --last --sysroot "$tree" --state-dir "$state"
check "$([ "$rc" -eq 0 ]; echo $?)" "FIFO gone: the real journal rolls back (exit $rc)"

# ---- files of a sysroot tree ----
# fifo_in_tree REL NAME PATTERN EXIT ARGS...: REL becomes a FIFO in a fresh tree
fifo_in_tree() {
	rel=$1 name=$2 pattern=$3 want=$4
	shift 4
	rm -rf "$work/t2"
	cp -a "$tree" "$work/t2"
	rm -f "$work/t2/$rel"
	mkfifo -m 0644 "$work/t2/$rel"
	tnt "$@"
	no_hang "$name" "$pattern" "$want"
}
irq=$(ls "$tree/proc/irq" | grep -E '^[0-9]+$' | sort -n | tail -n 1)
fifo_in_tree proc/interrupts "tree: proc/interrupts a FIFO" "t2/proc/interrupts" 1 \
	show --sysroot "$work/t2" --topology "$topo"
fifo_in_tree proc/sys/net/core/netdev_budget "tree: a sysctl a FIFO" \
	"proc/sys/net/core/netdev_budget" 1 plan --sysroot "$work/t2" --topology "$topo"
fifo_in_tree "proc/irq/$irq/smp_affinity_list" "tree: an smp_affinity_list a FIFO" \
	'"irq"' 0 show --json --sysroot "$work/t2" --topology "$topo"
fifo_in_tree sys/devices/system/cpu/online "tree: sys/devices/system/cpu/online a FIFO" \
	'"online"' 0 show --json --sysroot "$work/t2" --topology "$topo"
fifo_in_tree sys/class/net/eth0/flags "tree: eth0's flags a FIFO, apply --boot (eth1 is up)" \
	"^tuner: applied: " 0 apply --boot --wait-links 1 --sysroot "$work/t2" --topology "$topo" \
	--state-dir "$work/state2" --profile "$src/profiles/default.json"
# without --topology, hwloc reads the tree itself
fifo_in_tree sys/devices/system/cpu/online "tree without --topology: hwloc's file a FIFO" \
	"t2/sys/devices/system/cpu/online: a FIFO in the tree; refused" 1 \
	show --sysroot "$work/t2"

# ---- --state and --topology ----
mkfifo -m 0644 "$f/state.json" "$f/topo.xml"
tnt plan --state "$f/state.json"
no_hang "--state FIFO" "f/state.json: a FIFO, not a regular file; refused"
tnt show --sysroot "$tree" --topology "$f/topo.xml"
no_hang "--topology FIFO" "f/topo.xml: a FIFO, not a regular file; refused"
finish
