#!/bin/sh
# Hardening item 19 (area a): from a checkout, after the README's first command,
# './build/tuner plan --profile redis-numa-split' said the profile was not
# found: it looked only in the install prefix. The binary of a build tree also
# looks in its checkout's profiles/ (after $TUNER_PROFILE_PATH, before the
# installed directory), from any current directory. A copy of it (what
# 'cmake --install' makes) is another file and never looks into the build tree.
#   a_buildtree.sh TUNER WORKDIR SRCDIR   (TUNER: the binary of SRCDIR's build)
set -u
. "$(dirname "$0")/a_lib.sh"

tree=$work/tree
mktree "$tree"
g="--sysroot $tree --topology $topo"

# ---- every shipped profile by name, from elsewhere ----
for f in "$src"/profiles/*.json; do
	n=$(basename "$f" .json)
	[ "$n" = schema ] && continue
	tn_in / profile show "$n"
	"$tuner" profile show "$f" >"$work/want" 2>/dev/null
	check "$([ "$rc" -eq 0 ] && cmp -s "$work/out" "$work/want"; echo $?)" \
		"cd /; profile show $n: the checkout's profiles/$n.json (exit $rc)"
	[ "$rc" -eq 0 ] || head -n 2 "$work/err" | show
done
tn_in / plan --json $g --profile redis-numa-split
check "$([ "$rc" -eq 2 ] && [ "$(plan_profile)" = redis-numa-split ]; echo $?)" \
	"cd /; plan --profile redis-numa-split: planned (exit $rc)"
[ "$rc" -eq 2 ] || head -n 2 "$work/err" | show

# ---- $TUNER_PROFILE_PATH comes first ----
mkdir -p "$work/path"
printf '{"name": "from-the-path"}\n' >"$work/path/redis-numa-split.json"
export TUNER_PROFILE_PATH="$work/path"
tn_in / plan --json $g --profile redis-numa-split
unset TUNER_PROFILE_PATH
check "$([ "$rc" -le 2 ] && [ "$(plan_profile)" = from-the-path ]; echo $?)" \
	"\$TUNER_PROFILE_PATH is looked in before the checkout (exit $rc)"

# ---- a copy of the binary does not look into the build tree ----
mkdir -p "$work/copy"
cp "$tuner" "$work/copy/tuner"
tn_in / profile validate no-such-profile
check "$([ "$rc" -eq 1 ] && grep -qF "$src/profiles" "$work/err"; echo $?)" \
	"the build tree's binary looks in $src/profiles"
"$work/copy/tuner" profile validate no-such-profile >"$work/out" 2>"$work/err"
rc=$?
check "$([ "$rc" -eq 1 ] && ! grep -qF "$src" "$work/err"; echo $?)" \
	"a copy does not: $(cat "$work/err")"
installed=$(sed -n 's/.* and \(\/[^ ]*\)$/\1/p' "$work/err")
if [ -n "$installed" ] && [ ! -e "$installed/redis-numa-split.json" ]; then
	(cd / && "$work/copy/tuner" plan $g --profile redis-numa-split) >"$work/out" 2>"$work/err"
	rc=$?
	check "$([ "$rc" -eq 1 ] && grep -q 'not found' "$work/err"; echo $?)" \
		"a copy: --profile redis-numa-split is not found ($installed has none; exit $rc)"
else
	echo "not checked: a copy not finding redis-numa-split ('$installed' has it)"
fi
finish
