// SPDX-License-Identifier: GPL-2.0
/*
 * Per-vCPU state of an attached VM: its allocation, where it is found, the
 * VM's stats generation, and the memslot lookup the exit and fault paths
 * share. What the state holds belongs to observe.c (struct
 * kvmx_vcpu_exits) and fault.c (struct kvmx_vcpu_faults); each applies a
 * reset to its own part, when it sees the VM's generation move.
 *
 * The state of the vCPUs that exist at attach is allocated then. KVM has
 * no hook at vCPU creation where kvmx could sleep, so a vCPU created later
 * gets its state at its first exit: one GFP_ATOMIC attempt and, if that
 * fails, a work item that allocates with GFP_KERNEL_ACCOUNT; the attempt is
 * not repeated on every exit. Exits before the state exists are counted in
 * vm->lost.
 *
 * vm->vcpus (an xarray, by vcpu_idx) holds only the vCPUs that have state:
 * readers walk those, not KVM_MAX_VCPUS slots. An entry, once stored, stays
 * until the VM's last session goes (kvmx_vm_vcpus_free()).
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "kvmx.h"

static struct kvmx_vcpu *kvmx_vcpu_alloc(gfp_t gfp)
{
	struct kvmx_vcpu *v = kvzalloc(sizeof(*v), gfp);

	if (v) {
		v->exits.pending = KVMX_NO_PENDING;
		seqcount_init(&v->faults.hot_seq);
		kvmx_count_inc(KVMX_OBJ_VCPU_STATS, 1);
	}
	return v;
}

static void kvmx_vcpu_free(struct kvmx_vcpu *v)
{
	kvfree(v);
	kvmx_count_dec(KVMX_OBJ_VCPU_STATS, 1);
}

/*
 * Store @v as vCPU @idx's state unless it has some. The missing bit is
 * cleared if it was stored or there was state already. Return: the
 * vCPU's state, or NULL if the xarray had no memory (then @v is freed).
 */
static struct kvmx_vcpu *kvmx_vcpu_publish(struct kvmx_vm *vm, unsigned int idx,
					   struct kvmx_vcpu *v, gfp_t gfp)
{
	struct kvmx_vcpu *old;

	v->exits.gen = READ_ONCE(vm->gen);
	v->faults.gen = v->exits.gen;
	/* the state's set-up before the pointer: xa_cmpxchg() publishes it */
	old = xa_cmpxchg(&vm->vcpus, idx, NULL, v, gfp);
	if (xa_is_err(old)) {
		kvmx_vcpu_free(v);
		return NULL;
	}
	if (old) {
		kvmx_vcpu_free(v);
		v = old;
	}
	if (idx < KVMX_VCPU_FAST) {
		/* the probes' copy, after the set-up: pairs with kvmx_vcpu_find() */
		smp_store_release(&vm->vcpu_fast[idx], v);
	}
	clear_bit(idx, vm->vcpus_missing);
	return v;
}

/* The state the exit path could not allocate, in process context. */
static void kvmx_vcpu_work(struct work_struct *work)
{
	struct kvmx_vm *vm = container_of(work, struct kvmx_vm, vcpus_work);
	struct kvmx_vcpu *v;
	unsigned int idx;

	for_each_set_bit(idx, vm->vcpus_missing, KVM_MAX_VCPUS) {
		v = kvmx_vcpu_alloc(GFP_KERNEL_ACCOUNT);
		if (v)
			kvmx_vcpu_publish(vm, idx, v, GFP_KERNEL_ACCOUNT);
	}
}

/**
 * kvmx_vcpu_get_slow() - kvmx_vcpu_get() for a vCPU without state yet
 * @vm:		its attached VM
 * @vcpu:	the vCPU, whose thread calls this (preemption disabled)
 *
 * Allocates the state of a vCPU created after attach.
 *
 * Return: the state, or NULL (the exit is counted in vm->lost).
 */
struct kvmx_vcpu *kvmx_vcpu_get_slow(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	const gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN;
	unsigned int idx = vcpu->vcpu_idx;
	struct kvmx_vcpu *v = xa_load(&vm->vcpus, idx);

	if (v)
		return v;
	/* one attempt here; the worker (vcpus_missing) does the rest */
	if (test_and_set_bit(idx, vm->vcpus_missing))
		goto lost;
	v = kvmx_vcpu_alloc(gfp);
	if (v)
		v = kvmx_vcpu_publish(vm, idx, v, gfp);
	if (v)
		return v;
	queue_work(system_unbound_wq, &vm->vcpus_work);
lost:
	atomic64_inc(&vm->lost);
	return NULL;
}

/**
 * kvmx_gpa_slot() - is @gpa ordinary guest memory (a memslot, address space 0)?
 * @kvm:	the VM
 * @gpa:	a guest-physical address
 * @readonly:	if non-NULL, set to whether that memslot is read-only
 *
 * The slot's flags are read inside kvm->srcu: a slot being deleted is
 * freed after it.
 */
bool kvmx_gpa_slot(struct kvm *kvm, u64 gpa, bool *readonly)
{
	struct kvm_memory_slot *slot;
	bool backed, ro;
	int idx;

	idx = srcu_read_lock(&kvm->srcu);
	slot = __gfn_to_memslot(kvm_memslots(kvm), gpa_to_gfn(gpa));
	backed = slot && !(slot->flags & KVM_MEMSLOT_INVALID);
	ro = backed && (slot->flags & KVM_MEM_READONLY);
	srcu_read_unlock(&kvm->srcu, idx);
	if (readonly)
		*readonly = ro;
	return backed;
}

/* State for the vCPUs that exist at attach; later ones allocate lazily. */
int kvmx_vm_vcpus_init(struct kvmx_vm *vm)
{
	struct kvm_vcpu *vcpu;
	struct kvmx_vcpu *v;
	unsigned long i;

	xa_init(&vm->vcpus);
	INIT_WORK(&vm->vcpus_work, kvmx_vcpu_work);
	atomic64_set(&vm->lost, 0);
	vm->stats_since_ns = ktime_get_boottime_ns();
	kvm_for_each_vcpu(i, vcpu, vm->kvm) {
		v = kvmx_vcpu_alloc(GFP_KERNEL_ACCOUNT);
		if (!v)
			return -ENOMEM;
		if (!kvmx_vcpu_publish(vm, vcpu->vcpu_idx, v, GFP_KERNEL_ACCOUNT))
			return -ENOMEM;
	}
	return 0;
}

/* Caller made sure no probe can still see @vm. */
void kvmx_vm_vcpus_free(struct kvmx_vm *vm)
{
	struct kvmx_vcpu *v;
	unsigned long idx;

	/* queued by a probe, which no longer runs: not after this */
	cancel_work_sync(&vm->vcpus_work);
	xa_for_each(&vm->vcpus, idx, v)
		kvmx_vcpu_free(v);
	xa_destroy(&vm->vcpus);
}

/*
 * KVMX_RESET_STATS: a new generation. Each vCPU's exit and fault state
 * zero themselves when their writer sees it.
 */
void kvmx_reset_stats(struct kvmx_vm *vm)
{
	WRITE_ONCE(vm->gen, vm->gen + 1);
	atomic64_set(&vm->lost, 0);
	WRITE_ONCE(vm->stats_since_ns, ktime_get_boottime_ns());
}
