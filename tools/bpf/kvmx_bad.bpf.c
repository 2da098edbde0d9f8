// SPDX-License-Identifier: GPL-2.0
/*
 * Programs the verifier must refuse, for the selftests; built once per
 * KVMX_BAD_* (one refused program per object, as libbpf loads an object
 * whole):
 *   KVMX_BAD_READ   reads past the end of its context
 *   KVMX_BAD_WRITE  writes a field of its context other than @data
 *   KVMX_BAD_EXIT   writes its exit() context
 *   KVMX_BAD_KFUNC  calls a region's kfunc from exit(), which is mmio()'s
 */
#include "kvmx_bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops")
int BPF_PROG(bad_mmio, struct kvmx_mmio_ctx *m)
{
#if defined(KVMX_BAD_READ)
	m->data = *(__u64 *)((char *)m + sizeof(*m));
#elif defined(KVMX_BAD_WRITE)
	m->addr = 0;
#endif
	return KVMX_MMIO_SERVED;
}

SEC("struct_ops")
int BPF_PROG(bad_exit, struct kvmx_exit_ctx *e)
{
#if defined(KVMX_BAD_EXIT)
	e->count = 0;
#elif defined(KVMX_BAD_KFUNC)
	kvmx_region_signal((struct kvmx_mmio_ctx *)e);
#endif
	return KVMX_EXIT_COUNT;
}

SEC(".struct_ops.link")
struct kvmx_ops kvmx_bad_ops = {
	.mmio = (void *)bad_mmio,
	.exit = (void *)bad_exit,
	.exit_classes = 1u << KVMX_EXIT_MMIO,
};
