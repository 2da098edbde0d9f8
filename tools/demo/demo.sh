#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make demo`: kvmx is loaded; show it at work.
set -e
echo "== kernel $(uname -r) $(uname -m)"
grep -E '^(kvmx|kvm|kvm_amd) ' /proc/modules | cut -d' ' -f1,3 | sed 's/^/module /'
echo "== kvmxctl version"
kvmxctl version
echo "== a small VMM runs a guest (CPUID/system-register traps, MMIO, ucalls)"
rm -f /tmp/vmm.pid
/selftests/kvmx_demo /tmp/vmm.pid &
i=0
while [ ! -s /tmp/vmm.pid ]; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 300 ] || { echo "kvmx_demo did not start"; exit 1; }
done
pid=$(cat /tmp/vmm.pid)
echo "== kvmxctl stats --pid $pid   (attached from outside, by pid)"
kvmxctl stats --pid "$pid"
echo "== kvmxctl --json stats --pid $pid | head -c 300"
kvmxctl --json stats --pid "$pid" | head -c 300
echo
echo "== kvmxctl faults --pid $pid   (stage-2 faults: what they were, what KVM did)"
kvmxctl faults --pid "$pid"
kill -TERM "$pid"
wait
