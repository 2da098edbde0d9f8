#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload kvmx: /dev/kvmx appears and disappears, the module
# announces its API, a load after an unload works, and rmmod is refused
# while /dev/kvmx is open. Expects kvmx loaded, and its .ko in KVMX_KO.

KO=${KVMX_KO:-/kvmx/kvmx.ko}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "TAP version 13"
echo "1..9"
check "kvmx is loaded" test -d /sys/module/kvmx
check "/dev/kvmx exists" test -c /dev/kvmx
check "load message names the API" sh -c 'dmesg | grep -q "kvmx: loaded, api 1\."'

# /dev/kvmx held open: rmmod must be refused
exec 3</dev/kvmx
check "rmmod refused while /dev/kvmx is open" sh -c '! rmmod kvmx 2>/dev/null'
exec 3<&-

check "rmmod" rmmod kvmx
check "/dev/kvmx is gone" test ! -e /dev/kvmx
i=0
while [ $i -lt 3 ]; do insmod "$KO" && rmmod kvmx || break; i=$((i + 1)); done
check "3 load/unload cycles" test $i = 3
check "insmod again" insmod "$KO"
check "/dev/kvmx is back" test -c /dev/kvmx
[ $fails = 0 ]
