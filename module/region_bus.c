// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx's devices on KVM's buses and what they serve (see region.c for the
 * regions themselves and the locking): the accesses (the hot path), the
 * devices a window or a region outside windows gets, the sorted sets the
 * devices dispatch through, and where a new region goes.
 */
#include <linux/eventfd.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include "region.h"

static bool kvmx_overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* -- the hot path ---------------------------------------------------------- */

/*
 * The region holding @addr: a binary search written out, not lib/bsearch.c,
 * so a hit costs no indirect calls.
 */
static struct kvmx_io_region *kvmx_region_find(struct kvmx_region_set *set,
					       u64 addr, int len)
{
	unsigned int lo = 0, hi, mid;
	struct kvmx_io_region *r;

	if (!set)
		return NULL;
	hi = set->nr;
	for (;;) {
		if (lo >= hi)
			return NULL;
		mid = lo + (hi - lo) / 2;
		r = set->r[mid];
		if (addr < r->info.addr)
			hi = mid;
		else if (addr - r->info.addr >= r->info.size)
			lo = mid + 1;
		else
			break;
	}
	if (READ_ONCE(r->dead))
		return NULL;
	/* KVM_FAST_MMIO_BUS: no length, no data; only a FAST_MMIO doorbell */
	if (!len)
		return r->info.flags & KVMX_REGION_FAST_MMIO ? r : NULL;
	/*
	 * A size the region serves, a power of two: KVM's x86 emulator hands
	 * over the pieces of an access that crosses a page, of any length up
	 * to 8; a piece the region does not serve goes to the VMM.
	 */
	if (len > 8 || !is_power_of_2(len) || !(r->info.access_sizes & len))
		return NULL;
	/* the whole access inside */
	if (addr + len > r->info.addr + r->info.size)
		return NULL;
	return r;
}

static u64 kvmx_val_get(const void *val, int len)
{
	switch (len) {
	case 1: return *(const u8 *)val;
	case 2: return *(const u16 *)val;
	case 4: return *(const u32 *)val;
	default: return *(const u64 *)val;
	}
}

/* Register bytes: single-copy atomic when aligned, as a device's would be. */
static void kvmx_bank_rw(void *reg, void *val, int len, bool write)
{
	if (!IS_ALIGNED((unsigned long)reg, len)) {
		if (write)
			memcpy(reg, val, len);
		else
			memcpy(val, reg, len);
		return;
	}
	switch (len) {
	case 1:
		if (write)
			WRITE_ONCE(*(u8 *)reg, *(u8 *)val);
		else
			*(u8 *)val = READ_ONCE(*(u8 *)reg);
		break;
	case 2:
		if (write)
			WRITE_ONCE(*(u16 *)reg, *(u16 *)val);
		else
			*(u16 *)val = READ_ONCE(*(u16 *)reg);
		break;
	case 4:
		if (write)
			WRITE_ONCE(*(u32 *)reg, *(u32 *)val);
		else
			*(u32 *)val = READ_ONCE(*(u32 *)reg);
		break;
	default:
		if (write)
			WRITE_ONCE(*(u64 *)reg, *(u64 *)val);
		else
			*(u64 *)val = READ_ONCE(*(u64 *)reg);
		break;
	}
}

/* 0: appended; -ENOSPC: ring full. Caller is a vCPU thread. */
static int kvmx_log_push(struct kvmx_io_region *r, struct kvm_vcpu *vcpu, u64 addr,
			 int len, u64 data)
{
	struct kvmx_log_record rec = {
		.timestamp_ns = ktime_get_ns(), .addr = addr, .data = data,
		.vcpu = vcpu->vcpu_idx, .size = len,
	};
	u32 used;

	spin_lock(&r->log_lock);
	used = kvmx_shring_push(&r->log_q, &rec);
	spin_unlock(&r->log_lock);
	if (!used)
		return -ENOSPC;
	/* the watermark, crossed */
	if (used == r->log_wm && r->efd)
		kvmx_eventfd_signal(r->efd);
	return 0;
}

static void kvmx_log_count(struct kvmx_io_region *r, bool drop)
{
	spin_lock(&r->log_lock);
	if (drop)
		WRITE_ONCE(r->log->dropped, ++r->log_dropped);
	else
		WRITE_ONCE(r->log->fallbacks, ++r->log_fallbacks);
	spin_unlock(&r->log_lock);
}

/* A PROGRAM region's access: 0 if its program served it. */
static int kvmx_region_program(struct kvmx_io_region *r, struct kvm_vcpu *vcpu,
			       u64 addr, int len, void *val, bool write)
{
	struct kvmx_mmio_call c = {
		.ctx = {
			.addr = addr, .offset = addr - r->info.addr,
			.data = write ? kvmx_val_get(val, len) : 0,
			.vcpu = vcpu->vcpu_idx, .size = len, .write = write,
			.region = r->info.id,
		},
		.r = r, .vcpu = vcpu,
	};

	if (kvmx_prog_mmio(&r->prog, &c) != KVMX_MMIO_SERVED)
		return -EOPNOTSUPP;
	/* the answer's low @len bytes: both arches are little-endian */
	if (!write)
		memcpy(val, &c.ctx.data, len);
	return 0;
}

u64 kvmx_region_bank_read(const struct kvmx_io_region *r, u32 offset, u32 size)
{
	u64 v = 0;

	/* a register's size */
	if (size > 8 || !is_power_of_2(size))
		return ~0ULL;
	/* inside the region's bytes, not only the page they are rounded to */
	if (!r->bank || offset >= r->info.size || size > r->info.size - offset)
		return ~0ULL;
	kvmx_bank_rw(r->bank + offset, &v, size, false);
	return v;
}

int kvmx_region_signal_efd(struct kvmx_io_region *r)
{
	if (!r->efd)
		return -ENOENT;
	kvmx_eventfd_signal(r->efd);
	return 0;
}

int kvmx_region_log_append(struct kvmx_io_region *r, struct kvm_vcpu *vcpu, u64 addr,
			   int len, u64 data)
{
	int ret;

	if (!r->log)
		return -ENOENT;
	ret = kvmx_log_push(r, vcpu, addr, len, data);
	if (ret) {
		kvmx_log_count(r, true);
		atomic64_inc(&r->dropped);
	}
	return ret;
}

/*
 * Serve one access, or return -EOPNOTSUPP to leave it to the next device
 * on KVM's bus or to the VMM.
 */
static int kvmx_region_access(struct kvmx_busdev *d, struct kvm_vcpu *vcpu,
			      u64 addr, int len, void *val, bool write)
{
	struct kvmx_io_region *r;
	int ret = 0;
	u64 data;

	/* inside KVM's kvm->srcu read section, as every bus device is */
	r = kvmx_region_find(srcu_dereference(d->vm->regions[kvmx_set_of(d->bus)],
					      &d->vm->kvm->srcu), addr, len);
	if (!r) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	switch (r->info.mode) {
	case KVMX_MODE_DOORBELL:
		if (!write || ((r->info.flags & KVMX_REGION_DATAMATCH) &&
			       kvmx_val_get(val, len) != r->datamatch)) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		kvmx_eventfd_signal(r->efd);
		break;
	case KVMX_MODE_BANK:
		kvmx_bank_rw(r->bank + (addr - r->info.addr), val, len, write);
		if (write && r->efd)
			kvmx_eventfd_signal(r->efd);
		break;
	case KVMX_MODE_LOG:
		if (!write) {
			ret = -EOPNOTSUPP;
			goto out;
		}
		data = kvmx_val_get(val, len);
		if (kvmx_log_push(r, vcpu, addr, len, data)) {
			bool drop = r->info.flags & KVMX_REGION_LOG_DROP;

			kvmx_log_count(r, drop);
			atomic64_inc(drop ? &r->dropped : &r->fallbacks);
			if (!drop) {
				ret = -EOPNOTSUPP;	/* the VMM gets it: nothing lost */
				goto out;
			}
		}
		break;
	case KVMX_MODE_PROGRAM:
		if (kvmx_region_program(r, vcpu, addr, len, val, write)) {
			atomic64_inc(&r->fallbacks);
			ret = -EOPNOTSUPP;
			goto out;
		}
		break;
	case KVMX_MODE_DISCARD:
		if (write)
			atomic64_inc(&r->dropped);
		else
			memset(val, 0xff, len);
		break;
	default:
		ret = -EOPNOTSUPP;
		goto out;
	}
	atomic64_inc(write ? &r->writes : &r->reads);
	atomic64_add(len, &r->bytes);
	/* a tick's resolution, and no call: turned into CLOCK_MONOTONIC on LIST */
	WRITE_ONCE(r->last_jiffies, jiffies);
	WRITE_ONCE(r->last_vcpu, vcpu->vcpu_idx);
out:
	return ret;
}

static int kvmx_busdev_read(struct kvm_vcpu *vcpu, struct kvm_io_device *dev,
			    gpa_t addr, int len, void *val)
{
	return kvmx_region_access(to_busdev(dev), vcpu, addr, len, val, false);
}

static int kvmx_busdev_write(struct kvm_vcpu *vcpu, struct kvm_io_device *dev,
			     gpa_t addr, int len, const void *val)
{
	return kvmx_region_access(to_busdev(dev), vcpu, addr, len, (void *)val, true);
}

static const struct kvm_io_device_ops kvmx_busdev_ops = {
	.read	= kvmx_busdev_read,
	.write	= kvmx_busdev_write,
};

/* -- devices, sets, placement ------------------------------------------------ */

/*
 * A device of @r's own on @bus, covering @r, in *@out: a window's or a
 * region's outside windows on its MMIO or PIO bus, a fast doorbell's on
 * KVM_FAST_MMIO_BUS. Caller holds vm->regions_lock.
 */
int kvmx_busdev_add(struct kvmx_vm *vm, struct kvmx_io_region *r, enum kvm_bus bus,
		    struct kvmx_busdev **out)
{
	struct kvm *kvm = vm->kvm;
	struct kvmx_busdev *d;
	int ret;

	if (vm->nr_busdevs >= KVMX_MAX_BUS_DEVS)
		return -ENOSPC;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	kvm_iodevice_init(&d->dev, &kvmx_busdev_ops);
	d->vm = vm;
	d->bus = bus;

	/* slots_lock: KVM's buses; taken after vm->regions_lock */
	mutex_lock(&kvm->slots_lock);
	if (kvmx_io_bus_busy(kvm, d->bus, r->info.addr, r->info.size, &kvmx_busdev_ops))
		ret = -EEXIST;
	else
		ret = kvmx_io_bus_register(kvm, d->bus, r->info.addr, r->info.size,
					   &d->dev);
	mutex_unlock(&kvm->slots_lock);
	if (ret) {
		kfree(d);
		return ret;
	}
	*out = d;
	vm->nr_busdevs++;
	return 0;
}

static void kvmx_busdev_del_one(struct kvmx_vm *vm, struct kvmx_busdev *d)
{
	struct kvm *kvm = vm->kvm;

	if (!d)
		return;
	/* slots_lock: KVM's buses; this waits for their SRCU readers */
	mutex_lock(&kvm->slots_lock);
	kvmx_io_bus_unregister(kvm, d->bus, &d->dev);
	mutex_unlock(&kvm->slots_lock);
	vm->nr_busdevs--;
}

/* @r's own devices off KVM's buses (freed with @r). */
void kvmx_busdev_del(struct kvmx_vm *vm, struct kvmx_io_region *r)
{
	kvmx_busdev_del_one(vm, r->fastdev);
	kvmx_busdev_del_one(vm, r->busdev);
}

static void kvmx_set_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct kvmx_region_set, rcu));
}

/*
 * Publish the serving set of @bus with @add inserted or @del removed (and
 * regions marked dead left out).
 */
int kvmx_set_update(struct kvmx_vm *vm, struct kvmx_io_region *add,
		    struct kvmx_io_region *del, enum kvm_bus bus)
{
	unsigned int i, j = 0, n = add ? 1 : 0, idx = kvmx_set_of(bus);
	struct kvmx_region_set *old, *new;

	old = rcu_dereference_protected(vm->regions[idx], lockdep_is_held(&vm->regions_lock));
	for (i = 0; old && i < old->nr; i++)
		n += old->r[i] != del && !old->r[i]->dead;
	new = kvmalloc(struct_size(new, r, n), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	new->nr = n;
	for (i = 0; old && i < old->nr; i++) {
		if (old->r[i] == del || old->r[i]->dead)
			continue;
		if (add && add->info.addr < old->r[i]->info.addr) {
			new->r[j++] = add;
			add = NULL;
		}
		new->r[j++] = old->r[i];
	}
	if (add)
		new->r[j++] = add;
	rcu_assign_pointer(vm->regions[idx], new);
	if (old)
		call_srcu(&vm->kvm->srcu, &old->rcu, kvmx_set_free_rcu);
	return 0;
}

/*
 * Does a live serving region of @set overlap [addr, addr + size)? The set
 * is sorted and its regions do not overlap, so their ends are sorted too:
 * a binary search finds the first that ends after @addr. Dead regions
 * (left in a set for lack of memory) are skipped: the next set drops them.
 */
static bool kvmx_set_overlaps(const struct kvmx_region_set *set, u64 addr, u64 size)
{
	unsigned int lo = 0, hi = set ? set->nr : 0, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (set->r[mid]->info.addr + set->r[mid]->info.size <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; set && lo < set->nr && set->r[lo]->info.addr < addr + size; lo++)
		if (!set->r[lo]->dead)
			return true;
	return false;
}

/*
 * Where @r goes: the window it lies in (NULL: none). -EEXIST if it
 * overlaps another region other than by lying inside a window.
 * O(log n) in the serving regions, linear in the windows (at most
 * KVMX_MAX_BUS_DEVS). Caller holds vm->regions_lock.
 */
struct kvmx_io_region *kvmx_place(struct kvmx_vm *vm, const struct kvmx_io_region *r)
{
	const struct kvmx_region_info *i = &r->info;
	struct kvmx_io_region *o, *win = NULL;
	struct kvmx_region_set *set;

	list_for_each_entry(o, &vm->windows, wnode) {
		/* another bus */
		if (o->bus != r->bus)
			continue;
		/* apart */
		if (!kvmx_overlaps(i->addr, i->size, o->info.addr, o->info.size))
			continue;
		/* a serving region wholly inside the window: the window's */
		if (kvmx_serves(r) && i->addr >= o->info.addr &&
		    i->addr + i->size <= o->info.addr + o->info.size) {
			win = o;
			continue;
		}
		return ERR_PTR(-EEXIST);
	}
	set = rcu_dereference_protected(vm->regions[kvmx_set_of(r->bus)],
					lockdep_is_held(&vm->regions_lock));
	if (kvmx_set_overlaps(set, i->addr, i->size))
		return ERR_PTR(-EEXIST);
	return win;
}
