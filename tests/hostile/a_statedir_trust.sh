#!/bin/sh
# Hardening item 1, the state directory (area a). The journals are what
# rollback writes back as root: a --state-dir below a directory owned by
# another user or writable by group or others (whoever can rename the state
# directory away and put another in its place), or reached through a
# symlinked component, is refused by apply, rollback and history, and nothing
# is created there. A sticky directory owned by root (/tmp) is the one
# exception: no other user can rename or remove what root has in it.
#   a_statedir_trust.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/a_lib.sh"
needs_root

tree=$work/tree
mktree "$tree"
rm -rf "$work/p"
mkdir -p "$work/p"
g="--sysroot $tree --topology $topo --profile $src/profiles/default.json"
snap "$tree" >"$work/snap.0"

# refused_dir NAME DIR PATTERN: apply, rollback and history with --state-dir
# DIR exit 1 with PATTERN, DIR is not created, the tree is untouched
refused_dir() {
	for cmd in apply rollback history; do
		case $cmd in
		apply) tn apply -q $g --state-dir "$2" ;;
		rollback) tn rollback --last --sysroot "$tree" --state-dir "$2" ;;
		history) tn history --state-dir "$2" ;;
		esac
		expect_refused "$cmd, $1" "$3"
	done
	check "$([ ! -e "$2" ]; echo $?)" "$1: $2 was not created"
	snap "$tree" >"$work/snap.1"
	check "$(cmp -s "$work/snap.0" "$work/snap.1"; echo $?)" "$1: the tree is untouched"
}

mkdir "$work/p/theirs"
chown "$other" "$work/p/theirs"
refused_dir "below a directory owned by $other" "$work/p/theirs/state" \
	"p/theirs is owned by uid $other_uid, not by root or the caller \\(uid 0\\); refused"
mkdir -m 0777 "$work/p/open"
refused_dir "below a directory of mode 0777" "$work/p/open/state" \
	"p/open is writable by others \\(mode 0777\\); refused"
mkdir -m 0775 "$work/p/group"
refused_dir "below a directory of mode 0775" "$work/p/group/state" \
	"p/group is writable by its group \\(mode 0775\\); refused"
mkdir -p "$work/p/real/sub"
ln -s real "$work/p/link"
refused_dir "through a symlinked component" "$work/p/link/sub/state" "p/link is a symlink; refused"
# "x/../" does not hide the link: it is lexically gone, so link/.. is never
# resolved through the link (which would land elsewhere)
tn history --state-dir "$work/p/link/../open/state"
expect_refused "link/../open: the path as written is checked" "p/open is writable by others"

# a directory above, as given relatively from an untrusted current directory
tn_in "$work/p/open" history --state-dir state
expect_refused "a relative --state-dir below an untrusted current directory" \
	"p/open is writable by others"

# ---- a state directory that was fine, then its parent is given away ----
mkdir -m 0755 "$work/p/ok"
tn apply -q $g --state-dir "$work/p/ok/state"
check "$([ "$rc" -eq 0 ]; echo $?)" "apply with a trusted state directory (exit $rc)"
chown "$other" "$work/p/ok"
tn rollback -q --last --sysroot "$tree" --state-dir "$work/p/ok/state"
expect_refused "rollback once $other owns the parent" "p/ok is owned by uid $other_uid"
tn history --state-dir "$work/p/ok/state"
expect_refused "history once $other owns the parent" "p/ok is owned by uid $other_uid"
chown 0 "$work/p/ok"
tn rollback -q --last --sysroot "$tree" --state-dir "$work/p/ok/state"
snap "$tree" >"$work/snap.1"
check "$([ "$rc" -eq 0 ] && cmp -s "$work/snap.0" "$work/snap.1"; echo $?)" \
	"given back to root: rollback restores the tree (exit $rc)"

# ---- what stays accepted ----
mkdir -m 1777 "$work/p/sticky"
tn apply -q $g --state-dir "$work/p/sticky/state"
check "$([ "$rc" -eq 0 ] && [ -d "$work/p/sticky/state" ]; echo $?)" \
	"below a sticky directory owned by root, like /tmp: accepted (exit $rc)"
tn rollback -q --last --sysroot "$tree" --state-dir "$work/p/sticky/state"
mkdir -m 0755 "$work/p/ok/rel"
tn_in "$work/p/ok" apply -q $g --state-dir ./rel/../state2
check "$([ "$rc" -eq 0 ] && [ -d "$work/p/ok/state2" ]; echo $?)" \
	"a relative --state-dir with '..' from a trusted directory (exit $rc)"
tn_in "$work/p/ok" rollback -q --last --sysroot "$tree" --state-dir state2
snap "$tree" >"$work/snap.1"
check "$([ "$rc" -eq 0 ] && cmp -s "$work/snap.0" "$work/snap.1"; echo $?)" \
	"and its rollback (exit $rc)"
finish
