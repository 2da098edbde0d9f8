// SPDX-License-Identifier: GPL-2.0
/*
 * KVM symbols kvmx needs that KVM does not export to other modules, found
 * once at load without calling anything unexported. Upstream KVM offers
 * modules no stable interface: what 6.1 and 6.12 export to all (file_is_kvm,
 * kvm_io_bus_write, gfn_to_memslot), 7.x exports to its vendor modules only
 * (EXPORT_SYMBOL_FOR_KVM_INTERNAL), so kvmx takes every such symbol the
 * same way on every kernel, here, or does without it (a memslot is looked
 * up with the inline __gfn_to_memslot()):
 *
 * - in kvm.ko (x86), by reading the symbol table of that module, which
 *   kvmx depends on (so it stays loaded): struct module's kallsyms, found
 *   through this module's list of the modules it uses;
 * - in the kernel image (arm64, where KVM is built in), by registering a
 *   disabled kprobe on the function, which resolves its name and arms
 *   nothing.
 *
 * kallsyms_lookup_name() is not used: it is not exported, and on a kernel
 * with CET-IBT it is sealed (its ENDBR overwritten): calling it panicked
 * the host.
 *
 * Before anything is called, kvmx_check_callable() tells whether an
 * address may be the target of an indirect call on this CPU: a function
 * entry with ENDBR64 where kernel IBT is on (x86), with a BTI landing pad
 * where kernel BTI is on (arm64). A resolved target that is not callable
 * refuses the load, naming it.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#ifdef CONFIG_X86
#include <asm/ibt.h>
#endif
#include "kvmx.h"

struct kvmx_syms kvmx_syms __ro_after_init;

/*
 * For the load test: one more kernel function to check as if kvmx called
 * it, so that a refusal can be seen on a kernel where some function is
 * sealed (kvmx_load_test.sh). Never called.
 */
static char *call_check;
module_param(call_check, charp, 0400);
MODULE_PARM_DESC(call_check, "check that this kernel function is callable, refuse to load if not (tests)");

/* A kernel function's address: a disabled kprobe resolves it, arms nothing. */
static unsigned long __init kvmx_kernel_function(const char *name)
{
	struct kprobe kp = { .symbol_name = name, .flags = KPROBE_FLAG_DISABLED };
	unsigned long addr;
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot resolve %s (kprobe: %d)\n", name, ret);
		return 0;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
#ifdef CONFIG_X86
	/* the probe sits after a function's ENDBR, or after its sealed poison */
	if (kvmx_is_endbr(*(u32 *)(addr - ENDBR_INSN_SIZE)))
		addr -= ENDBR_INSN_SIZE;
#endif
	return addr;
}

/**
 * kvmx_check_callable() - may @addr be the target of an indirect call?
 * @addr:	a function's address
 * @name:	its name, for the message
 *
 * Return: 0, or -ENOEXEC with a message naming @name.
 */
int kvmx_check_callable(unsigned long addr, const char *name)
{
	bool ok = true;

	if (!addr) {
		pr_err("%s: no address\n", name);
		return -ENOEXEC;
	}
#ifdef CONFIG_X86_KERNEL_IBT
	/*
	 * ENDBR64 itself: is_endbr() also accepts the poison that sealing
	 * writes over it (for kprobes and ftrace, which must find the slot).
	 */
	if (cpu_feature_enabled(X86_FEATURE_IBT))
		ok = *(u32 *)addr == gen_endbr();
#endif
#ifdef CONFIG_ARM64
	if (IS_ENABLED(CONFIG_ARM64_BTI_KERNEL) && system_supports_bti()) {
		u32 insn = le32_to_cpu(*(__le32 *)addr);

		/* BTI C, BTI JC, PACIASP, PACIBSP: landing pads for a BLR */
		ok = insn == 0xd503245f || insn == 0xd50324df ||
		     insn == 0xd503233f || insn == 0xd503237f;
	}
#endif
	if (!ok)
		pr_err("%s (%pS) is not a valid indirect call target on this kernel (sealed by CET-IBT or no BTI landing pad): refusing to call it\n",
		       name, (void *)addr);
	return ok ? 0 : -ENOEXEC;
}

#ifdef CONFIG_X86
/* The module kvmx uses that is named @name (kvmx imports from it). */
static struct module *kvmx_used_module(const char *name)
{
	struct module_use *use;

	/* stable: changed only while this module loads or unloads */
	list_for_each_entry(use, &THIS_MODULE->target_list, target_list)
		if (!strcmp(use->target->name, name))
			return use->target;
	return NULL;
}

/* @name's address in @mod's symbol table, if it names one symbol of @type */
static unsigned long kvmx_module_symbol(struct module *mod, const char *name,
					unsigned int type)
{
	const struct mod_kallsyms *ks;
	unsigned long addr = 0;
	unsigned int i, found = 0;

	rcu_read_lock_sched();
	ks = rcu_dereference_sched(mod->kallsyms);
	for (i = 0; ks && i < ks->num_symtab; i++) {
		const struct elf64_sym *sym = &ks->symtab[i];

		if (sym->st_shndx == SHN_UNDEF || ELF_ST_TYPE(sym->st_info) != type ||
		    strcmp(ks->strtab + sym->st_name, name))
			continue;
		addr = kallsyms_symbol_value(sym);
		found++;
	}
	rcu_read_unlock_sched();
	if (found > 1) {
		pr_err("%s: %u symbols of that name in %s\n", name, found, mod->name);
		return 0;
	}
	return addr;
}

static int __init kvmx_resolve_arch(void)
{
	struct module *kvm = kvmx_used_module("kvm");
	unsigned long file_is_kvm;
	int ret;

	if (!kvm) {
		pr_err("kvm.ko not found among the modules kvmx uses (is KVM built in?)\n");
		return -ENOENT;
	}
	kvmx_syms.x86_ops = (void *)kvmx_module_symbol(kvm, "kvm_x86_ops", STT_OBJECT);
	kvmx_syms.io_bus_read = kvmx_module_symbol(kvm, "kvm_io_bus_read", STT_FUNC);
	kvmx_syms.io_bus_write = kvmx_module_symbol(kvm, "kvm_io_bus_write", STT_FUNC);
	file_is_kvm = kvmx_module_symbol(kvm, "file_is_kvm", STT_FUNC);
	if (!kvmx_syms.x86_ops || !kvmx_syms.io_bus_read || !kvmx_syms.io_bus_write ||
	    !file_is_kvm) {
		pr_err("cannot find kvm_x86_ops, kvm_io_bus_read, kvm_io_bus_write and file_is_kvm in kvm.ko (built without CONFIG_KALLSYMS_ALL?)\n");
		return -ENOENT;
	}
	ret = kvmx_check_callable(file_is_kvm, "file_is_kvm");
	if (ret)
		return ret;
	kvmx_syms.file_is_kvm = (void *)file_is_kvm;
	return 0;
}

/*
 * The vendor's ops kvmx calls (get_exit_info, cache_reg), when a vendor
 * module is loaded; at load and at every attach (the vendor may have been
 * loaded since).
 */
int kvmx_check_vendor_ops(void)
{
	const struct kvm_x86_ops *ops = kvmx_syms.x86_ops;
	int ret;

	if (!READ_ONCE(ops->get_exit_info))
		return -ENODEV;
	ret = kvmx_check_callable((unsigned long)ops->get_exit_info,
				  "kvm_x86_ops.get_exit_info");
	if (!ret)
		ret = kvmx_check_callable((unsigned long)ops->cache_reg,
					  "kvm_x86_ops.cache_reg");
	return ret;
}
#endif

#ifdef CONFIG_ARM64
#define KVMX_CALLED(field, name)	\
	{ offsetof(struct kvmx_syms, field), name }

static const struct {
	size_t offset;
	const char *name;
} kvmx_called[] = {
	KVMX_CALLED(file_is_kvm, "file_is_kvm"),
	KVMX_CALLED(get_running_vcpu, "kvm_get_running_vcpu"),
	KVMX_CALLED(io_mem_abort, "io_mem_abort"),
	KVMX_CALLED(handle_mmio_return, "kvm_handle_mmio_return"),
	KVMX_CALLED(inject_dabt, KVMX_INJECT_DABT_NAME),
};

static int __init kvmx_resolve_arch(void)
{
	unsigned long addr;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(kvmx_called); i++) {
		addr = kvmx_kernel_function(kvmx_called[i].name);
		ret = kvmx_check_callable(addr, kvmx_called[i].name);
		if (ret)
			return ret;
		*(unsigned long *)((char *)&kvmx_syms + kvmx_called[i].offset) = addr;
	}
	return 0;
}
#endif

int __init kvmx_resolve_symbols(void)
{
	int ret = kvmx_resolve_arch();

	if (!ret && call_check)
		ret = kvmx_check_callable(kvmx_kernel_function(call_check), call_check);

#ifdef CONFIG_X86
	/* no vendor module yet is fine: attach checks again */
	if (!ret && kvmx_check_vendor_ops() == -ENOEXEC)
		ret = -ENOEXEC;
#endif
	return ret;
}
