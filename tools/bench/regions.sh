#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (make bench): the cost of one guest MMIO access through
# a userspace exit, KVM_IOEVENTFD and each kvmx region mode, and of a
# doorbell hit with 1, 100 and 4096 regions; all in one VM, side by side
# (selftests/kvmx_region_bench.c). One JSON line per path.
set -e
/selftests/kvmx_region_bench "${REPS:-21}" "${ACCESSES:-500}" "${REGIONS:-4096}"
