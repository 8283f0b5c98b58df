#!/bin/sh
# A journal that cannot be trusted is refused, whole, before anything is
# written: truncated, damaged, a symlink, writable by others, in a state
# directory writable by others or reached through a symlink, with targets that
# would name a path outside proc/sys, or from another boot (--force restores
# anyway). 'tuner history' lists a damaged journal and does not fail.
# Everything runs on a sysroot tree; this machine is never touched.
#   journal_refusal.sh TUNER WORKDIR [SRCDIR]
set -u
. "$(dirname "$0")/lib.sh"

# refused NAME PATTERN ROLLBACK-ARGS...: rollback exits 1 with a message
# matching PATTERN; the tree and the journal are as they were
refused() {
	name=$1 pattern=$2
	shift 2
	snap "$tree" >"$work/snap.pre"
	jsum=$( [ -f "$journal" ] && md5sum <"$journal")
	tn rollback --sysroot "$tree" "$@"
	msg=$(grep -m 1 '^tuner: ' "$work/err")
	if [ "$rc" -ne 1 ] || ! grep -Eq "$pattern" "$work/err"; then
		fail "$name: exit $rc (want 1), want a message matching /$pattern/; stderr:"
		head -n 8 "$work/err" | show
	else
		ok "$name: refused: $msg"
	fi
	snap "$tree" >"$work/snap.post"
	if cmp -s "$work/snap.pre" "$work/snap.post"; then
		ok "$name: tree untouched"
	else
		fail "$name: the tree changed:"
		diff "$work/snap.pre" "$work/snap.post" | head -n 20 | show
	fi
	if [ -n "$jsum" ] && [ "$(md5sum <"$journal")" != "$jsum" ]; then
		fail "$name: the refused journal was written to"
	fi
}

mkdir -p "$work" || exit 1
tree=$work/tree state=$work/state
rm -rf "$tree" "$state" "$work/state2" "$work/statelink" "$work/copy.journal"

# ---- one apply on a fresh tree ----
if ! python3 "$src/tests/fixtures/mkfixture.py" --topology-dir "$topodir" \
	"$src/tests/fixtures/specs/24em64t.json" "$tree" >"$work/mkfixture.log" 2>&1; then
	fail "mkfixture"
	show "$work/mkfixture.log"
	echo "$passes passed, $fails failed"
	exit 1
fi
tree=$(cd "$tree" && pwd -P)
snap "$tree" >"$work/snap.0"
tn apply --sysroot "$tree" --topology "$topo" --profile "$profile" --state-dir "$state"
set -- "$state"/*.journal
journal=$1
if [ "$rc" -ne 0 ] || [ $# -ne 1 ] || [ ! -f "$journal" ]; then
	fail "apply: exit $rc, journals: $*"
	show "$work/err"
	echo "$passes passed, $fails failed"
	exit 1
fi
id=$(basename "$journal" .journal)
nchanges=$(grep -c '"seq":[0-9]*,"status":"pending"' "$journal")
ok "apply: journal $id, $nchanges changes"
snap "$tree" >"$work/snap.1"
cp -p "$journal" "$work/orig.journal"
fresh_journal() { rm -f "$journal"; cp -p "$work/orig.journal" "$journal"; chmod 600 "$journal"; }

# ---- (a) truncated: the last line cut in half, no newline ----
python3 - "$journal" <<'EOF'
import sys
p = sys.argv[1]
d = open(p, 'rb').read().rstrip(b'\n')
i = d.rfind(b'\n') + 1
open(p, 'wb').write(d[:i] + d[i:i + (len(d) - i) // 2])
EOF
refused "(a) truncated journal" "$journal:[0-9]+: .*truncated" --state-dir "$state" --last
cp -p "$journal" "$work/truncated.journal"

# ---- (b) a garbage line inserted ----
fresh_journal
sed -i '4a this is { not json' "$journal"
refused "(b) garbage line" "$journal:5: .*damaged" --state-dir "$state" --last

# ---- (c) the journal replaced by a symlink to a copy ----
fresh_journal
cp -p "$journal" "$work/copy.journal"
rm -f "$journal"
ln -s "$work/copy.journal" "$journal"
refused "(c) journal is a symlink" "$journal: .*symlink" --state-dir "$state" --last
rm -f "$journal" "$work/copy.journal"

# ---- (d) journal writable by others ----
fresh_journal
chmod 666 "$journal"
refused "(d) journal mode 0666" "$journal: .*writable by others" --state-dir "$state" --last
fresh_journal

# ---- (e) state directory writable by others; state directory a symlink ----
chmod 777 "$state"
refused "(e) state dir mode 0777" "$state: .*writable by others" --state-dir "$state" --last
chmod 700 "$state"
ln -s "$state" "$work/statelink"
refused "(e) state dir is a symlink" "statelink: .*symlink" --state-dir "$work/statelink" --last
# a trailing slash makes open(O_NOFOLLOW) follow the link: still a symlink.
# (--dry-run: should this one go through, the rest of the test still holds)
refused "(e) state dir is a symlink, given with a trailing slash" "statelink/?: .*symlink" \
	--state-dir "$work/statelink/" --last --dry-run
rm -f "$work/statelink"

# ---- (h) history lists a damaged journal and does not fail ----
cp -p "$work/truncated.journal" "$state/00000000T000000_000Z-1.journal"
tn history --state-dir "$state"
if [ "$rc" -eq 0 ] && grep -q "^00000000T000000_000Z-1 .*damaged: .*truncated" "$work/out" &&
   grep -q "^$id .* $nchanges  applied$" "$work/out"; then
	ok "(h) history: $(grep damaged "$work/out" | sed 's/  */ /g')"
else
	fail "(h) history: exit $rc (want 0), want the damaged and the good journal; stdout:"
	show "$work/out" "$work/err"
fi
tn history --json --state-dir "$state"
if [ "$rc" -eq 0 ] && python3 - "$work/out" "$id" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))
st = {e['journal']: e['status'] for e in h}
assert st == {'00000000T000000_000Z-1': 'damaged', sys.argv[2]: 'applied'}, st
assert 'truncated' in h[0]['error'], h[0]
EOF
then
	ok "(h) history --json: damaged journal listed with its error"
else
	fail "(h) history --json: exit $rc"
	show "$work/out" "$work/err"
fi
rm -f "$state/00000000T000000_000Z-1.journal"

# ---- (f) handcrafted journals whose targets would leave proc/sys ----
state2=$work/state2
mkdir -m 700 "$state2"
boot=$(cat "$tree/proc/sys/kernel/random/boot_id")
# craft KIND TARGET KEY BEFORE AFTER: a journal saying the change was applied
craft() {
	printf '{"schema_version":1,"kind":"journal","id":"J1","time":"2026-01-01T00:00:00Z","boot_id":"%s","profile":"x","digest":"0000000000000000","sysroot":"%s"}\n' \
		"$boot" "$tree" >"$state2/J1.journal"
	printf '{"kind":"%s","target":"%s","key":"%s","before":"%s","after":"%s","seq":0,"status":"pending"}\n{"seq":0,"status":"applied"}\n{"end":"applied"}\n' \
		"$1" "$2" "$3" "$4" "$5" >>"$state2/J1.journal"
	chmod 600 "$state2/J1.journal"
	journal=$state2/J1.journal
}
# a control: the same journal with a harmless target is obeyed
budget=$tree/proc/sys/net/core/netdev_budget
cp -p "$budget" "$work/budget.saved"
craft sysctl net.core.netdev_budget value 1 "$(cat "$budget")"
tn rollback --sysroot "$tree" --state-dir "$state2" J1
if [ "$rc" -eq 0 ] && [ "$(cat "$budget")" = 1 ]; then
	ok "(f) control: a handcrafted journal with a valid target is restored"
else
	fail "(f) control: exit $rc, netdev_budget $(cat "$budget") (want 1): the handcrafted journals test nothing"
	show "$work/err"
fi
cp -p "$work/budget.saved" "$budget"
etc_x=absent
[ -e /etc/x ] && etc_x=$(md5sum </etc/x)
tmp_x=absent
[ -e /tmp/x ] && tmp_x=$(md5sum </tmp/x)
for t in "sysctl net/../../etc/x value" "sysctl net.core..x value" \
	 "irq_affinity 38/../../x smp_affinity_list" "process_affinity 1187/../../x cpus" \
	 "ring ../x rx"; do
	set -- $t
	craft "$1" "$2" "$3" 0-23 2
	refused "(f) $1 target \"$2\"" "J1.journal:2: .*not acceptable" --state-dir "$state2" J1
	found=$(find "$tree" -name x)
	[ -z "$found" ] || fail "(f) $1 target \"$2\": created in the tree: $found"
done
now_etc=absent now_tmp=absent
[ -e /etc/x ] && now_etc=$(md5sum </etc/x)
[ -e /tmp/x ] && now_tmp=$(md5sum </tmp/x)
if [ "$now_etc" = "$etc_x" ] && [ "$now_tmp" = "$tmp_x" ] && [ -z "$(find "$tree" -name x)" ]; then
	ok "(f) no 'x' created or changed in the tree, /tmp or /etc"
else
	fail "(f) /etc/x: $etc_x -> $now_etc, /tmp/x: $tmp_x -> $now_tmp, in the tree: $(find "$tree" -name x)"
fi
journal=$state/$id.journal

# ---- (g) a journal from another boot ----
cp -p "$tree/proc/sys/kernel/random/boot_id" "$work/boot_id.saved"
echo 00000000-1111-2222-3333-444444444444 >"$tree/proc/sys/kernel/random/boot_id"
snap "$tree" >"$work/snap.pre"
tn rollback --sysroot "$tree" --state-dir "$state" --last
if [ "$rc" -eq 1 ] && grep -q "another boot" "$work/err"; then
	ok "(g) another boot: refused: $(head -n 1 "$work/err")"
else
	fail "(g) another boot: exit $rc (want 1), want 'another boot'; stderr:"
	show "$work/err"
fi
snap "$tree" >"$work/snap.post"
cmp -s "$work/snap.pre" "$work/snap.post"
check $? "(g) another boot: tree untouched"
tn rollback --sysroot "$tree" --state-dir "$state" --last --force
cp -p "$work/boot_id.saved" "$tree/proc/sys/kernel/random/boot_id"
snap "$tree" >"$work/snap.2"
if [ "$rc" -eq 0 ] && grep -q ": $nchanges restored," "$work/err" && cmp -s "$work/snap.0" "$work/snap.2"; then
	ok "(g) another boot, --force: $nchanges restored, the tree is byte for byte as before the apply"
else
	fail "(g) another boot, --force: exit $rc; stderr:"
	tail -n 3 "$work/err" | show
	diff "$work/snap.0" "$work/snap.2" | head -n 20 | show
fi
tn rollback --sysroot "$tree" --state-dir "$state" --last
if [ "$rc" -eq 0 ] && grep -q ": 0 restored," "$work/err"; then
	ok "a second rollback changes nothing"
else
	fail "a second rollback: exit $rc; stderr:"
	show "$work/err"
fi

echo "time: $(($(date +%s) - start)) s"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
