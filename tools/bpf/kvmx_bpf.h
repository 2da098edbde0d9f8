/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For BPF programs of kvmx (clang -target bpf): the struct_ops type a
 * program implements and the kfuncs it may call. The contexts and return
 * values are in uapi/linux/kvmx.h; Documentation/api.rst has the rules.
 */
#ifndef _KVMX_BPF_H
#define _KVMX_BPF_H

#include <linux/bpf.h>
#include <linux/kvmx.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/*
 * As kvmx defines it in the kernel; libbpf matches it by name to the
 * module's BTF.
 */
struct kvmx_ops {
	int (*mmio)(struct kvmx_mmio_ctx *ctx);
	int (*exit)(struct kvmx_exit_ctx *ctx);
	__u32 exit_classes;
};

__u64 kvmx_bank_read(struct kvmx_mmio_ctx *ctx, __u32 offset, __u32 size) __ksym;
int kvmx_region_signal(struct kvmx_mmio_ctx *ctx) __ksym;
int kvmx_log_append(struct kvmx_mmio_ctx *ctx, __u64 data) __ksym;

#endif /* _KVMX_BPF_H */
