// SPDX-License-Identifier: GPL-2.0
/*
 * An example device, answered in the host kernel by a PROGRAM region
 * (KVMX_MODE_PROGRAM), and an exit program. Registers, 8 bytes each, at
 * offsets of the region:
 *
 *   0x00 COUNTER   read: how many writes it has had; write: one more
 *   0x08 ID        read: the 8 bytes at offset 0 of the region's bank,
 *                  which the VMM writes (mmap of the region)
 *   0x10 DOORBELL  write: signal the region's eventfd and append the value
 *                  to its ring
 *   0x100 + 8 * i  STATUS i (i < 8): read: KVMX_DEV_STATUS(the last value
 *                  written to it), KVMX_DEV_STATUS(0) before any write
 *   elsewhere      forwarded: the VMM gets the access
 *
 * exit() takes the MMIO class: it counts every MMIO exit of the VM, per
 * vCPU and in all, and samples every 100th (of the VM) into the event
 * rings. The counts are in the "state" map (struct kvmx_dev_state), which
 * userspace reads, with what mmio() served.
 */
#include "kvmx_bpf.h"
#include "kvmx_dev.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kvmx_dev_state);
} state SEC(".maps");

static struct kvmx_dev_state *dev_state(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&state, &key);
}

static int dev_access(struct kvmx_dev_state *st, struct kvmx_mmio_ctx *m)
{
	__u64 off = m->offset;

	if (m->size != 8)
		return KVMX_MMIO_FORWARD;
	if (off >= KVMX_DEV_STATUS0 && off < KVMX_DEV_STATUS0 + 8 * KVMX_DEV_NR_STATUS) {
		__u32 i = (off - KVMX_DEV_STATUS0) / 8;

		if (i >= KVMX_DEV_NR_STATUS)	/* for the verifier */
			return KVMX_MMIO_FORWARD;
		if (m->write)
			st->status[i] = m->data;
		else
			m->data = KVMX_DEV_STATUS(st->status[i]);
		return KVMX_MMIO_SERVED;
	}
	switch (off) {
	case KVMX_DEV_COUNTER:
		if (m->write)
			__sync_fetch_and_add(&st->counter, 1);
		else
			m->data = st->counter;
		return KVMX_MMIO_SERVED;
	case KVMX_DEV_ID:
		if (m->write)
			return KVMX_MMIO_FORWARD;
		m->data = kvmx_bank_read(m, 0, 8);
		return KVMX_MMIO_SERVED;
	case KVMX_DEV_DOORBELL:
		if (!m->write)
			return KVMX_MMIO_FORWARD;
		if (kvmx_log_append(m, m->data))
			__sync_fetch_and_add(&st->log_full, 1);
		kvmx_region_signal(m);
		return KVMX_MMIO_SERVED;
	}
	return KVMX_MMIO_FORWARD;
}

SEC("struct_ops")
int BPF_PROG(dev_mmio, struct kvmx_mmio_ctx *m)
{
	struct kvmx_dev_state *st = dev_state();
	int ret;

	if (!st)
		return KVMX_MMIO_FORWARD;
	ret = dev_access(st, m);
	if (ret == KVMX_MMIO_SERVED)
		__sync_fetch_and_add(&st->served, 1);
	return ret;
}

SEC("struct_ops")
int BPF_PROG(dev_exit, struct kvmx_exit_ctx *e)
{
	struct kvmx_dev_state *st = dev_state();
	__u64 n;

	if (!st)
		return KVMX_EXIT_COUNT;
	if (e->vcpu < KVMX_DEV_NR_VCPUS)
		__sync_fetch_and_add(&st->exits[e->vcpu], 1);
	n = __sync_fetch_and_add(&st->exits_all, 1) + 1;
	if (n % KVMX_DEV_SAMPLE)
		return KVMX_EXIT_COUNT;
	__sync_fetch_and_add(&st->sampled, 1);
	return KVMX_EXIT_SAMPLE;
}

SEC(".struct_ops.link")
struct kvmx_ops kvmx_dev_ops = {
	.mmio = (void *)dev_mmio,
	.exit = (void *)dev_exit,
	.exit_classes = 1u << KVMX_EXIT_MMIO,
};
