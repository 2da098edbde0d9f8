/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kvmx supports (Debian 6.1 and 6.12, 7.2),
 * force-included into every kvmx object by Kbuild. This is the only place
 * that knows about them. Each shim tests a feature, not a version: the
 * KVMX_HAVE_* symbols come from module/compat.mk, which greps the headers of
 * the kernel being built against.
 */
#ifndef _KVMX_COMPAT_H
#define _KVMX_COMPAT_H

#include <linux/eventfd.h>
#include <linux/ftrace.h>
#include <linux/mm.h>

/* eventfd_signal(ctx) since 6.8; eventfd_signal(ctx, n) before */
static inline void kvmx_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef KVMX_HAVE_EVENTFD_SIGNAL_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * Sending a hooked function's callers elsewhere (hook.c): 6.12 sets the
 * instruction pointer in struct ftrace_regs (arm64 6.12 has no
 * DYNAMIC_FTRACE_WITH_REGS); 6.1 asks for full pt_regs.
 */
#ifdef KVMX_HAVE_FTRACE_REGS_SET_IP
#define KVMX_FTRACE_OPS_FLAGS	0
static inline void kvmx_ftrace_set_ip(struct ftrace_regs *fregs, unsigned long ip)
{
	ftrace_regs_set_instruction_pointer(fregs, ip);
}
#else
#define KVMX_FTRACE_OPS_FLAGS	FTRACE_OPS_FL_SAVE_REGS
static inline void kvmx_ftrace_set_ip(struct ftrace_regs *fregs, unsigned long ip)
{
	instruction_pointer_set(ftrace_get_regs(fregs), ip);
}
#endif

/*
 * A kfunc that takes only trusted pointers (bpf.c): KF_TRUSTED_ARGS until
 * 7.x, where every kfunc's pointer arguments are trusted and the flag is
 * gone.
 */
#ifdef KVMX_HAVE_KF_TRUSTED_ARGS
#define KVMX_KF_TRUSTED		KF_TRUSTED_ARGS
#else
#define KVMX_KF_TRUSTED		0
#endif

/* vm_flags_set() since 6.3; vm_flags written directly before */
static inline void kvmx_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef KVMX_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * kvmx's tracepoint probes run as every probe did until 6.x, on every
 * kernel: with preemption disabled. That is a read-side section
 * synchronize_rcu() waits for, which is what frees a policy after a probe
 * may have seen it, and it keeps a probe on the CPU while it writes
 * per-vCPU state (the hot-page seqcount). 7.x calls probes under SRCU-fast
 * with preemption enabled (lockdep caught the seqcount written
 * preemptible). Unconditional, not a feature test: a test that missed on a
 * future kernel would leave the probes unprotected without a word, and a
 * nested preempt_disable() costs two instructions on 6.x.
 */
#define kvmx_probe_enter()	preempt_disable_notrace()
#define kvmx_probe_exit()	preempt_enable_notrace()

/*
 * A KVM bus reader's barrier after entering kvm->srcu: 7.x's
 * kvm_get_bus_srcu() has it, as its writers no longer wait for readers.
 * Kernels without smp_mb__after_srcu_read_lock() have no such writers.
 */
#ifdef KVMX_HAVE_MB_AFTER_SRCU_READ_LOCK
#define kvmx_mb_after_srcu_read_lock()	smp_mb__after_srcu_read_lock()
#else
#define kvmx_mb_after_srcu_read_lock()	do { } while (0)
#endif

#ifdef CONFIG_X86
/* Is @kvm's guest state protected from KVM (SEV-ES, SNP, TDX)? */
#ifdef KVMX_HAVE_HAS_PROTECTED_STATE
#define kvmx_kvm_state_protected(kvm)	((kvm)->arch.has_protected_state)
#else
/* 6.1 has no VM-wide flag, and no TDX; SEV-ES vCPUs say it each */
#define kvmx_kvm_state_protected(kvm)	((void)(kvm), false)
#endif
#endif

/*
 * A module's list of the modules it uses (symbols.c walks kvmx's own to
 * find kvm.ko): <linux/module.h> declared struct module_use until 6.x, 7.x
 * keeps it in kernel/module/internal.h, with the same layout it has had
 * since 2.6.35. kvmx only reads its own list, which changes only while
 * kvmx loads or unloads.
 */
#ifndef KVMX_HAVE_MODULE_USE
struct module;
struct module_use {
	struct list_head source_list;
	struct list_head target_list;
	struct module *source, *target;
};
#endif

#ifdef CONFIG_ARM64
/*
 * Inject a synchronous external abort on a data access at @addr (what KVM
 * does for a stage-2 walk outside memory): kvm_inject_dabt(vcpu, addr)
 * until 6.x, kvm_inject_sea(vcpu, iabt, addr) since 7.x, which may sleep.
 * Neither is exported: symbols.c looks up KVMX_INJECT_DABT_NAME. Returns
 * what an exit handler returns: 1, go back to the guest.
 */
struct kvm_vcpu;
#ifdef KVMX_HAVE_KVM_INJECT_SEA
#define KVMX_INJECT_DABT_NAME	"kvm_inject_sea"
typedef int (*kvmx_inject_dabt_t)(struct kvm_vcpu *vcpu, bool iabt, u64 addr);
static inline int kvmx_inject_dabt(kvmx_inject_dabt_t fn, struct kvm_vcpu *vcpu, u64 addr)
{
	return fn(vcpu, false, addr);
}
#else
#define KVMX_INJECT_DABT_NAME	"kvm_inject_dabt"
typedef void (*kvmx_inject_dabt_t)(struct kvm_vcpu *vcpu, unsigned long addr);
static inline int kvmx_inject_dabt(kvmx_inject_dabt_t fn, struct kvm_vcpu *vcpu, u64 addr)
{
	fn(vcpu, addr);
	return 1;
}
#endif
#endif /* CONFIG_ARM64 */

#ifdef CONFIG_X86
#include <asm/ibt.h>

/*
 * The guest RIP in KVM's register cache: VCPU_REGS_RIP, a u32 of available
 * registers and regs[VCPU_REGS_RIP] until 6.x; VCPU_REG_RIP, a bitmap and
 * a field of its own, arch.rip, since 7.x (regs[] holds the GPRs only:
 * regs[VCPU_REG_RIP] is out of bounds, UBSAN caught it).
 */
#ifdef KVMX_HAVE_VCPU_REG_RIP
#define KVMX_VCPU_RIP			VCPU_REG_RIP
#define kvmx_regs_avail(vcpu)		((vcpu)->arch.regs_avail)
#else
#define KVMX_VCPU_RIP			VCPU_REGS_RIP
#define kvmx_regs_avail(vcpu)		((unsigned long *)&(vcpu)->arch.regs_avail)
#endif
#ifdef KVMX_HAVE_VCPU_ARCH_RIP
#define kvmx_vcpu_rip(vcpu)		((vcpu)->arch.rip)
#else
#define kvmx_vcpu_rip(vcpu)		((vcpu)->arch.regs[VCPU_REGS_RIP])
#endif

/*
 * Is @val an ENDBR64, or the poison sealing writes over one? 6.x's
 * is_endbr() takes the value; 7.x's reads an address (and is not
 * exported), its __is_endbr() takes the value and exists only with
 * CONFIG_X86_KERNEL_IBT. Without IBT there is no ENDBR to find.
 */
static inline bool kvmx_is_endbr(u32 val)
{
#if !defined(KVMX_HAVE___IS_ENDBR)
	return is_endbr(val);
#elif defined(CONFIG_X86_KERNEL_IBT)
	return __is_endbr(val);
#else
	return false;
#endif
}
#endif /* CONFIG_X86 */

#endif /* _KVMX_COMPAT_H */
