#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload kvmx: /dev/kvmx appears and disappears, the module
# announces its API, a load after an unload works, and rmmod is refused
# while /dev/kvmx is open. The check of every function kvmx calls: with
# call_check=FUNC (a test knob: FUNC is checked as if kvmx called it), a
# function that is sealed on a CET-IBT kernel (kallsyms_lookup_name in the
# kernel, kvm_io_bus_read and kvm_io_bus_register_dev in kvm.ko: their ENDBR
# overwritten) refuses the load with a message naming it; an exported one
# (kvm_io_bus_write) loads; without IBT all load; an unknown one never does. Expects kvmx loaded, and its .ko in KVMX_KO.

KO=${KVMX_KO:-/kvmx/kvmx.ko}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "TAP version 13"
check "kvmx is loaded" test -d /sys/module/kvmx
check "/dev/kvmx exists" test -c /dev/kvmx
check "load message names the API" sh -c 'dmesg | grep -q "kvmx: loaded, api 1\."'

# /dev/kvmx held open: rmmod must be refused
exec 3</dev/kvmx
check "rmmod refused while /dev/kvmx is open" sh -c '! rmmod kvmx 2>/dev/null'
exec 3<&-

check "rmmod" rmmod kvmx
check "/dev/kvmx is gone" test ! -e /dev/kvmx
# a selftest without kvmx is skipped (KSFT_SKIP, 4), not failed
skips() { out=$("$@" 2>&1); st=$?; [ $st = 4 ] && echo "$out" | grep -q 'no /dev/kvmx'; }
check "kvmx_guest_test without kvmx: skipped (4)" skips "$(dirname "$0")"/kvmx_guest_test
check "kvmx_ioctl_test without kvmx: skipped (4)" skips "$(dirname "$0")"/kvmx_ioctl_test
i=0
while [ $i -lt 3 ]; do insmod "$KO" && rmmod kvmx || break; i=$((i + 1)); done
check "3 load/unload cycles" test $i = 3

ibt=0
grep -qw ibt /proc/cpuinfo && ibt=1
refused() { # FUNC: the load is refused and the message names FUNC
	dmesg -c > /dev/null
	! insmod "$KO" call_check="$1" 2>/dev/null &&
		dmesg | grep -q "kvmx: $1 .* is not a valid indirect call target"
}
loads() { insmod "$KO" call_check="$1" && rmmod kvmx; }
for f in kallsyms_lookup_name kvm_io_bus_read kvm_io_bus_register_dev; do
	case "$(uname -m)-$ibt" in
	x86_64-1) check "IBT on: $f is sealed, the load is refused naming it" refused "$f" ;;
	*) check "no IBT: call_check=$f loads" loads "$f" ;;
	esac
	# a load that should have been refused must not stay for the next check
	[ -d /sys/module/kvmx ] && rmmod kvmx
done
check "exported kvm_io_bus_write is callable: loads" loads kvm_io_bus_write
check "an unknown function refuses the load" sh -c "! insmod $KO call_check=kvmx_no_such_function 2>/dev/null"
check "nothing of a refused load left" test ! -e /dev/kvmx
check "the host is fine: /dev/kvm still there" test -c /dev/kvm

check "insmod again" insmod "$KO"
check "/dev/kvmx is back" test -c /dev/kvmx
echo "1..$n"
[ $fails = 0 ]
