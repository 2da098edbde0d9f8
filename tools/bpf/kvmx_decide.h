/* SPDX-License-Identifier: GPL-2.0 */
/* The decision table of kvmx_decide.bpf.c, for it and for userspace. */
#ifndef _KVMX_DECIDE_H
#define _KVMX_DECIDE_H

#include <linux/types.h>

#define KVMX_DECIDE_REGS	8	/* 8-byte registers the table covers */

/*
 * The "table" map's only value. Userspace writes @base and @decision[];
 * the program counts, per register, the exits it decided.
 */
struct kvmx_decide_table {
	__u64 base;				/* guest-physical, of register 0 */
	__u32 decision[KVMX_DECIDE_REGS];	/* enum kvmx_exit_decision, or not */
	__u64 decided[KVMX_DECIDE_REGS];
	__u64 other;				/* MMIO exits elsewhere: COUNT */
};

#endif /* _KVMX_DECIDE_H */
