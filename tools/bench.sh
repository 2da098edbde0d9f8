#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: benchmarks whose results are ratios measured side by side in
# one run (one VM boot per arch), printed as JSON lines.
#   exit_overhead: an exit-heavy guest loop with kvmx not loaded, loaded,
#   with another VM attached, and attached (tools/bench/exits.sh).
#   regions: a guest MMIO access through a userspace exit, KVM_IOEVENTFD
#   and each kvmx region mode; a doorbell hit with 1, 100, 4096 regions
#   (tools/bench/regions.sh), and a PROGRAM region's read (the example device).
#   intel: the exit overhead per exit kind under Bochs (an emulated Intel
#   CPU with VMX, clock sync=none): guest TSC ticks are exact instruction
#   counts, the same run to run (one round each is enough); and the
#   regions' paths, the fast doorbell among them.
# BENCH_ARCHES (default "x86_64 arm64"), BENCH_KERNEL (default 6.12: BPF,
# so the regions bench has its PROGRAM path),
# BENCH_INTEL (default 1; 0 skips the Bochs run, which takes ~15 minutes).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${BENCH_KERNEL:-6.12}
for arch in ${BENCH_ARCHES:-x86_64 arm64}; do
	echo "# exit_overhead: $arch $kernel (QEMU TCG: compare ratios, not absolute times)" >&2
	"$top/tools/vm/run" --arch "$arch" --kernel "$kernel" --timeout 1800 \
		--extra "$top/tools/bench" -- /extra/exits.sh
	echo "# regions: $arch $kernel" >&2
	"$top/tools/vm/run" --arch "$arch" --kernel "$kernel" --timeout 1800 \
		--extra "$top/tools/bench" -- /extra/regions.sh
done
if [ "${BENCH_INTEL:-1}" = 1 ]; then
	echo "# exit_overhead and regions: x86_64 $kernel on Bochs (VMX): ticks = instructions" >&2
	"$top/tools/vm/run" --arch x86_64 --cpu intel --kernel "$kernel" --timeout 3600 \
		--extra "$top/tools/bench" -- sh -c \
		'REPS=1 ROUNDS=3 EXITS=200 KINDS="cpuid pio mmio mmio_fast mmio_vmm" /extra/exits.sh &&
		 REPS=3 ACCESSES=100 REGIONS=512 /extra/regions.sh'
fi
