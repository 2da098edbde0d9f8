// SPDX-License-Identifier: GPL-2.0
/*
 * An exit program of one table: the MMIO exits at the 8-byte registers
 * from the table's base get that register's decision (COUNT, SAMPLE,
 * NOTIFY, INJECT, or any value, which kvmx refuses and counts); every
 * other MMIO exit is counted. The "table" map is struct kvmx_decide_table:
 * userspace writes it, at any time. No mmio(): a policy's program only.
 */
#include "kvmx_bpf.h"
#include "kvmx_decide.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kvmx_decide_table);
} table SEC(".maps");

SEC("struct_ops")
int BPF_PROG(decide_exit, struct kvmx_exit_ctx *e)
{
	__u32 key = 0, reg;
	struct kvmx_decide_table *t = bpf_map_lookup_elem(&table, &key);
	__u64 off;

	if (!t)
		return KVMX_EXIT_COUNT;
	off = e->gpa - t->base;
	if (!(e->flags & KVMX_REC_GPA_VALID) || e->gpa < t->base ||
	    off >= KVMX_DECIDE_REGS * 8) {
		__sync_fetch_and_add(&t->other, 1);
		return KVMX_EXIT_COUNT;
	}
	reg = off / 8;
	__sync_fetch_and_add(&t->decided[reg], 1);
	return t->decision[reg];
}

SEC(".struct_ops.link")
struct kvmx_ops kvmx_decide_ops = {
	.exit = (void *)decide_exit,
	.exit_classes = 1u << KVMX_EXIT_MMIO,
};
