/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmx internal interfaces.
 */
#ifndef _KVMX_H
#define _KVMX_H

#include <linux/kvm_host.h>
#include <linux/kvmx.h>

/* symbols.c: KVM symbols that are not exported, resolved once at load */
struct kvmx_syms {
	typeof(kvm_io_bus_register_dev) *io_bus_register_dev;
	typeof(kvm_io_bus_unregister_dev) *io_bus_unregister_dev;
#ifdef CONFIG_X86
	struct kvm_x86_ops *x86_ops;
#endif
};

extern struct kvmx_syms kvmx_syms;
int kvmx_resolve_symbols(void);

/* session.c */
long kvmx_attach_vm(struct kvmx_attach_vm __user *uarg);

/* main.c */
int kvmx_copy_in(void *karg, size_t ksize, size_t minsz, void __user *uarg);
int kvmx_copy_out(void __user *uarg, void *karg, size_t ksize, size_t minsz);

#endif /* _KVMX_H */
