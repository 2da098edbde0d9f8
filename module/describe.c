// SPDX-License-Identifier: GPL-2.0
/*
 * What the module says about itself: KVMX_CHECK_EXTENSION (KVM's model:
 * a feature answers 1, a limit its value, anything unknown 0) and
 * KVMX_GET_NAMES (the names of its classes and reasons, as
 * virt/kvm/binary_stats.c's descriptors name KVM's statistics), on
 * /dev/kvmx and on a session.
 */
#include <linux/string.h>
#include <linux/uaccess.h>
#include "kvmx.h"

/**
 * kvmx_check_extension() - does the module have capability @cap?
 * @vm:		the session's VM, or NULL on /dev/kvmx (the host)
 * @cap:	KVMX_CAP_*
 *
 * Return: 0 if not, else 1 or the limit.
 */
long kvmx_check_extension(const struct kvmx_vm *vm, unsigned long cap)
{
	switch (cap) {
	case KVMX_CAP_STATS:
	case KVMX_CAP_FAULTS:
	case KVMX_CAP_REGIONS:
	case KVMX_CAP_POLICY:
	case KVMX_CAP_STATS_SINCE:
	case KVMX_CAP_REGION_LIST_MMAP:
	case KVMX_CAP_GET_NAMES:
		return 1;
	case KVMX_CAP_REGION_PIO:
	case KVMX_CAP_POLICY_PIO:
		return kvmx_arch_has_pio();
	case KVMX_CAP_BPF:
		return kvmx_bpf_available();
	case KVMX_CAP_POLICY_INJECT:
		return kvmx_arch_can_inject();
	case KVMX_CAP_REGION_FAST_MMIO:
		/* a DOORBELL takes the flag everywhere; a VMX VM serves it faster */
		return vm && kvmx_arch_has_fast_mmio(vm) ? 2 : 1;
	case KVMX_CAP_MAX_REGIONS:
		return KVMX_MAX_REGIONS;
	case KVMX_CAP_MAX_BUS_DEVS:
		return KVMX_MAX_BUS_DEVS;
	case KVMX_CAP_REGION_MAX_MAP:
		return KVMX_REGION_MAX_MAP;
	case KVMX_CAP_RING_MAX_RECORDS:
		return KVMX_RING_MAX_RECORDS;
	case KVMX_CAP_POLICY_MAX_RANGES:
		return KVMX_POLICY_MAX_RANGES;
	case KVMX_CAP_FAULT_HOT_MAX:
		return KVMX_FAULT_HOT_MAX;
	case KVMX_CAP_EXIT_NR_CLASSES:
		return KVMX_EXIT_NR_CLASSES;
	case KVMX_CAP_FAULT_NR_CLASSES:
		return KVMX_FAULT_NR_CLASSES;
	default:
		return 0;
	}
}

/* Emit one name; names longer than KVMX_NAME_LEN - 1 are cut. */
static int kvmx_name_emit(struct kvmx_table_writer *w, u32 kind, u32 id,
			  u32 class, const char *name)
{
	struct kvmx_name_entry e = { .kind = kind, .id = id, .class = class };

	strscpy(e.name, name, sizeof(e.name));
	return kvmx_table_emit(w, &e);
}

static int kvmx_names_emit(struct kvmx_table_writer *w, u32 arch)
{
	unsigned int i;
	const char *n;
	u32 raw;
	int ret;

	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		ret = kvmx_name_emit(w, KVMX_NAME_EXIT_CLASS, i, 0, kvmx_class_name(i));
		if (ret)
			return ret;
	}
	for (i = 0; i < KVMX_FAULT_NR_CLASSES; i++) {
		ret = kvmx_name_emit(w, KVMX_NAME_FAULT_CLASS, i, 0, kvmx_fault_class_name(i));
		if (ret)
			return ret;
	}
	for (i = 0; i < KVMX_FT_NR_TYPES; i++) {
		ret = kvmx_name_emit(w, KVMX_NAME_FAULT_TYPE, i, 0, kvmx_fault_type_name(i));
		if (ret)
			return ret;
	}
	for (i = 0; i < KVMX_RAW_SLOTS; i++) {
		if (!kvmx_slot_raw(arch, i, &raw))
			continue;
		n = kvmx_raw_name(arch, raw);
		/* reasons the arch's manual leaves unassigned */
		if (!n)
			continue;
		ret = kvmx_name_emit(w, KVMX_NAME_RAW, raw, kvmx_exit_class(arch, raw), n);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * kvmx_get_names() - KVMX_GET_NAMES
 * @vm:		the session's VM, or NULL on /dev/kvmx
 * @uarg:	the caller's table
 *
 * Return: 0, -EFAULT, or -EINVAL for a bad header or arch.
 */
long kvmx_get_names(const struct kvmx_vm *vm, struct kvmx_names __user *uarg)
{
	struct kvmx_table_writer w;
	struct kvmx_names hdr;
	u32 arch;
	int ret;

	ret = kvmx_table_begin(&w, uarg, sizeof(hdr), sizeof(struct kvmx_name_entry), 0, NULL);
	if (ret)
		return ret;
	if (get_user(arch, &uarg->arch))
		return -EFAULT;
	/* 0: the VM's, or the host's */
	if (!arch)
		arch = vm ? vm->arch : kvmx_arch_host_id();
	/* an arch kvmx names reasons of */
	if (arch < KVMX_ARCH_X86_VMX || arch > KVMX_ARCH_ARM64)
		return -EINVAL;
	ret = kvmx_names_emit(&w, arch);
	if (ret)
		return ret;
	hdr = (struct kvmx_names) {
		.argsz = sizeof(hdr) + w.total * sizeof(struct kvmx_name_entry),
		.flags = w.written < w.total ? KVMX_TABLE_TRUNCATED : 0,
		.arch = arch,
		.entry_size = sizeof(struct kvmx_name_entry),
		.nr_entries = w.written,
		.nr_total = w.total,
	};
	return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : 0;
}
