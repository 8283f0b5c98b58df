#!/bin/sh
# Hardening item 1, profiles (area a). Another user plants a profile named
# "default" or "redis-numa-split" in a world-writable directory; root runs
# 'tuner apply --profile default' there. A bare name must never be read from
# the current directory, and every profile file (its "extends" chain too) must
# be owned by root or the caller and not writable by group or others, or it is
# refused with the reason. Everything runs on a sysroot tree.
#   a_profile_trust.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/a_lib.sh"
needs_root

tree=$work/tree state=$work/state world=$work/world
mktree "$tree"
rm -rf "$state" "$world" "$work/chain" "$work/mine"
g="--sysroot $tree --topology $topo"
budget=$tree/proc/sys/net/core/netdev_budget
budget0=$(cat "$budget")

# ---- a world-writable directory with the other user's profiles ----
mkdir -m 1777 "$world"
for n in default redis-numa-split redis-numa-split.json default.json; do
	cp "$hostile/a_planted_profile.json" "$world/$n"
	chown "$other" "$world/$n"
done

for n in default redis-numa-split; do
	tn_in "$world" plan --json $g --profile "$n"
	got=$(plan_profile)
	if [ "$rc" -le 2 ] && [ "$got" = "$n" ] && ! grep -q 31337 "$work/out"; then
		ok "cd world; plan --profile $n: the real profile \"$got\", not the planted one"
	else
		fail "cd world; plan --profile $n: exit $rc, planned profile \"$got\" (want \"$n\")"
		head -n 5 "$work/err" | show
	fi
done
tn_in "$world" apply -q $g --profile default --state-dir "$state"
if [ "$(cat "$budget")" != 31337 ]; then
	ok "cd world; apply --profile default: netdev_budget $(cat "$budget"), not 31337"
else
	fail "cd world; apply --profile default applied the planted profile (netdev_budget 31337)"
fi
tn rollback -q --last $g --state-dir "$state"
check "$([ "$rc" -eq 0 ] && [ "$(cat "$budget")" = "$budget0" ]; echo $?)" \
	"rollback of that apply restores netdev_budget $budget0"

# ---- a path is a path, and its owner and mode are checked ----
snap "$tree" >"$work/snap.0"
tn_in "$world" plan $g --profile ./redis-numa-split
expect_refused "--profile ./FILE owned by $other" \
	"world/\\./redis-numa-split|\\./redis-numa-split: owned by uid $other_uid, not by root or the caller \\(uid 0\\); refused"
tn apply $g --profile "$world/default" --state-dir "$state"
expect_refused "apply --profile /abs/FILE owned by $other" "owned by uid $other_uid.*refused"
mkdir -p "$work/mine"
for m in 666 664 646; do
	cp "$hostile/a_planted_profile.json" "$work/mine/m$m.json"
	chmod "$m" "$work/mine/m$m.json"
done
tn apply $g --profile "$work/mine/m666.json" --state-dir "$state"
expect_refused "apply a root-owned profile of mode 0666" "m666.json: writable by others \\(mode 0666\\); refused"
tn plan $g --profile "$work/mine/m664.json"
expect_refused "plan a profile of mode 0664" "m664.json: writable by its group \\(mode 0664\\); refused"
tn profile validate "$work/mine/m646.json"
expect_refused "profile validate a profile of mode 0646" "m646.json: writable by others"
snap "$tree" >"$work/snap.1"
check "$(cmp -s "$work/snap.0" "$work/snap.1"; echo $?)" "nothing refused changed the tree"
check "$([ ! -e "$state" ] || [ "$(ls "$state" | grep -c journal)" -eq 1 ]; echo $?)" \
	"nothing refused made a journal"

# ---- the extends chain ----
mkdir -p "$work/chain/sub"
cp "$hostile/a_chain_top.json" "$hostile/a_chain_path.json" "$work/chain/"
cp "$hostile/a_chain_base.json" "$work/chain/a_chain_base.json"
cp "$hostile/a_chain_base.json" "$work/chain/sub/a_chain_base.json"
chown "$other" "$work/chain/a_chain_base.json"
tn plan $g --profile "$work/chain/a_chain_top.json"
expect_refused "extends a profile owned by $other" \
	"chain/a_chain_base.json: owned by uid $other_uid.*refused"
chown 0 "$work/chain/a_chain_base.json"
chmod 666 "$work/chain/a_chain_base.json"
tn profile validate "$work/chain/a_chain_top.json"
expect_refused "extends a profile of mode 0666" "chain/a_chain_base.json: writable by others"
chmod 644 "$work/chain/a_chain_base.json"
tn profile validate "$work/chain/a_chain_top.json"
check "$([ "$rc" -eq 0 ]; echo $?)" "the same chain, trusted: valid (exit $rc)"
# a relative path in "extends" is relative to the file, not the current directory
tn_in "$world" profile show "$work/chain/a_chain_path.json"
check "$([ "$rc" -eq 0 ] && grep -q 31337 "$work/out"; echo $?)" \
	"extends \"sub/a_chain_base.json\" is found beside the file from any directory (exit $rc)"
mkdir -p "$world/sub"
cp "$hostile/a_planted_profile.json" "$world/sub/a_chain_base.json"
chown "$other" "$world/sub/a_chain_base.json"
chmod 666 "$work/chain/sub/a_chain_base.json"
tn_in "$world" profile show "$work/chain/a_chain_path.json"
expect_refused "the file beside it is checked, not ./sub/ of the current directory" \
	"chain/sub/a_chain_base.json: writable by others"
chmod 644 "$work/chain/sub/a_chain_base.json"

# ---- the profile path: refused there too, not skipped; relative entries ignored ----
export TUNER_PROFILE_PATH=$world
tn_in "$work" plan $g --profile redis-numa-split
unset TUNER_PROFILE_PATH
expect_refused "TUNER_PROFILE_PATH=world: the planted redis-numa-split is refused" \
	"world/redis-numa-split: owned by uid $other_uid"
export TUNER_PROFILE_PATH=.:sub
tn_in "$world" plan --json $g --profile redis-numa-split
unset TUNER_PROFILE_PATH
got=$(plan_profile)
check "$([ "$rc" -le 2 ] && [ "$got" = redis-numa-split ]; echo $?)" \
	"TUNER_PROFILE_PATH=.:sub (relative) is not looked in: planned \"$got\""

# ---- a name that is only in the current directory: not read, and said so ----
cp "$src/profiles/microburst.json" "$work/mine/mine.json"
tn_in "$work/mine" profile validate mine.json
expect_refused "profile validate mine.json (a bare name) in its directory" \
	"profile \"mine.json\" not found in .*give a path to use \\./mine\\.json"
tn_in "$work/mine" profile validate ./mine.json
check "$([ "$rc" -eq 0 ]; echo $?)" "profile validate ./mine.json: valid (exit $rc)"
tn_in "$src" profile validate profiles/default.json "$src/profiles/socket-buffers.json"
check "$([ "$rc" -eq 0 ]; echo $?)" "profile validate on explicit paths, relative and absolute"

# ---- the caller's own files are trusted; root's too; others' are not ----
if setpriv --reuid="$other" --regid=nogroup --clear-groups test -x "$tuner"; then
	cp "$src/profiles/microburst.json" "$work/mine/theirs.json"
	chown "$other" "$work/mine/theirs.json"
	chmod 755 "$work" "$work/mine"
	"$tuner" profile validate "$work/mine/theirs.json" >/dev/null 2>&1
	root_rc=$?
	check "$([ "$root_rc" -eq 1 ]; echo $?)" "root refuses $other's profile (exit $root_rc)"
	setpriv --reuid="$other" --regid=nogroup --clear-groups "$tuner" profile validate \
		"$work/mine/theirs.json" "$src/profiles/default.json" >"$work/out" 2>"$work/err"
	rc=$?
	check "$([ "$rc" -eq 0 ]; echo $?)" \
		"$other accepts its own profile and root's (exit $rc)"
	[ "$rc" -eq 0 ] || show "$work/err"
else
	fail "user $other cannot run $tuner: the caller's own files were not checked"
fi
finish
