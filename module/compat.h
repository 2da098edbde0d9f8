/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kvmx supports (Debian 6.1 and 6.12),
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

/* vm_flags_set() since 6.3; vm_flags written directly before */
static inline void kvmx_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
#ifdef KVMX_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#endif /* _KVMX_COMPAT_H */
