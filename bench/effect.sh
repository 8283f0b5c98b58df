#!/bin/bash
# The effect table (issue 12): boots the VM tier's kernels with only the
# effect scenarios (tests/vm/scenarios/09-12, effect.inc), and prints, per
# scenario and kernel, the kernel's own loss counter before, after tuner's
# profile (what `tuner diagnose --emit-profile` wrote, applied), after the
# incident's hand fix, after the shipped profile, and after `rollback --last`,
# with the knob and value. UDP has two rows: the plain receiver (udp) and one
# that sets SO_RCVBUF 16 MiB itself (udp-so_rcvbuf, capped by rmem_max). Needs root, qemu and the VM tier's tools
# (tests/vm/deps.sh); TUNER_VM_KERNELS etc. as for tests/vm/run.sh.
#
#   bench/effect.sh [TUNER_BINARY]       run the scenarios, print the table
#   bench/effect.sh --from LOG...        the table from kept console logs
#                                        (TUNER_VM_KEEP=1 ... console-*.log.txt)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scn="$here/../tests/vm/scenarios"

table() {
    echo "| scenario | kernel | stage | before | after tuner | after the hand fix | shipped profile | after rollback | knob and value |"
    echo "|---|---|---|---|---|---|---|---|---|"
    sed -n 's/^TNVM LOG [^|]*| EFFECT|//p' "$@" |
        awk -F'|' '{ k = $2; sub(/\+deb12-amd64$|-amd64$/, "", k)
            printf "| %s | %s | `%s` | %s | %s | %s | %s | %s | %s |\n", $1, k, $3, $4, $5, $6, $7, $8, $9 }'
}

if [ "${1:-}" = --from ]; then
    shift
    [ $# -gt 0 ] || { echo "usage: $0 --from CONSOLE_LOG..." >&2; exit 2; }
    table "$@"
    exit 0
fi
tuner=${1:-$here/../build/tuner}
out=$(mktemp -d /tmp/tuner-effect.XXXXXX) || exit 2
trap 'rm -rf "$out"' EXIT
mkdir "$out/scn" && cp "$scn"/effect.inc "$scn"/[0-9][0-9]-effect-*.sh "$out/scn/" || exit 2
TUNER_VM_KEEP=1 TUNER_VM_OUT="$out/vm" "$here/../tests/vm/run.sh" "$tuner" "$out/scn" >&2
rc=$?
table "$out"/vm/console-*.log.txt
[ "$rc" = 0 ] || echo "(the VM tier exited $rc: see above; rows of failed scenarios may be missing)" >&2
exit "$rc"
