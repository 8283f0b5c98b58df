# Sourced by the tests/hostile/c_*.sh tests (area C: the journal, process
# identity, writes into a tree). Each is called as
#   c_TEST.sh TUNER WORKDIR SRCDIR [SHIM]
# and gets what tests/apply/lib.sh gives (ok, fail, tn, snap, finish...) plus:
#   shim           the LD_PRELOAD shim (c_shim.c), when given
#   fresh_tree DIR a new 24em64t fixture tree in DIR (pristine copy cached)
#   g              the options pointing tuner at $tree (set by fresh_tree)
#   craft_journal TEMPLATE OUT   a journal from tests/hostile/c_journals with
#                  @BOOT@ and @SYSROOT@ filled in for $tree, mode 0600
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
