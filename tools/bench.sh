#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: benchmarks whose results are ratios measured side by side in
# one run (one VM boot per arch), printed as JSON lines.
#   exit_overhead: an exit-heavy guest loop with kvmx not loaded, loaded,
#   with another VM attached, and attached (tools/bench/exits.sh).
#   regions: a guest MMIO access through a userspace exit, KVM_IOEVENTFD
#   and each kvmx region mode; a doorbell hit with 1, 100, 4096 regions
#   (tools/bench/regions.sh).
# BENCH_ARCHES (default "x86_64 arm64") and BENCH_KERNEL (default 6.1).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${BENCH_KERNEL:-6.1}
for arch in ${BENCH_ARCHES:-x86_64 arm64}; do
	echo "# exit_overhead: $arch $kernel (QEMU TCG: compare ratios, not absolute times)" >&2
	"$top/tools/vm/run" --arch "$arch" --kernel "$kernel" --timeout 1800 \
		--extra "$top/tools/bench" -- /extra/exits.sh
	echo "# regions: $arch $kernel" >&2
	"$top/tools/vm/run" --arch "$arch" --kernel "$kernel" --timeout 1800 \
		--extra "$top/tools/bench" -- /extra/regions.sh
done
