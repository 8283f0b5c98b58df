# Sourced by the tests/hostile/c_*.sh tests (area C: the journal, process
# identity, writes into a tree). Each is called as
#   c_TEST.sh TUNER WORKDIR SRCDIR [SHIM]
# and gets what tests/apply/lib.sh gives (ok, fail, tn, snap, finish...) plus:
#   shim           the LD_PRELOAD shim (c_shim.c), when given
#   fresh_tree DIR a new 24em64t fixture tree in DIR (pristine copy cached)
#   g              the options pointing tuner at $tree (set by fresh_tree)
#   craft_journal TEMPLATE OUT   a journal from tests/hostile/c_journals with
#                  @BOOT@ and @SYSROOT@ filled in for $tree, mode 0600
#   tng ARGS...    tuner ARGS on $tree (as tn, which sets rc, out and err)
#   journal_setup DIR   a fresh tree in $work/tree, its snapshot in
#                  $work/snap.0, an empty state directory $state, and
#                  journals=tests/hostile/DIR (the crafted journals)
#   rollback_refused NAME PATTERN   'rollback J1' exits 1 naming J1.journal:2
#                  with PATTERN and "the journal is refused"
#   tree_unchanged NAME   the tree is as $work/snap.0 (else said, with the
#                  difference, and the tree made afresh)
shim=${4:-}
set -- "$1" "$2" "$3"
. "$3/tests/apply/lib.sh"
hostile=$src/tests/hostile
topo=$topodir/24em64t-2n6c2t-pci.xml

fresh_tree() {
	if [ ! -f "$work/pristine/.mkfixture" ] ||
	   [ "$src/tests/fixtures/mkfixture.py" -nt "$work/pristine/.mkfixture" ]; then
		rm -rf "$work/pristine"
		if ! python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" \
			"$src/tests/fixtures/specs/24em64t.json" "$work/pristine" \
			>"$work/mkfixture.log" 2>&1; then
			fail "mkfixture"
			show "$work/mkfixture.log"
			finish
		fi
	fi
	rm -rf "$1"
	cp -a "$work/pristine" "$1"
	tree=$(cd "$1" && pwd -P)
	g="--sysroot $tree --topology $topo"
}

craft_journal() {
	boot=$(cat "$tree/proc/sys/kernel/random/boot_id")
	sed -e "s|@BOOT@|$boot|g" -e "s|@SYSROOT@|$tree|g" "$1" >"$2"
	chmod 600 "$2"
}

# status_list FILE: the Cpus_allowed_list of a status file
status_list() {
	sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$1" | head -n 1
}

tng() { tn --sysroot "$tree" --topology "$topo" "$@"; }

journal_setup() {
	journals=$hostile/$1
	state=$work/state
	fresh_tree "$work/tree"
	rm -rf "$state"
	mkdir -m 700 "$state"
	snap "$tree" >"$work/snap.0"
}

rollback_refused() {
	tng rollback --state-dir "$state" J1
	if [ "$rc" -eq 1 ] && grep -Eq "J1\.journal:2: .*$2.*; the journal is refused" "$work/err"; then
		ok "$1: refused: $(head -n 1 "$work/err")"
	else
		fail "$1: exit $rc (want 1), want J1.journal:2: ... /$2/; stderr:"
		show "$work/err"
	fi
}

tree_unchanged() {
	snap "$tree" >"$work/snap.now"
	if ! cmp -s "$work/snap.0" "$work/snap.now"; then
		fail "$1: the tree changed:"
		diff "$work/snap.0" "$work/snap.now" | head -n 10 | show
		fresh_tree "$work/tree"
	fi
}
