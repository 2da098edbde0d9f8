// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's I/O buses, reached through their public definition only (struct
 * kvm_io_bus in <linux/kvm_host.h>, kvm_iodevice_read/write in
 * <kvm/iodev.h>), never through KVM's unexported functions.
 *
 * Why: KVM exports none of kvm_io_bus_register_dev(),
 * kvm_io_bus_unregister_dev() and kvm_io_bus_read(), and on a kernel with
 * CET-IBT the module loader seals them (their ENDBR is overwritten,
 * apply_seal_endbr()), so an indirect call to them is a control-protection
 * fault: a host panic. Upstream KVM 7.x does not export kvm_io_bus_write()
 * to other modules either. So kvmx changes a bus the way KVM does, under
 * the same rules: a writer holds kvm->slots_lock, copies the bus, publishes
 * the copy with rcu_assign_pointer() and frees the old one after
 * synchronize_srcu_expedited(&kvm->srcu); readers are inside kvm->srcu.
 * The only indirect calls left are KVM's own: a device's ops, whose
 * addresses KVM's devices hand out in their ops tables.
 *
 * The functions below follow virt/kvm/kvm_main.c of 6.1 and 6.12 (they do
 * not differ there) and 7.2 (whose readers add a barrier after entering
 * kvm->srcu, and whose registration no longer waits for readers; kvmx's
 * still does, which is stricter); the sort order and the match rule are
 * KVM's, so a bus kvmx changed is one KVM's own lookups read correctly,
 * and the reverse.
 */
#include <linux/delay.h>
#include <linux/slab.h>
#include <kvm/iodev.h>
#include "kvmx.h"

/* KVM's kvm_io_bus_cmp(): < 0, 0 (r1 lies in r2, or r2 is r1's exact address), > 0 */
static int kvmx_io_range_cmp(const struct kvm_io_range *r1,
			     const struct kvm_io_range *r2)
{
	gpa_t addr1 = r1->addr, addr2 = r2->addr;

	if (addr1 < addr2)
		return -1;
	/* a zero-length device matches its exact address only */
	if (r2->len) {
		addr1 += r1->len;
		addr2 += r2->len;
	}
	return addr1 > addr2;
}

/* KVM's kvm_io_bus_get_first_dev(), its bsearch() written out */
static int kvmx_io_bus_first(const struct kvm_io_bus *bus,
			     const struct kvm_io_range *key)
{
	int lo = 0, hi = bus->dev_count, mid = -1, c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = kvmx_io_range_cmp(key, &bus->range[mid]);
		if (!c)
			break;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo >= hi)
		return -ENOENT;
	while (mid > 0 && !kvmx_io_range_cmp(key, &bus->range[mid - 1]))
		mid--;
	return mid;
}

/**
 * kvmx_io_bus_access() - offer an access to the devices of a bus
 * @vcpu:	the vCPU making it
 * @bus_idx:	the bus
 * @addr:	guest-physical address or port
 * @len:	its size
 * @val:	the data (a write) or where to put it (a read)
 * @write:	a write
 *
 * What kvm_io_bus_write() and kvm_io_bus_read() do. Caller is inside
 * @vcpu->kvm->srcu, as KVM's callers of those are.
 *
 * Return: 0 if a device took it, -EOPNOTSUPP if none did, -ENOMEM if the
 * bus is gone (KVM failed to shrink it).
 */
int kvmx_io_bus_access(struct kvm_vcpu *vcpu, enum kvm_bus bus_idx, gpa_t addr,
		       int len, void *val, bool write)
{
	struct kvm_io_range key = { .addr = addr, .len = len };
	struct kvm_io_bus *bus;
	int i;

	/*
	 * 7.x's kvm_get_bus_srcu(): KVM registers a device without waiting
	 * for readers (call_srcu()); the barrier orders this read after the
	 * caller's srcu_read_lock(), so a device registered before it is seen.
	 */
	kvmx_mb_after_srcu_read_lock();
	bus = srcu_dereference(vcpu->kvm->buses[bus_idx], &vcpu->kvm->srcu);
	if (!bus)
		return -ENOMEM;
	i = kvmx_io_bus_first(bus, &key);
	if (i < 0)
		return -EOPNOTSUPP;
	for (; i < bus->dev_count && !kvmx_io_range_cmp(&key, &bus->range[i]); i++) {
		struct kvm_io_device *dev = bus->range[i].dev;

		if (write ? !kvm_iodevice_write(vcpu, dev, addr, len, val) :
			    !kvm_iodevice_read(vcpu, dev, addr, len, val))
			return 0;
	}
	return -EOPNOTSUPP;
}

/* Publish @new as the bus and free @old once no reader sees it. */
static void kvmx_io_bus_replace(struct kvm *kvm, enum kvm_bus bus_idx,
				struct kvm_io_bus *old, struct kvm_io_bus *new)
{
	rcu_assign_pointer(kvm->buses[bus_idx], new);
	synchronize_srcu_expedited(&kvm->srcu);
	kfree(old);
}

/**
 * kvmx_io_bus_register() - put a device on a bus, as kvm_io_bus_register_dev()
 * @kvm:	the VM
 * @bus_idx:	the bus
 * @addr:	start of the device's range
 * @len:	its length
 * @dev:	the device
 *
 * Caller holds kvm->slots_lock.
 *
 * Return: 0, -ENOSPC if the bus has NR_IOBUS_DEVS devices besides
 * ioeventfds, -ENOMEM.
 */
int kvmx_io_bus_register(struct kvm *kvm, enum kvm_bus bus_idx, gpa_t addr,
			 int len, struct kvm_io_device *dev)
{
	struct kvm_io_range range = { .addr = addr, .len = len, .dev = dev };
	struct kvm_io_bus *bus, *new;
	int i;

	lockdep_assert_held(&kvm->slots_lock);
	bus = kvm_get_bus(kvm, bus_idx);
	if (!bus)
		return -ENOMEM;
	/* KVM's limit; ioeventfds are limited by the number of fds */
	if (bus->dev_count - bus->ioeventfd_count > NR_IOBUS_DEVS - 1)
		return -ENOSPC;
	new = kmalloc(struct_size(bus, range, bus->dev_count + 1), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	for (i = 0; i < bus->dev_count; i++)
		if (kvmx_io_range_cmp(&bus->range[i], &range) > 0)
			break;
	memcpy(new, bus, struct_size(bus, range, i));
	new->dev_count++;
	new->range[i] = range;
	memcpy(new->range + i + 1, bus->range + i,
	       flex_array_size(bus, range, bus->dev_count - i));
	kvmx_io_bus_replace(kvm, bus_idx, bus, new);
	return 0;
}

/**
 * kvmx_io_bus_unregister() - take a device off a bus
 * @kvm:	the VM
 * @bus_idx:	the bus
 * @dev:	the device; not on the bus is fine
 *
 * Cannot fail: when it returns, no reader of the bus can reach @dev, so
 * its owner may free it. Where KVM, out of memory for the smaller copy,
 * drops the whole bus, this waits for memory instead. Caller holds
 * kvm->slots_lock.
 */
void kvmx_io_bus_unregister(struct kvm *kvm, enum kvm_bus bus_idx,
			    struct kvm_io_device *dev)
{
	struct kvm_io_bus *bus, *new;
	int i;

	lockdep_assert_held(&kvm->slots_lock);
	bus = kvm_get_bus(kvm, bus_idx);
	if (!bus)
		return;
	for (i = 0; i < bus->dev_count; i++)
		if (bus->range[i].dev == dev)
			break;
	if (i == bus->dev_count)
		return;
	/* shrinking: not charged to the VM's memory cgroup, and retried */
	while (!(new = kmalloc(struct_size(bus, range, bus->dev_count - 1),
			       GFP_KERNEL | __GFP_NOWARN)))
		msleep(20);
	memcpy(new, bus, struct_size(bus, range, i));
	new->dev_count--;
	memcpy(new->range + i, bus->range + i + 1,
	       flex_array_size(new, range, new->dev_count - i));
	kvmx_io_bus_replace(kvm, bus_idx, bus, new);
}

/* Does a device that is not kvmx's overlap [addr, addr + size)? */
bool kvmx_io_bus_busy(struct kvm *kvm, enum kvm_bus bus_idx, u64 addr, u64 size,
		      const struct kvm_io_device_ops *mine)
{
	struct kvm_io_bus *bus = kvm_get_bus(kvm, bus_idx);
	int i;

	lockdep_assert_held(&kvm->slots_lock);
	for (i = 0; bus && i < bus->dev_count; i++) {
		const struct kvm_io_range *rg = &bus->range[i];
		u64 len = max(rg->len, 1);

		if (rg->dev->ops != mine && addr < rg->addr + len && rg->addr < addr + size)
			return true;
	}
	return false;
}
