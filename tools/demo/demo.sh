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

# Debian's QEMU (the bundle of tools/vm/qemu-bundle.sh, which make demo
# passes as --extra) runs a Linux guest with -accel kvm; kvmxctl attaches
# to it by pid as it did to kvmx_demo.
if [ ! -e /extra/qemu/l2.sh ]; then
	echo "== (no /extra/qemu: Debian's QEMU is not in this VM; make demo passes it)"
	exit 0
fi
echo
echo "== Debian's QEMU as the VMM: qemu-system-x86_64 -accel kvm -cpu host -m 128 -name guest=demo-l2"
echo "   -kernel (Debian's 6.1) -initrd (busybox): a Linux guest under the VM's KVM"
. /extra/qemu/l2.sh
l2=/tmp/demo-l2
trap 'l2_kill; l2_cpus_on' EXIT
l2_start "$l2" || { echo "QEMU did not boot its guest"; exit 1; }
echo "QEMU pid $qpid; the guest says: $(tr -d '\r' < "$l2/console" | grep '^kvmx-l2: ready')"
echo "== kvmxctl stats --pid $qpid"
kvmxctl stats --pid "$qpid"
echo "== kvmxctl top --pid $qpid --count 1"
kvmxctl top --pid "$qpid" --count 1
echo "== kvmxctl faults --pid $qpid"
kvmxctl faults --pid "$qpid"
# a round: the guest writes R to $L2_ADDR (4 bytes, "busybox devmem"), K times
round() {
	l2_round "$1" "$2" || { echo "the guest did not finish round $1"; exit 1; }
	echo "guest round $1: $2 writes of $1 to $L2_ADDR, an address no device of QEMU's claims"
}
echo "== kvmxctl trace --pid $qpid --class mmio --count 5   (while the guest writes)"
kvmxctl trace --pid "$qpid" --class mmio --count 5 > "$l2/trace" &
tr=$!
r=0
while kill -0 "$tr" 2>/dev/null && [ $r -lt 10 ]; do
	r=$((r + 1))
	l2_round $r 5 > /dev/null || break
done
wait "$tr"
cat "$l2/trace"
echo "== kvmxctl regions add --pid $qpid --addr $L2_ADDR --size 4 --mode doorbell"
kvmxctl regions add --pid "$qpid" --addr "$L2_ADDR" --size 4 --mode doorbell
r=$((r + 1))
round $r 20
echo "== kvmxctl regions list --pid $qpid   (the doorbell took them in the kernel, QEMU saw none)"
kvmxctl regions list --pid "$qpid"
echo "== kvmxctl release --pid $qpid; then policy set --mmio discard on that page"
kvmxctl release --pid "$qpid"
kvmxctl policy set --pid "$qpid" --mmio discard --range "$L2_ADDR:0x1000"
r=$((r + 1))
round $r 20
kvmxctl policy show --pid "$qpid"
kvmxctl release --pid "$qpid"
q=$qpid
l2_stop || { echo "QEMU did not exit on SIGTERM"; exit 1; }
echo "== QEMU (pid $q) exited on SIGTERM"
