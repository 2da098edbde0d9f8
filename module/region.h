/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel regions, between region.c (the ioctls and the regions'
 * lifetime) and region_bus.c (KVM's buses: the devices there, the sorted
 * sets they dispatch through, placement, the accesses they serve). See
 * region.c for the locking.
 */
#ifndef _KVMX_REGION_H
#define _KVMX_REGION_H

#include <kvm/iodev.h>
#include "kvmx.h"

/* one device on KVM's bus: a window's, or a region's own */
struct kvmx_busdev {
	struct kvm_io_device dev;
	struct kvmx_vm *vm;
	enum kvm_bus bus;
};

/* a region of a VM: what KVMX_REGION_ADD asked, its place, its counters */
struct kvmx_io_region {
	struct kvmx_region_info info;	/* id, mode, flags, range; counters unused */
	enum kvm_bus bus;		/* KVM_MMIO_BUS or KVM_PIO_BUS */
	struct kvmx_session *owner;
	struct list_head node;		/* vm->region_list */
	struct list_head wnode;		/* a window: vm->windows */
	struct kvmx_busdev *busdev;	/* its own device, or NULL */
	struct kvmx_busdev *fastdev;	/* FAST_MMIO on VMX: on KVM_FAST_MMIO_BUS */
	struct kvmx_io_region *window;	/* the window it lies in, or NULL */
	unsigned int nr_inside;		/* a window: regions inside it */
	bool dead;			/* removed, but still in the set */
	struct eventfd_ctx *efd;
	u64 datamatch;
	struct kvmx_shm *shm;		/* BANK registers, LOG header + records */
	void *map;			/* shm's kernel mapping */
	size_t map_size;
	void *bank;			/* BANK, PROGRAM: registers at map */
	struct kvmx_prog_use prog;	/* PROGRAM: its program */

	/*
	 * LOG, PROGRAM with a ring: the ring, its producers serialized by log_lock. The kernel's
	 * own head and size: the header's copies are output only.
	 */
	spinlock_t log_lock;
	struct kvmx_log_header *log;
	struct kvmx_shring log_q;	/* under log_lock */
	u32 log_wm;
	u64 log_dropped, log_fallbacks;

	atomic64_t reads, writes, bytes, dropped, fallbacks;
	unsigned long last_jiffies;	/* of the last access served */
	u32 last_vcpu;
};

/* the serving regions of one bus, sorted by address, published with RCU */
struct kvmx_region_set {
	struct rcu_head rcu;
	unsigned int nr;
	struct kvmx_io_region *r[];
};

static inline struct kvmx_busdev *to_busdev(struct kvm_io_device *dev)
{
	return container_of(dev, struct kvmx_busdev, dev);
}

/*
 * Which of vm->regions serves KVM's bus @bus: the MMIO set for the MMIO
 * bus and the fast MMIO bus, the PIO set for port I/O.
 */
static inline unsigned int kvmx_set_of(enum kvm_bus bus)
{
	return bus == KVM_PIO_BUS;
}

/* A region that serves accesses; a WINDOW only reserves a range. */
static inline bool kvmx_serves(const struct kvmx_io_region *r)
{
	return r->info.mode != KVMX_MODE_WINDOW;
}

/* region_bus.c; callers hold vm->regions_lock */
int kvmx_busdev_add(struct kvmx_vm *vm, struct kvmx_io_region *r, enum kvm_bus bus,
		    struct kvmx_busdev **out);
void kvmx_busdev_del(struct kvmx_vm *vm, struct kvmx_io_region *r);
int kvmx_set_update(struct kvmx_vm *vm, struct kvmx_io_region *add,
		    struct kvmx_io_region *del, enum kvm_bus bus);
struct kvmx_io_region *kvmx_place(struct kvmx_vm *vm, const struct kvmx_io_region *r);

/* region_bus.c: what a PROGRAM region's kfuncs do (bpf.c); vCPU threads */
u64 kvmx_region_bank_read(const struct kvmx_io_region *r, u32 offset, u32 size);
int kvmx_region_signal_efd(struct kvmx_io_region *r);
int kvmx_region_log_append(struct kvmx_io_region *r, struct kvm_vcpu *vcpu, u64 addr,
			   int len, u64 data);

/* region_bpf.c: kfuncs, called by BPF programs only */
u64 kvmx_bank_read(struct kvmx_mmio_ctx *ctx, u32 offset, u32 size);
int kvmx_region_signal(struct kvmx_mmio_ctx *ctx);
int kvmx_log_append(struct kvmx_mmio_ctx *ctx, u64 data);

#endif /* _KVMX_REGION_H */
