// SPDX-License-Identifier: GPL-2.0
/*
 * What a PROGRAM region's program may do to the region an access hit
 * (bpf.c has the programs): kfuncs of struct_ops programs. Each takes the
 * context mmio() was given, which the verifier only lets a program pass on
 * as a trusted pointer to that very type (KF_TRUSTED_ARGS; a pointer at an
 * offset into it has another type, struct kvmx_mmio_ctx has no struct
 * inside), so the call around it is kvmx's own, on the vCPU thread inside
 * the region's hit. Other programs may not call them (kvmx_bpf_kfunc_filter()).
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include "region.h"

static struct kvmx_mmio_call *to_call(struct kvmx_mmio_ctx *ctx)
{
	return container_of(ctx, struct kvmx_mmio_call, ctx);
}

__bpf_kfunc_start_defs();

/**
 * kvmx_bank_read() - read the bank of the region an access hit
 * @ctx:	mmio()'s context, as it was passed
 * @offset:	from the bank's start
 * @size:	1, 2, 4 or 8
 *
 * Return: the value, or all ones outside the bank or for another size.
 */
__bpf_kfunc u64 kvmx_bank_read(struct kvmx_mmio_ctx *ctx, u32 offset, u32 size)
{
	return kvmx_region_bank_read(to_call(ctx)->r, offset, size);
}

/**
 * kvmx_region_signal() - signal the eventfd of the region an access hit
 * @ctx:	mmio()'s context, as it was passed
 *
 * Return: 0, or -ENOENT if the region has no eventfd.
 */
__bpf_kfunc int kvmx_region_signal(struct kvmx_mmio_ctx *ctx)
{
	return kvmx_region_signal_efd(to_call(ctx)->r);
}

/**
 * kvmx_log_append() - append this access with @data to the region's ring
 * @ctx:	mmio()'s context, as it was passed
 * @data:	the record's data
 *
 * Return: 0, -ENOENT if the region has no ring, -ENOSPC if it is full.
 */
__bpf_kfunc int kvmx_log_append(struct kvmx_mmio_ctx *ctx, u64 data)
{
	struct kvmx_mmio_call *c = to_call(ctx);

	return kvmx_region_log_append(c->r, c->vcpu, c->ctx.addr, c->ctx.size, data);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(kvmx_kfunc_ids)
BTF_ID_FLAGS(func, kvmx_bank_read, KVMX_KF_TRUSTED)
BTF_ID_FLAGS(func, kvmx_region_signal, KVMX_KF_TRUSTED)
BTF_ID_FLAGS(func, kvmx_log_append, KVMX_KF_TRUSTED)
BTF_KFUNCS_END(kvmx_kfunc_ids)

/*
 * For struct_ops programs of kvmx_ops' mmio() (the filter): they take a
 * trusted struct kvmx_mmio_ctx, which only kvmx's mmio() is given.
 */
static const struct btf_kfunc_id_set kvmx_kfunc_set = {
	.owner	= THIS_MODULE,
	.set	= &kvmx_kfunc_ids,
	.filter	= kvmx_bpf_kfunc_filter,
};

int kvmx_region_kfuncs_register(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS, &kvmx_kfunc_set);
}
