// SPDX-License-Identifier: GPL-2.0
/*
 * The uapi contract of linux/kvmx.h: the header stands alone, its structures
 * have one layout on every ABI (fixed-size fields, no implicit padding: the
 * Makefile builds this file with -Wpadded), and the version macros agree.
 * A layout change that breaks existing binaries fails here.
 */
#include <stddef.h>
#include <linux/kvmx.h>
#include "kselftest_harness.h"

#define OFF(type, field)	offsetof(struct type, field)

TEST(version_macros)
{
	EXPECT_EQ(KVMX_API_MAJOR, KVMX_API_VERSION_MAJOR(KVMX_API_VERSION));
	EXPECT_EQ(KVMX_API_MINOR, KVMX_API_VERSION_MINOR(KVMX_API_VERSION));
	/* a positive int: it is an ioctl's return value */
	EXPECT_GT((int)KVMX_API_VERSION, 0);
}

TEST(ioctl_numbers)
{
	/* VFIO-style: no size in the number, so structures can grow */
	EXPECT_EQ(0, _IOC_SIZE(KVMX_ATTACH_VM));
	EXPECT_EQ(0, _IOC_SIZE(KVMX_SESSION_INFO));
	EXPECT_EQ(_IOC_NONE, _IOC_DIR(KVMX_GET_API_VERSION));
	EXPECT_NE(KVMX_ATTACH_VM, KVMX_SESSION_INFO);
	EXPECT_NE(KVMX_GET_API_VERSION, KVMX_ATTACH_VM);
}

TEST(attach_vm_layout)
{
	struct kvmx_attach_vm a;

	EXPECT_EQ(16, sizeof(struct kvmx_attach_vm));
	EXPECT_EQ(0, OFF(kvmx_attach_vm, argsz));
	EXPECT_EQ(4, sizeof(a.argsz));
	EXPECT_EQ(4, OFF(kvmx_attach_vm, flags));
	EXPECT_EQ(4, sizeof(a.flags));
	EXPECT_EQ(8, OFF(kvmx_attach_vm, vm_fd));
	EXPECT_EQ(4, sizeof(a.vm_fd));
	EXPECT_EQ(12, OFF(kvmx_attach_vm, reserved));
	EXPECT_EQ(4, sizeof(a.reserved));
}

TEST(session_info_layout)
{
	struct kvmx_session_info a;

	EXPECT_EQ(32, sizeof(struct kvmx_session_info));
	EXPECT_EQ(0, OFF(kvmx_session_info, argsz));
	EXPECT_EQ(4, sizeof(a.argsz));
	EXPECT_EQ(4, OFF(kvmx_session_info, flags));
	EXPECT_EQ(4, sizeof(a.flags));
	EXPECT_EQ(8, OFF(kvmx_session_info, api_version));
	EXPECT_EQ(4, sizeof(a.api_version));
	EXPECT_EQ(12, OFF(kvmx_session_info, nr_vcpus));
	EXPECT_EQ(4, sizeof(a.nr_vcpus));
	EXPECT_EQ(16, OFF(kvmx_session_info, nr_sessions));
	EXPECT_EQ(4, sizeof(a.nr_sessions));
	EXPECT_EQ(20, OFF(kvmx_session_info, reserved));
	EXPECT_EQ(4, sizeof(a.reserved));
	EXPECT_EQ(24, OFF(kvmx_session_info, vm_id));
	EXPECT_EQ(8, sizeof(a.vm_id));
}

TEST(stats_layout)
{
	EXPECT_EQ(48, sizeof(struct kvmx_stats));
	EXPECT_EQ(48, OFF(kvmx_stats, entries));
	EXPECT_EQ(32, OFF(kvmx_stats, lost));
	EXPECT_EQ(56 + 8 * KVMX_LAT_BUCKETS, sizeof(struct kvmx_stat_entry));
	EXPECT_EQ(56, OFF(kvmx_stat_entry, lat_hist));
}

TEST(ring_layout)
{
	/* API 1.1 callers pass everything up to mmap_size: it must not move */
	EXPECT_EQ(80, OFF(kvmx_ring_setup, mmap_size));
	EXPECT_EQ(88, OFF(kvmx_ring_setup, fault_sample));
	EXPECT_EQ(120, sizeof(struct kvmx_ring_setup));
	EXPECT_EQ(64, OFF(kvmx_ring_header, tail));
	EXPECT_EQ(128, sizeof(struct kvmx_ring_header));
	EXPECT_EQ(64, sizeof(struct kvmx_exit_record));
	EXPECT_EQ(56, OFF(kvmx_exit_record, raw));
	EXPECT_EQ(60, OFF(kvmx_exit_record, fault_type));
	EXPECT_EQ(61, OFF(kvmx_exit_record, fault_level));
	EXPECT_EQ(62, OFF(kvmx_exit_record, fault_access));
	EXPECT_EQ(63, OFF(kvmx_exit_record, fault_flags));
}

TEST(faults_layout)
{
	EXPECT_EQ(40, sizeof(struct kvmx_faults));
	EXPECT_EQ(32, OFF(kvmx_faults, pending));
	EXPECT_EQ(40, OFF(kvmx_faults, entries));
	EXPECT_EQ(128, sizeof(struct kvmx_fault_entry));
	EXPECT_EQ(8, OFF(kvmx_fault_entry, count));
	EXPECT_EQ(56, OFF(kvmx_fault_entry, to_user));
	EXPECT_EQ(64, OFF(kvmx_fault_entry, level));
	EXPECT_EQ(120, OFF(kvmx_fault_entry, reserved));
	EXPECT_LE(KVMX_FAULT_NR_CLASSES, KVMX_FAULT_CLASSES_MAX);
	EXPECT_LE(KVMX_EXIT_NR_CLASSES, KVMX_EXIT_CLASSES_MAX);
	EXPECT_EQ(0, _IOC_SIZE(KVMX_GET_FAULTS));
}

TEST(policy_layout)
{
	EXPECT_EQ(24, sizeof(struct kvmx_policy_range));
	EXPECT_EQ(16, sizeof(struct kvmx_class_policy));
	EXPECT_EQ(24, OFF(kvmx_policy, ranges));
	EXPECT_EQ(24 + 24 * KVMX_POLICY_MAX_RANGES, OFF(kvmx_policy, classes));
	/* SET reads up to the counters, which GET and SET write */
	EXPECT_EQ(664, OFF(kvmx_policy, mmio_discarded));
	EXPECT_EQ(696, OFF(kvmx_policy, notified));
	/* API 1.4's structure ends where 1.8's program fields start */
	EXPECT_EQ(824, OFF(kvmx_policy, link_fd));
	EXPECT_EQ(840, OFF(kvmx_policy, prog_calls));
	EXPECT_EQ(856, sizeof(struct kvmx_policy));
	EXPECT_EQ(KVMX_POLICY_FORWARD, 0);
	EXPECT_EQ(KVMX_CLASS_COUNT, 0);
	EXPECT_NE(KVMX_SET_POLICY, KVMX_GET_POLICY);
	EXPECT_EQ(0, _IOC_SIZE(KVMX_SET_POLICY));
}

TEST(bpf_layout)
{
	/* kvmx_region's reserved u64 of 1.3 became link_fd + reserved */
	EXPECT_EQ(48, OFF(kvmx_region, link_fd));
	EXPECT_EQ(52, OFF(kvmx_region, reserved));
	EXPECT_EQ(56, OFF(kvmx_region, datamatch));
	EXPECT_EQ(84, OFF(kvmx_region_info, link_id));
	/* what BPF programs are compiled against: the same on both arches */
	EXPECT_EQ(40, sizeof(struct kvmx_mmio_ctx));
	EXPECT_EQ(16, OFF(kvmx_mmio_ctx, data));
	EXPECT_EQ(56, sizeof(struct kvmx_exit_ctx));
	EXPECT_EQ(40, OFF(kvmx_exit_ctx, vcpu));
	EXPECT_EQ(KVMX_MMIO_SERVED, 0);
	EXPECT_EQ(KVMX_EXIT_COUNT, 0);
}

TEST_HARNESS_MAIN
