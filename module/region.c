// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel MMIO and port-I/O regions: DOORBELL, BANK, LOG, DISCARD,
 * PROGRAM (a BPF program answers, bpf.c), and WINDOW, which reserves a
 * range for other regions. This file: the ioctls
 * and the regions' lifetime; region_bus.c: KVM's buses, what the devices
 * there serve, placement.
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
#include "region.h"

/* -- adding and removing ---------------------------------------------------- */

static int kvmx_region_check(const struct kvmx_region *a)
{
	const u32 known = KVMX_REGION_PIO | KVMX_REGION_DATAMATCH | KVMX_REGION_LOG_DROP |
			  KVMX_REGION_FAST_MMIO;
	bool log = a->mode == KVMX_MODE_LOG;
	bool prog = a->mode == KVMX_MODE_PROGRAM;
	bool ring = log || (prog && a->log_records);
	bool fast = a->flags & KVMX_REGION_FAST_MMIO;

	/* flags kvmx has */
	if (a->flags & ~known)
		return -EINVAL;
	/* reserved for later */
	if (a->reserved)
		return -EINVAL;
	/* a mode kvmx has */
	if (a->mode < KVMX_MODE_DOORBELL || a->mode > KVMX_MODE_PROGRAM)
		return -EINVAL;
	/* programs where the kernel runs them */
	if (prog && !kvmx_bpf_available())
		return -EOPNOTSUPP;
	/* a link is a program region's, and a program region names one */
	if (!prog && a->link_fd)
		return -EINVAL;
	if (prog && a->link_fd < 0)
		return -EBADF;
	/* a byte at least, 1 GiB at most */
	if (!a->size || a->size > SZ_1G)
		return -EINVAL;
	/* a range that does not wrap */
	if (a->addr + a->size < a->addr)
		return -EINVAL;
	/* ports only where there are any, and only that many */
	if ((a->flags & KVMX_REGION_PIO) && a->addr + a->size > KVMX_ARCH_NR_PORTS)
		return -EINVAL;
	/* a window serves no access size */
	if (a->mode == KVMX_MODE_WINDOW && a->access_sizes)
		return -EINVAL;
	/* any other region some, all of them 1, 2, 4 or 8 bytes */
	if (a->mode != KVMX_MODE_WINDOW && !a->access_sizes)
		return -EINVAL;
	if (a->access_sizes & ~KVMX_SIZES_ALL)
		return -EINVAL;
	/* a value to match is a doorbell's */
	if ((a->flags & KVMX_REGION_DATAMATCH) && a->mode != KVMX_MODE_DOORBELL)
		return -EINVAL;
	/* dropping on a full ring is a log's */
	if ((a->flags & KVMX_REGION_LOG_DROP) && !log)
		return -EINVAL;
	/* a fast doorbell: any write at all, so no data and no size to match */
	if (fast && a->mode != KVMX_MODE_DOORBELL)
		return -EINVAL;
	if (fast && (a->flags & KVMX_REGION_PIO))
		return -EINVAL;
	if (fast && (a->flags & KVMX_REGION_DATAMATCH))
		return -EINVAL;
	if (fast && a->access_sizes != KVMX_SIZES_ALL)
		return -EINVAL;
	/* a doorbell signals an eventfd */
	if (a->mode == KVMX_MODE_DOORBELL && a->eventfd < 0)
		return -EINVAL;
	/* a discard region and a window signal nothing */
	if ((a->mode == KVMX_MODE_DISCARD || a->mode == KVMX_MODE_WINDOW) && a->eventfd != -1)
		return -EINVAL;
	/* -1 is "none"; other negative values are nothing */
	if (a->eventfd < -1)
		return -EINVAL;
	/* ring settings are a log's, or a program region's that has a ring */
	if (!ring && (a->log_records || a->log_watermark))
		return -EINVAL;
	if (ring && a->log_records > KVMX_RING_MAX_RECORDS)
		return -E2BIG;
	/* a ring of a power of two records, 2 at least */
	if (ring && (a->log_records < 2 || !is_power_of_2(a->log_records)))
		return -EINVAL;
	/* a watermark the ring can reach */
	if (ring && (!a->log_watermark || a->log_watermark > a->log_records))
		return -EINVAL;
	/* the registers fit the mapping's budget */
	if ((a->mode == KVMX_MODE_BANK || prog) && a->size > KVMX_REGION_MAX_MAP)
		return -E2BIG;
	return 0;
}

static void kvmx_io_region_free(struct kvmx_io_region *r)
{
	if (r->efd)
		eventfd_ctx_put(r->efd);
	kvmx_prog_unuse(&r->prog);
	kvmx_shm_put(r->shm);
	kfree(r->busdev);
	kfree(r->fastdev);
	kfree(r);
	kvmx_count_dec(KVMX_OBJ_REGIONS, 1);
}

/* A region as @a asks, not yet visible to anyone. */
static struct kvmx_io_region *kvmx_io_region_alloc(const struct kvmx_region *a)
{
	struct kvmx_io_region *r;
	size_t bank_size = 0;
	int ret = -ENOMEM;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	kvmx_count_inc(KVMX_OBJ_REGIONS, 1);
	r->info = (struct kvmx_region_info) {
		.mode = a->mode, .flags = a->flags, .access_sizes = a->access_sizes,
		.addr = a->addr, .size = a->size,
	};
	r->bus = a->flags & KVMX_REGION_PIO ? KVM_PIO_BUS : KVM_MMIO_BUS;
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
	/* the mapping: BANK's or PROGRAM's registers, then a LOG header and ring */
	if (a->mode == KVMX_MODE_BANK || a->mode == KVMX_MODE_PROGRAM)
		bank_size = PAGE_ALIGN(a->size);
	if (a->log_records) {
		r->map_size = PAGE_SIZE +
			PAGE_ALIGN(a->log_records * sizeof(struct kvmx_log_record));
		r->log_wm = a->log_watermark;
	}
	r->map_size += bank_size;
	if (r->map_size) {
		r->shm = kvmx_shm_alloc(r->map_size);
		if (!r->shm)
			goto err;
		r->map = r->shm->vaddr;
	}
	if (bank_size)
		r->bank = r->map;
	if (a->log_records) {
		r->log = r->map + bank_size;
		kvmx_shring_init(&r->log_q, &r->log->head, &r->log->tail,
				 (void *)r->log + PAGE_SIZE, a->log_records,
				 sizeof(struct kvmx_log_record));
		r->log->nr_records = a->log_records;
		r->log->record_size = sizeof(struct kvmx_log_record);
		r->log->records_offset = bank_size + PAGE_SIZE;
	}
	return r;
err:
	kvmx_io_region_free(r);
	return ERR_PTR(ret);
}

/*
 * Take @r out of service. Returns false if it must stay allocated until the
 * VM goes (no memory for a new set: it stays in the old one, marked dead,
 * on vm->zombies); true if the caller frees it after an SRCU grace period.
 */
static bool kvmx_region_del_locked(struct kvmx_vm *vm, struct kvmx_io_region *r)
{
	bool free = true;

	lockdep_assert_held(&vm->regions_lock);
	if (kvmx_serves(r) && kvmx_set_update(vm, NULL, r, r->bus)) {
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
	struct kvmx_io_region *r, *win;
	u32 id;
	int ret;

	ret = kvmx_copy_in(&a, sizeof(a), sizeof(a), uarg);
	if (ret)
		return ret;
	ret = kvmx_region_check(&a);
	if (ret)
		return ret;
	r = kvmx_io_region_alloc(&a);
	if (IS_ERR(r))
		return PTR_ERR(r);
	r->owner = s;
	if (a.mode == KVMX_MODE_PROGRAM) {
		ret = kvmx_prog_use(vm, a.link_fd, false, &r->prog);
		if (ret)
			goto err_free;
	}

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
		ret = kvmx_busdev_add(vm, r, r->bus, &r->busdev);
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
		ret = kvmx_set_update(vm, r, NULL, r->bus);
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
	kvmx_io_region_free(r);
	return ret;
}

/* Session @s's region @id. Caller holds vm->regions_lock. */
static struct kvmx_io_region *kvmx_io_region_find(struct kvmx_session *s, u32 id)
{
	struct kvmx_io_region *r = xa_load(&s->vm->region_ids, id);

	lockdep_assert_held(&s->vm->regions_lock);
	return r && r->owner == s ? r : NULL;
}

long kvmx_region_del(struct kvmx_session *s, unsigned long id)
{
	struct kvmx_vm *vm = s->vm;
	struct kvmx_io_region *r;
	bool free;

	/* regions_lock: the VM's regions, their sets and bus devices */
	mutex_lock(&vm->regions_lock);
	r = id <= U32_MAX ? kvmx_io_region_find(s, id) : NULL;
	if (!r || r->nr_inside) {
		mutex_unlock(&vm->regions_lock);
		return r ? -EBUSY : -ENOENT;
	}
	free = kvmx_region_del_locked(vm, r);
	mutex_unlock(&vm->regions_lock);
	if (free) {
		/* no accessor still sees it; expedited, as KVM's own bus changes */
		synchronize_srcu_expedited(&vm->kvm->srcu);
		kvmx_io_region_free(r);
	}
	return 0;
}

/* Is @r one that goes with session @s (NULL: every session)? */
static bool kvmx_goes_with(const struct kvmx_io_region *r, const struct kvmx_session *s)
{
	return !s || r->owner == s || (r->window && r->window->owner == s);
}

/*
 * Remove the regions of session @s, and those inside its windows; with @s
 * NULL, every region of the VM. Inner regions go before their windows.
 */
static void kvmx_region_remove(struct kvmx_vm *vm, struct kvmx_session *s)
{
	struct kvmx_io_region *r, *tmp;
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
		kvmx_io_region_free(r);
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
	struct kvmx_io_region *r, *tmp;

	kvmx_region_remove(vm, NULL);
	list_for_each_entry_safe(r, tmp, &vm->zombies, node)
		kvmx_io_region_free(r);
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
	struct kvmx_io_region *r;
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
static void kvmx_region_info(const struct kvmx_io_region *r, const struct kvmx_session *s,
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
	if (r->prog.prog)
		e->link_id = kvmx_prog_link_id(&r->prog);
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
	struct kvmx_io_region *r;
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
