/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit taxonomy: raw per-arch exit reasons to kvmx exit classes, their names
 * and a dense index of raw reasons for per-reason counters. Pure code: built
 * into the module, kvmxctl and the host unit tests.
 */
#ifndef _KVMX_EXIT_CLASS_H
#define _KVMX_EXIT_CLASS_H

#include <linux/types.h>
#ifndef __KERNEL__
#include <stdbool.h>
#include <stddef.h>
#endif
#include <linux/kvmx.h>

/* Dense slots for per-raw-reason counters; the last one is "unknown". */
#define KVMX_RAW_SLOTS		256
#define KVMX_RAW_SLOT_UNKNOWN	(KVMX_RAW_SLOTS - 1)

/* arm64 exits that are not traps: KVMX_ARM64_EXIT_BASE + ARM_EXCEPTION_* */
#define KVMX_ARM64_EXIT_IRQ	(KVMX_ARM64_EXIT_BASE + 0)
#define KVMX_ARM64_EXIT_SERROR	(KVMX_ARM64_EXIT_BASE + 1)
#define KVMX_ARM64_EXIT_IL	(KVMX_ARM64_EXIT_BASE + 3)
#define KVMX_ARM64_EXIT_UNKNOWN	(KVMX_ARM64_EXIT_BASE + 0xfe)
#define KVMX_ARM64_EXIT_HYP_GONE (KVMX_ARM64_EXIT_BASE + 0xff)

#define KVMX_VMX_FAILED_VMENTRY	0x80000000u
#define KVMX_VMX_BASIC_REASON	0xffffu
#define KVMX_VMX_EXIT_EPT_VIOLATION	48
#define KVMX_VMX_EXIT_EPT_MISCONFIG	49
#define KVMX_SVM_EXIT_NPF	0x400
#define KVMX_SVM_EXIT_ERR	0xffffffffu

const char *kvmx_class_name(unsigned int class);
unsigned int kvmx_exit_class(__u32 arch, __u32 raw);
const char *kvmx_raw_name(__u32 arch, __u32 raw);
unsigned int kvmx_raw_slot(__u32 arch, __u32 raw);
bool kvmx_slot_raw(__u32 arch, unsigned int slot, __u32 *raw);
bool kvmx_exit_has_gpa(__u32 arch, __u32 raw);

#endif /* _KVMX_EXIT_CLASS_H */
