#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs every kvmx selftest inside the test VM and prints their TAP. A test
# program that dies without reporting (a failed TEST_ASSERT aborts) gets a
# "not ok" line of its own. Exits non-zero if anything failed.

cd "$(dirname "$0")" || exit 1
status=0
# KVMX_TESTS: which of them (default: all); kvmx_fuzz runs a fixed list of
# seeds, 20 s each. kvmx_qemu_test.sh runs when Debian's QEMU is under
# /extra (tools/vm/run --extra of tools/vm/qemu-bundle.sh's bundle; make
# check runs it in a test VM of its own, with one CPU).
qemu_test=""
[ -e /extra/qemu/l2.sh ] && qemu_test=kvmx_qemu_test.sh
tests=${KVMX_TESTS:-"kvmx_load_test.sh kvmx_ioctl_test kvmx_ioctl_stats_test
	kvmx_ioctl_regions_test kvmx_ioctl_policy_test kvmx_guest_test kvmx_exits_test
	kvmx_faults_test kvmx_regions_test kvmx_policy_test kvmx_safety_test
	kvmx_locks_test kvmx_seeds_test kvmx_bpf_test kvmxctl_test.sh kvmxctl_exporter_test.sh
	$qemu_test
	kvmx_fuzz"}
for t in $tests; do
	[ "$t" = kvmx_fuzz ] &&
		t="kvmx_fuzz -s ${KVMX_FUZZ_SEEDS:-1,2,3} -t ${KVMX_FUZZ_SECS:-20}"
	echo "# running $t"
	out=$(timeout "${KVMX_TEST_TIMEOUT:-300}" ./$t 2>&1)
	rc=$?
	echo "$out"
	if [ $rc = 4 ]; then
		echo "ok - $t # SKIP"
	elif [ $rc != 0 ]; then
		status=1
		echo "$out" | grep -q '^not ok' || echo "not ok - $t exited with status $rc"
	fi
done

# Every session is closed now: nothing of kvmx may be left allocated
# (its own counters, debugfs kvmx/objects; slabs are shared, so not those).
left=$(awk '$2 != 0' /sys/kernel/debug/kvmx/objects 2>&1)
if [ -z "$left" ]; then
	echo "ok - kvmx: nothing left allocated after the tests"
else
	status=1
	echo "not ok - kvmx: left allocated after the tests: $left"
fi
exit $status
