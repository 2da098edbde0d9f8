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
# another batch of the guest (40 rounds): the VMM reports the MMIO writes it saw
batch() {
	kill -USR1 "$pid"
	i=0
	while [ "$(cut -d' ' -f1 /tmp/vmm.pid.batch 2>/dev/null)" != "$1" ]; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "kvmx_demo did not run batch $1"; exit 1; }
	done
	n=$(cut -d' ' -f2 /tmp/vmm.pid.batch)
	echo "guest batch $1: $n of its 40 MMIO writes reached the VMM"
}
echo "== kvmxctl regions add --pid $pid --addr 0xc0000000 --size 4 --mode doorbell"
kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 4 --mode doorbell
batch 1
echo "== kvmxctl regions list --pid $pid   (the doorbell served them in the kernel)"
kvmxctl regions list --pid "$pid"
echo "== kvmxctl release --pid $pid; then policy set --mmio discard on that page"
kvmxctl release --pid "$pid"
kvmxctl policy set --pid "$pid" --mmio discard --range 0xc0000000:0x1000
batch 2
kvmxctl policy show --pid "$pid"
kvmxctl policy clear --pid "$pid"
batch 3
kill -TERM "$pid"
wait
