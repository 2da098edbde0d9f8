// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel MMIO and port-I/O regions: DOORBELL, BANK, LOG, DISCARD, and
 * WINDOW, which reserves a range for other regions.
 *
 * KVM's buses hold at most NR_IOBUS_DEVS (1000) devices besides ioeventfds,
 * and every registration copies the bus and waits for SRCU. So a region
 * does not always get a device: a WINDOW is one device on KVM's bus, and
 * any number of regions inside it are served through it. A region outside
 * every window gets a device of its own. Either way a device dispatches
 * through the VM's sorted array of serving regions (RCU), a binary search:
 * the hit cost does not grow with the number of regions.
 *
 * Locking: vm->regions_lock (a mutex) serializes adding and removing
 * regions of a VM and is taken before kvm->slots_lock, which KVM requires
 * for changing its buses. The accessors run on vCPU threads, called only
 * through KVM's buses, which KVM reads under kvm->srcu: the region sets are
 * protected by that same SRCU. A replaced set is freed by call_srcu(), a
 * removed region after synchronize_srcu_expedited(&kvm->srcu) (and, if it
 * had a device, after the wait in kvmx_io_bus_unregister()).
 *
 * regions_lock is held across those SRCU waits, and a vCPU inside kvm->srcu
 * may wait for its mm's mmap_lock (a guest memory fault). So nothing that
 * holds mmap_lock may wait for regions_lock, and nothing under regions_lock
 * may fault on user memory: no copy to or from userspace under it, and
 * mmap() finds a region through vm->region_ids (an xarray, its spinlock)
 * instead of the list.
 *
 * Ownership: a region belongs to the session that added it, and goes when
 * that session is closed. A WINDOW and every region inside it belong to
 * the window's session: closing it removes the regions other sessions
 * placed inside too. When the VM's last session goes, nothing of kvmx is
 * left on KVM's buses.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <kvm/iodev.h>
#include "kvmx.h"

/* one device on KVM's bus: a window's, or a region's own */
struct kvmx_busdev {
	struct kvm_io_device dev;
	struct kvmx_vm *vm;
	enum kvm_bus bus;
};

struct kvmx_reg {
	struct kvmx_region_info info;	/* id, mode, flags, range; counters unused */
	struct kvmx_session *owner;
	struct list_head node;		/* vm->region_list */
	struct list_head wnode;		/* a window: vm->windows */
	struct kvmx_busdev *busdev;	/* its own device, or NULL */
	struct kvmx_busdev *fastdev;	/* FAST_MMIO on VMX: on KVM_FAST_MMIO_BUS */
	struct kvmx_reg *window;	/* the window it lies in, or NULL */
	unsigned int nr_inside;		/* a window: regions inside it */
	bool dead;			/* removed, but still in the set */
	struct eventfd_ctx *efd;
	u64 datamatch;
	struct kvmx_shm *shm;		/* BANK registers, LOG header + records */
	void *map;			/* shm's kernel mapping */
	size_t map_size;

	/*
	 * LOG: the ring, its producers serialized by log_lock. The kernel's
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
	struct kvmx_reg *r[];
};

static inline struct kvmx_busdev *to_busdev(struct kvm_io_device *dev)
{
	return container_of(dev, struct kvmx_busdev, dev);
}

static int kvmx_bus_idx(const struct kvmx_reg *r)
{
	return r->info.flags & KVMX_REGION_PIO ? 1 : 0;
}

static enum kvm_bus kvmx_kvm_bus(const struct kvmx_reg *r)
{
	return r->info.flags & KVMX_REGION_PIO ? KVM_PIO_BUS : KVM_MMIO_BUS;
}

static bool kvmx_overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* -- the hot path ---------------------------------------------------------- */

/*
 * The region holding @addr: a binary search written out, not lib/bsearch.c,
 * so a hit costs no indirect calls.
 */
static struct kvmx_reg *kvmx_region_find(struct kvmx_region_set *set, u64 addr,
					 int len)
{
	unsigned int lo = 0, hi, mid;
	struct kvmx_reg *r;

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
static int kvmx_log_push(struct kvmx_reg *r, struct kvm_vcpu *vcpu, u64 addr,
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

static void kvmx_log_count(struct kvmx_reg *r, bool drop)
{
	spin_lock(&r->log_lock);
	if (drop)
		WRITE_ONCE(r->log->dropped, ++r->log_dropped);
	else
		WRITE_ONCE(r->log->fallbacks, ++r->log_fallbacks);
	spin_unlock(&r->log_lock);
}

/*
 * Serve one access, or return -EOPNOTSUPP to leave it to the next device
 * on KVM's bus or to the VMM.
 */
static int kvmx_region_access(struct kvmx_busdev *d, struct kvm_vcpu *vcpu,
			      u64 addr, int len, void *val, bool write)
{
	struct kvmx_reg *r;
	int ret = 0;
	u64 data;

	/* inside KVM's kvm->srcu read section, as every bus device is */
	r = kvmx_region_find(srcu_dereference(d->vm->regions[d->bus == KVM_PIO_BUS],
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
		kvmx_bank_rw(r->map + (addr - r->info.addr), val, len, write);
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

/* -- adding and removing ---------------------------------------------------- */

static int kvmx_region_check(const struct kvmx_region *a)
{
	bool log = a->mode == KVMX_MODE_LOG;

	if (a->flags & ~(KVMX_REGION_PIO | KVMX_REGION_DATAMATCH | KVMX_REGION_LOG_DROP |
			 KVMX_REGION_FAST_MMIO) ||
	    a->reserved || a->mode < KVMX_MODE_DOORBELL || a->mode > KVMX_MODE_WINDOW)
		return -EINVAL;
	if (!a->size || a->size > SZ_1G || a->addr + a->size < a->addr)
		return -EINVAL;
	/* ports only where there are any, and only that many */
	if ((a->flags & KVMX_REGION_PIO) && a->addr + a->size > KVMX_ARCH_NR_PORTS)
		return -EINVAL;
	if (a->mode == KVMX_MODE_WINDOW ? a->access_sizes :
	    !a->access_sizes || (a->access_sizes & ~KVMX_SIZES_ALL))
		return -EINVAL;
	if ((a->flags & KVMX_REGION_DATAMATCH) && a->mode != KVMX_MODE_DOORBELL)
		return -EINVAL;
	if ((a->flags & KVMX_REGION_LOG_DROP) && !log)
		return -EINVAL;
	/* a fast doorbell: any write at all, so no data and no size to match */
	if ((a->flags & KVMX_REGION_FAST_MMIO) && a->mode != KVMX_MODE_DOORBELL)
		return -EINVAL;
	if ((a->flags & KVMX_REGION_FAST_MMIO) && (a->flags & KVMX_REGION_PIO))
		return -EINVAL;
	if ((a->flags & KVMX_REGION_FAST_MMIO) && (a->flags & KVMX_REGION_DATAMATCH))
		return -EINVAL;
	if ((a->flags & KVMX_REGION_FAST_MMIO) && a->access_sizes != KVMX_SIZES_ALL)
		return -EINVAL;
	if (a->mode == KVMX_MODE_DOORBELL ? a->eventfd < 0 :
	    a->eventfd != -1 && (a->mode == KVMX_MODE_DISCARD || a->mode == KVMX_MODE_WINDOW))
		return -EINVAL;
	if (a->eventfd < -1)
		return -EINVAL;
	if (!log && (a->log_records || a->log_watermark))
		return -EINVAL;
	if (log && a->log_records > KVMX_RING_MAX_RECORDS)
		return -E2BIG;
	if (log && (a->log_records < 2 || !is_power_of_2(a->log_records) ||
		    !a->log_watermark || a->log_watermark > a->log_records))
		return -EINVAL;
	if (a->mode == KVMX_MODE_BANK && a->size > KVMX_REGION_MAX_MAP)
		return -E2BIG;
	return 0;
}

static void kvmx_reg_free(struct kvmx_reg *r)
{
	if (r->efd)
		eventfd_ctx_put(r->efd);
	kvmx_shm_put(r->shm);
	kfree(r->busdev);
	kfree(r->fastdev);
	kfree(r);
	kvmx_count_dec(KVMX_OBJ_REGIONS, 1);
}

/* A region as @a asks, not yet visible to anyone. */
static struct kvmx_reg *kvmx_reg_alloc(const struct kvmx_region *a)
{
	struct kvmx_reg *r;
	int ret = -ENOMEM;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	kvmx_count_inc(KVMX_OBJ_REGIONS, 1);
	r->info = (struct kvmx_region_info) {
		.mode = a->mode, .flags = a->flags, .access_sizes = a->access_sizes,
		.addr = a->addr, .size = a->size,
	};
	r->datamatch = a->datamatch;
	spin_lock_init(&r->log_lock);
	if (a->eventfd >= 0) {
		r->efd = eventfd_ctx_fdget(a->eventfd);
		if (IS_ERR(r->efd)) {
			ret = PTR_ERR(r->efd);
			r->efd = NULL;
			goto err;
		}
	}
	if (a->mode == KVMX_MODE_BANK) {
		r->map_size = PAGE_ALIGN(a->size);
	} else if (a->mode == KVMX_MODE_LOG) {
		r->map_size = PAGE_SIZE +
			PAGE_ALIGN(a->log_records * sizeof(struct kvmx_log_record));
		r->log_wm = a->log_watermark;
	}
	if (r->map_size) {
		r->shm = kvmx_shm_alloc(r->map_size);
		if (!r->shm)
			goto err;
		r->map = r->shm->vaddr;
	}
	if (a->mode == KVMX_MODE_LOG) {
		r->log = r->map;
		kvmx_shring_init(&r->log_q, &r->log->head, &r->log->tail, r->map + PAGE_SIZE,
				 a->log_records, sizeof(struct kvmx_log_record));
		r->log->nr_records = a->log_records;
		r->log->record_size = sizeof(struct kvmx_log_record);
		r->log->records_offset = PAGE_SIZE;
	}
	return r;
err:
	kvmx_reg_free(r);
	return ERR_PTR(ret);
}

/*
 * A device of @r's own on @bus, covering @r, in *@out: a window's or a
 * region's outside windows on its MMIO or PIO bus, a fast doorbell's on
 * KVM_FAST_MMIO_BUS. Caller holds vm->regions_lock.
 */
static int kvmx_busdev_add(struct kvmx_vm *vm, struct kvmx_reg *r, enum kvm_bus bus,
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
static void kvmx_busdev_del(struct kvmx_vm *vm, struct kvmx_reg *r)
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
static int kvmx_set_update(struct kvmx_vm *vm, int bus, struct kvmx_reg *add,
			   struct kvmx_reg *del)
{
	struct kvmx_region_set *old, *new;
	unsigned int i, j = 0, n = add ? 1 : 0;

	old = rcu_dereference_protected(vm->regions[bus], lockdep_is_held(&vm->regions_lock));
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
	rcu_assign_pointer(vm->regions[bus], new);
	if (old)
		call_srcu(&vm->kvm->srcu, &old->rcu, kvmx_set_free_rcu);
	return 0;
}

static bool kvmx_serves(const struct kvmx_reg *r)
{
	return r->info.mode != KVMX_MODE_WINDOW;
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
static struct kvmx_reg *kvmx_place(struct kvmx_vm *vm, const struct kvmx_reg *r)
{
	const struct kvmx_region_info *i = &r->info;
	struct kvmx_region_set *set;
	struct kvmx_reg *o, *win = NULL;

	list_for_each_entry(o, &vm->windows, wnode) {
		if (kvmx_bus_idx(o) != kvmx_bus_idx(r) ||
		    !kvmx_overlaps(i->addr, i->size, o->info.addr, o->info.size))
			continue;
		if (kvmx_serves(r) && i->addr >= o->info.addr &&
		    i->addr + i->size <= o->info.addr + o->info.size) {
			win = o;
			continue;
		}
		return ERR_PTR(-EEXIST);
	}
	set = rcu_dereference_protected(vm->regions[kvmx_bus_idx(r)],
					lockdep_is_held(&vm->regions_lock));
	if (kvmx_set_overlaps(set, i->addr, i->size))
		return ERR_PTR(-EEXIST);
	return win;
}

/*
 * Take @r out of service. Returns false if it must stay allocated until the
 * VM goes (no memory for a new set: it stays in the old one, marked dead,
 * on vm->zombies); true if the caller frees it after an SRCU grace period.
 */
static bool kvmx_region_del_locked(struct kvmx_vm *vm, struct kvmx_reg *r)
{
	bool free = true;

	lockdep_assert_held(&vm->regions_lock);
	if (kvmx_serves(r) && kvmx_set_update(vm, kvmx_bus_idx(r), NULL, r)) {
		WRITE_ONCE(r->dead, true);
		free = false;
	}
	/* no new mmap() finds it; one in progress holds its own reference */
	xa_erase(&vm->region_ids, r->info.id);
	list_del(&r->node);
	if (!kvmx_serves(r))
		list_del(&r->wnode);
	if (!free)
		list_add(&r->node, &vm->zombies);
	kvmx_busdev_del(vm, r);
	if (r->window)
		r->window->nr_inside--;
	vm->nr_regions--;
	return free;
}

long kvmx_region_add(struct kvmx_session *s, struct kvmx_region __user *uarg)
{
	struct kvmx_vm *vm = s->vm;
	struct kvmx_region a;
	struct kvmx_reg *r, *win;
	u32 id;
	int ret;

	ret = kvmx_copy_in(&a, sizeof(a), sizeof(a), uarg);
	if (ret)
		return ret;
	ret = kvmx_region_check(&a);
	if (ret)
		return ret;
	r = kvmx_reg_alloc(&a);
	if (IS_ERR(r))
		return PTR_ERR(r);
	r->owner = s;

	/*
	 * An id no live region has (cyclic: a removed region's id is not
	 * reused soon; never 0, the event ring's mmap offset), reserved, not
	 * yet visible.
	 */
	ret = xa_alloc_cyclic(&vm->region_ids, &id, NULL, XA_LIMIT(1, KVMX_REGION_ID_MAX),
			      &vm->next_region_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0)
		goto err_free;
	r->info.id = id;

	/* tell the caller before taking any lock: a fault here changes nothing */
	a.id = id;
	if (r->map) {
		a.mmap_offset = kvmx_region_mmap_offset(id);
		a.mmap_size = r->map_size;
	}
	ret = -EFAULT;
	if (copy_to_user(uarg, &a, sizeof(a)))
		goto err_id;

	/* regions_lock: the VM's regions, their sets and bus devices */
	mutex_lock(&vm->regions_lock);
	ret = -ENOSPC;
	if (vm->nr_regions >= KVMX_MAX_REGIONS)
		goto err_unlock;
	win = kvmx_place(vm, r);
	ret = PTR_ERR_OR_ZERO(win);
	if (ret)
		goto err_unlock;
	if (!win) {
		ret = kvmx_busdev_add(vm, r, kvmx_kvm_bus(r), &r->busdev);
		if (ret)
			goto err_unlock;
	}
	/* KVM dispatches its fast MMIO bus on VMX only */
	if ((r->info.flags & KVMX_REGION_FAST_MMIO) && kvmx_arch_has_fast_mmio(vm)) {
		ret = kvmx_busdev_add(vm, r, KVM_FAST_MMIO_BUS, &r->fastdev);
		if (ret)
			goto err_busdev;
	}
	if (kvmx_serves(r)) {
		ret = kvmx_set_update(vm, kvmx_bus_idx(r), r, NULL);
		if (ret)
			goto err_busdev;
	}
	r->window = win;
	if (win)
		win->nr_inside++;
	list_add_tail(&r->node, &vm->region_list);
	if (!kvmx_serves(r))
		list_add_tail(&r->wnode, &vm->windows);
	vm->nr_regions++;
	/* the reserved slot: storing there allocates nothing, cannot fail */
	xa_store(&vm->region_ids, id, r, GFP_KERNEL);
	mutex_unlock(&vm->regions_lock);
	return 0;

err_busdev:
	kvmx_busdev_del(vm, r);
err_unlock:
	mutex_unlock(&vm->regions_lock);
err_id:
	xa_erase(&vm->region_ids, id);
err_free:
	kvmx_reg_free(r);
	return ret;
}

/* Session @s's region @id. Caller holds vm->regions_lock. */
static struct kvmx_reg *kvmx_reg_find(struct kvmx_session *s, u32 id)
{
	struct kvmx_reg *r = xa_load(&s->vm->region_ids, id);

	lockdep_assert_held(&s->vm->regions_lock);
	return r && r->owner == s ? r : NULL;
}

long kvmx_region_del(struct kvmx_session *s, unsigned long id)
{
	struct kvmx_vm *vm = s->vm;
	struct kvmx_reg *r;
	bool free;

	/* regions_lock: the VM's regions, their sets and bus devices */
	mutex_lock(&vm->regions_lock);
	r = id <= U32_MAX ? kvmx_reg_find(s, id) : NULL;
	if (!r || r->nr_inside) {
		mutex_unlock(&vm->regions_lock);
		return r ? -EBUSY : -ENOENT;
	}
	free = kvmx_region_del_locked(vm, r);
	mutex_unlock(&vm->regions_lock);
	if (free) {
		/* no accessor still sees it; expedited, as KVM's own bus changes */
		synchronize_srcu_expedited(&vm->kvm->srcu);
		kvmx_reg_free(r);
	}
	return 0;
}

/* Is @r one that goes with session @s (NULL: every session)? */
static bool kvmx_goes_with(const struct kvmx_reg *r, const struct kvmx_session *s)
{
	return !s || r->owner == s || (r->window && r->window->owner == s);
}

/*
 * Remove the regions of session @s, and those inside its windows; with @s
 * NULL, every region of the VM. Inner regions go before their windows.
 */
static void kvmx_region_remove(struct kvmx_vm *vm, struct kvmx_session *s)
{
	struct kvmx_reg *r, *tmp;
	LIST_HEAD(gone);
	int pass;

	/* regions_lock: the VM's regions, their sets and bus devices */
	mutex_lock(&vm->regions_lock);
	for (pass = 0; pass < 2; pass++) {
		list_for_each_entry_safe(r, tmp, &vm->region_list, node) {
			if (!kvmx_goes_with(r, s) || r->nr_inside)
				continue;
			if (kvmx_region_del_locked(vm, r))
				list_add(&r->node, &gone);
		}
	}
	mutex_unlock(&vm->regions_lock);
	if (list_empty(&gone))
		return;
	synchronize_srcu_expedited(&vm->kvm->srcu);
	list_for_each_entry_safe(r, tmp, &gone, node)
		kvmx_reg_free(r);
}

/* Session release: its regions go, and whatever lies in its windows. */
void kvmx_region_release(struct kvmx_session *s)
{
	kvmx_region_remove(s->vm, s);
}

void kvmx_region_vm_init(struct kvmx_vm *vm)
{
	mutex_init(&vm->regions_lock);
	INIT_LIST_HEAD(&vm->region_list);
	INIT_LIST_HEAD(&vm->windows);
	INIT_LIST_HEAD(&vm->zombies);
	xa_init_flags(&vm->region_ids, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
}

/*
 * The VM's last session is gone, so no ioctl can add a region; every
 * session removed its own. Whatever is left is removed anyway, so that
 * nothing of kvmx stays on KVM's buses once this returns.
 */
void kvmx_region_vm_free(struct kvmx_vm *vm)
{
	struct kvmx_reg *r, *tmp;

	kvmx_region_remove(vm, NULL);
	list_for_each_entry_safe(r, tmp, &vm->zombies, node)
		kvmx_reg_free(r);
	/* replaced sets still queued: their callbacks are this module's code */
	srcu_barrier(&vm->kvm->srcu);
	kvfree(rcu_dereference_protected(vm->regions[0], 1));
	kvfree(rcu_dereference_protected(vm->regions[1], 1));
	xa_destroy(&vm->region_ids);
}

/*
 * mmap() of a region's registers or log. Called with mmap_lock held, so it
 * must not wait for regions_lock (held across SRCU grace periods): it finds
 * the region under the xarray's spinlock and maps the pages with a
 * reference of its own.
 */
int kvmx_region_mmap(struct kvmx_session *s, struct vm_area_struct *vma)
{
	unsigned long id = vma->vm_pgoff >> (KVMX_REGION_MMAP_SHIFT - PAGE_SHIFT);
	struct kvmx_shm *shm = NULL;
	struct kvmx_reg *r;
	int ret;

	if (vma->vm_pgoff & ((1UL << (KVMX_REGION_MMAP_SHIFT - PAGE_SHIFT)) - 1))
		return -EINVAL;
	if (id > KVMX_REGION_ID_MAX)
		return -ENODEV;
	/* xa_lock: a region is erased under it before it is freed */
	xa_lock(&s->vm->region_ids);
	r = xa_load(&s->vm->region_ids, id);
	if (r && r->owner == s && r->shm) {
		shm = r->shm;
		refcount_inc(&shm->ref);
	}
	xa_unlock(&s->vm->region_ids);
	if (!shm)
		return -ENODEV;
	ret = kvmx_shm_mmap(shm, vma);
	kvmx_shm_put(shm);
	return ret;
}

/* The entry of @r as KVMX_REGION_LIST reports it to session @s. */
static void kvmx_region_info(const struct kvmx_reg *r, const struct kvmx_session *s,
			     struct kvmx_region_mmap_info *m)
{
	struct kvmx_region_info *e = &m->info;

	*e = r->info;
	e->flags |= r->owner == s ? KVMX_REGION_MINE : 0;
	e->reads = atomic64_read(&r->reads);
	e->writes = atomic64_read(&r->writes);
	e->bytes = atomic64_read(&r->bytes);
	e->dropped = atomic64_read(&r->dropped);
	e->fallbacks = atomic64_read(&r->fallbacks);
	if (e->reads || e->writes)
		e->last_ns = ktime_get_ns() -
			jiffies_to_nsecs(jiffies - READ_ONCE(r->last_jiffies));
	e->last_vcpu = READ_ONCE(r->last_vcpu);
	m->mmap_offset = 0;
	m->mmap_size = 0;
	/* only the owner may map it (kvmx_region_mmap()) */
	if (r->shm && r->owner == s) {
		m->mmap_offset = kvmx_region_mmap_offset(r->info.id);
		m->mmap_size = r->map_size;
	}
}

long kvmx_region_list(struct kvmx_vm *vm, struct kvmx_session *s,
		      struct kvmx_region_list __user *uarg)
{
	struct kvmx_region_mmap_info *e;
	struct kvmx_region_list hdr;
	struct kvmx_table_writer w;
	u32 room, i, n = 0, total = 0;
	struct kvmx_reg *r;
	size_t esz;
	u32 flags;
	int ret;

	ret = kvmx_table_begin(&w, uarg, sizeof(hdr), sizeof(e->info),
			       KVMX_REGION_LIST_MMAP, &flags);
	if (ret)
		return ret;
	/* the mmap offsets too: the larger entries */
	esz = flags & KVMX_REGION_LIST_MMAP ? sizeof(*e) : sizeof(e->info);
	kvmx_table_entry_size(&w, esz);
	room = min_t(u32, w.room, KVMX_MAX_REGIONS);

	/* a snapshot under regions_lock, copied out after it: no fault under it */
	e = kvmalloc_array(max(room, 1U), sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	mutex_lock(&vm->regions_lock);
	list_for_each_entry(r, &vm->region_list, node) {
		if (total++ < room)
			kvmx_region_info(r, s, &e[n++]);
	}
	mutex_unlock(&vm->regions_lock);
	/* an entry is its first esz bytes: info, then the mmap fields */
	for (i = 0; !ret && i < n; i++)
		ret = kvmx_table_emit(&w, &e[i]);
	kvfree(e);
	if (ret)
		return ret;
	/* those that did not fit were counted, not copied */
	w.total = total;
	hdr = (struct kvmx_region_list) {
		.argsz = sizeof(hdr) + w.total * esz,
		.flags = w.written < w.total ? KVMX_TABLE_TRUNCATED : 0,
		.nr_entries = w.written,
		.nr_total = w.total,
	};
	return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : 0;
}
