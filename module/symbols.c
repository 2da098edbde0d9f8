// SPDX-License-Identifier: GPL-2.0
/*
 * KVM symbols kvmx needs that neither 6.1 nor 6.12 exports, resolved once
 * at load through kallsyms. kallsyms_lookup_name() itself is not exported
 * since 5.7; a kprobe on it tells its address. A symbol that cannot be
 * found fails the load with a message naming it.
 */
#include <linux/kprobes.h>
#include "kvmx.h"

struct kvmx_syms kvmx_syms __ro_after_init;

typedef unsigned long (*kallsyms_lookup_name_t)(const char *name);

static kallsyms_lookup_name_t kvmx_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	kallsyms_lookup_name_t fn;
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot resolve kallsyms_lookup_name (kprobe: %d)\n", ret);
		return NULL;
	}
	fn = (kallsyms_lookup_name_t)kp.addr;
	unregister_kprobe(&kp);
	return fn;
}

#define KVMX_SYM(field, name) { offsetof(struct kvmx_syms, field), name }

static const struct {
	size_t offset;
	const char *name;
} kvmx_sym_table[] = {
	KVMX_SYM(io_bus_register_dev, "kvm_io_bus_register_dev"),
	KVMX_SYM(io_bus_unregister_dev, "kvm_io_bus_unregister_dev"),
#ifdef CONFIG_X86
	KVMX_SYM(x86_ops, "kvm_x86_ops"),
	KVMX_SYM(io_bus_read, "kvm_io_bus_read"),
#endif
#ifdef CONFIG_ARM64
	KVMX_SYM(io_mem_abort, "io_mem_abort"),
	KVMX_SYM(handle_mmio_return, "kvm_handle_mmio_return"),
	KVMX_SYM(inject_dabt, "kvm_inject_dabt"),
#endif
};

int __init kvmx_resolve_symbols(void)
{
	kallsyms_lookup_name_t lookup = kvmx_find_kallsyms();
	unsigned long addr;
	size_t i;

	if (!lookup)
		return -ENOENT;

	for (i = 0; i < ARRAY_SIZE(kvmx_sym_table); i++) {
		addr = lookup(kvmx_sym_table[i].name);
		if (!addr) {
			pr_err("cannot resolve %s: is KVM loaded and built with kallsyms?\n",
			       kvmx_sym_table[i].name);
			return -ENOENT;
		}
		*(unsigned long *)((char *)&kvmx_syms + kvmx_sym_table[i].offset) = addr;
	}
	return 0;
}
