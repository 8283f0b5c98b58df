#!/bin/sh
# Hardening item 18 (area a): options are accepted before the command, but the
# pre-scan that finds the command listed by hand the options that take a
# value: 'tuner --wait-links 10 apply --boot' took "10" for the command. Every
# option that takes a value, read from the help texts (tuner --help and tuner
# CMD --help, not from the code), is given before its command, as "--opt 10"
# and "--opt=10": the command must still be found. Then real runs on a sysroot
# tree with options before the command.
#   a_prescan.sh TUNER WORKDIR SRCDIR
set -u
. "$(dirname "$0")/a_lib.sh"

# options with a value in a help text ("--name WORD" or "-x, --name WORD"):
# one line each, "--name" or "-x --name"
value_opts() {
	grep -Eo -- '(-[a-z], )?--[a-z][a-z-]+ [A-Z][A-Z|]*' | sed 's/ [A-Z|]*$//; s/,//' |
		sort -u
}

"$tuner" --help >"$work/help" 2>&1
value_opts <"$work/help" >"$work/globals"
cmds=$(awk '/^Commands:/ {on = 1; next} on && /^$/ {on = 0} on {print $1}' "$work/help")
check "$([ -n "$cmds" ] && [ -s "$work/globals" ]; echo $?)" \
	"tuner --help: commands $(echo $cmds); options with a value $(cat "$work/globals" | tr '\n' ' ')"
n=0
for cmd in $cmds; do
	"$tuner" "$cmd" --help >"$work/help.$cmd" 2>&1
	value_opts <"$work/help.$cmd" | cat "$work/globals" - >"$work/opts.$cmd"
	while read -r a b; do
		if [ -n "$b" ]; then short=$a long=$b; else short= long=$a; fi
		v=10 # a word that is not an option, as a command would be
		[ "$long" = --process ] && v=pid:10
		for form in "$long $v" "$long=$v" ${short:+"$short $v"}; do
			# shellcheck disable=SC2086 # form: one or two words
			"$tuner" $form "$cmd" --help >"$work/out" 2>"$work/err" </dev/null
			rc=$?
			n=$((n + 1))
			if [ "$rc" -ne 0 ] || ! head -n 1 "$work/out" | grep -q "^Usage: tuner $cmd"; then
				fail "tuner $form $cmd --help: exit $rc, not $cmd's help:"
				head -n 2 "$work/err" | show
			fi
		done
	done <"$work/opts.$cmd"
done
check "$([ "$fails" -eq 0 ] && [ "$n" -gt 20 ]; echo $?)" \
	"$n 'tuner --opt VALUE CMD --help' runs found CMD"

# ---- real runs ----
tree=$work/tree state=$work/state
mktree "$tree"
rm -rf "$state"
p=$src/profiles/default.json
tn --wait-links 10 --sysroot "$tree" --topology "$topo" apply --boot --profile "$p" \
	--state-dir "$state"
check "$([ "$rc" -eq 0 ] && grep -q '^tuner: applied: ' "$work/err"; echo $?)" \
	"tuner --wait-links 10 ... apply --boot: applied (exit $rc)"
[ "$rc" -eq 0 ] || head -n 3 "$work/err" | show
tn --wait 0 --state-dir "$state" -q rollback --last --sysroot "$tree"
check "$([ "$rc" -eq 0 ]; echo $?)" "tuner --wait 0 --state-dir DIR -q rollback --last (exit $rc)"
tn -p "$p" --sysroot "$tree" --topology "$topo" plan
check "$([ "$rc" -eq 2 ] && grep -q 'for profile default' "$work/out"; echo $?)" \
	"tuner -p FILE ... plan: the plan (exit $rc)"
tn --profile="$p" --topology="$topo" --sysroot="$tree" verify
check "$([ "$rc" -eq 2 ]; echo $?)" "tuner --profile=FILE ... verify: drift (exit $rc)"
tn --sysroot "$tree" --topology "$topo" --process comm:init show
check "$([ "$rc" -eq 0 ]; echo $?)" "tuner --process SEL ... show (exit $rc)"
finish
