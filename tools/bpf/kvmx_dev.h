/* SPDX-License-Identifier: GPL-2.0 */
/* The example device of kvmx_dev.bpf.c, for it and for userspace. */
#ifndef _KVMX_DEV_H
#define _KVMX_DEV_H

#include <linux/types.h>

#define KVMX_DEV_COUNTER	0x00
#define KVMX_DEV_ID		0x08
#define KVMX_DEV_DOORBELL	0x10
#define KVMX_DEV_STATUS0	0x100
#define KVMX_DEV_NR_STATUS	8
#define KVMX_DEV_SIZE		0x1000	/* the region the device needs */
#define KVMX_DEV_NR_VCPUS	8	/* counted per vCPU */
#define KVMX_DEV_SAMPLE		100	/* 1 MMIO exit in 100 sampled */

/* what a STATUS register reads after @v was written to it */
#define KVMX_DEV_STATUS(v)	(((v) << 1) ^ 0xa5a5a5a5a5a5a5a5ULL)

struct kvmx_dev_state {
	__u64 counter;
	__u64 status[KVMX_DEV_NR_STATUS];
	__u64 exits[KVMX_DEV_NR_VCPUS];
	__u64 exits_all;
	__u64 sampled;
	__u64 log_full;		/* DOORBELL writes the ring had no room for */
	__u64 served;		/* accesses mmio() served */
};

#endif /* _KVMX_DEV_H */
