#!/bin/sh
# An interface rule's match.pci: as sysfs names the device (0000:02:00.0, any
# case) or as lspci shows one of domain 0 (02:00.0). The short form matched
# no NIC, with a warning that did not say why, and 'profile validate' took
# it; a value that is no PCI address at all ("eth0") was taken too. Now the
# short form is read as domain 0000, and anything else is refused naming the
# JSON path and the two forms.
#   pci_match.sh TUNER SRCDIR WORKDIR
T=$1 SRC=$2 W=$3
S=$SRC/tests/golden/16intel64.show.json
mkdir -p "$W"
fails=0
prof() { echo "{\"name\":\"p\",\"irqbalance\":\"ignore\",\"interfaces\":[{\"match\":{\"pci\":\"$1\"},\"irq\":{}}]}" > "$W/p.json"; }
for a in 02:00.0 0000:02:00.0 0000:02:00.0 0000:0B:00.1 0b:00.1; do
    prof "$a"
    out=$("$T" plan --profile "$W/p.json" --state "$S" 2>&1); rc=$?
    case $a in *2:00.0) nic=eth0 ;; *) nic=eth10 ;; esac
    if [ $rc = 2 ] && echo "$out" | grep -q " $nic-TxRx-0: " && ! echo "$out" | grep -q "matches no NIC"; then
        echo "ok: pci $a: places $nic's IRQs"
    else
        echo "FAIL: pci $a: exit $rc: $(echo "$out" | tail -n 2 | tr '\n' ' ')"; fails=$((fails + 1))
    fi
done
for a in eth0 4:00.0 0000:02:00.8 "02:00.0 " 000:02:00.0 0000:02:00; do
    prof "$a"
    out=$("$T" profile validate "$W/p.json" 2>&1); rc=$?
    if [ $rc = 1 ] && echo "$out" | grep -q "interfaces\[0\].match.pci: \"$a\" is not a PCI address: DOMAIN:BUS:DEVICE.FUNCTION"; then
        echo "ok: pci '$a' refused, naming the path"
    else
        echo "FAIL: pci '$a': exit $rc: $out"; fails=$((fails + 1))
    fi
done
[ $fails = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
