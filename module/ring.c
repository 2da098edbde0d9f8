// SPDX-License-Identifier: GPL-2.0
/*
 * The event ring of a session: sampled exit records in memory shared with
 * userspace (mmap of the session fd at offset 0).
 *
 * Layout: one page of struct kvmx_ring_header, then nr_records records,
 * in pages of shm.c. The kernel owns head (and keeps its own copy, which
 * is the one it uses) and its own nr_records; userspace owns tail. The
 * kernel reads tail only to decide whether there is room, never to index
 * anything: a tail that is not within nr_records behind head counts as a
 * full ring (CVE-2019-14821 was the opposite).
 *
 * Producers are the vCPU threads (in KVM's exit tracepoint); r->lock
 * serializes them. Ordering: the record is written before head is
 * published with a store-release; tail is read with a load-acquire so that
 * userspace's reads of a slot complete before the kernel reuses it.
 */
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include "kvmx.h"

struct kvmx_ring {
	struct kvmx_shm *shm;		/* header + records */
	struct kvmx_ring_header *hdr;
	struct kvmx_shring q;		/* under lock */
	size_t size;
	u32 watermark;
	u32 sample[KVMX_EXIT_CLASSES_MAX];
	u32 fault_sample[KVMX_FAULT_CLASSES_MAX];
	u64 overflow;			/* under lock */
	spinlock_t lock;		/* producers */
	wait_queue_head_t wq;
};

void kvmx_shring_init(struct kvmx_shring *q, u32 *head, u32 *tail, void *slots,
		      u32 nr, u32 size)
{
	*q = (struct kvmx_shring){ .head = head, .tail = tail, .slots = slots,
				   .nr = nr, .size = size };
}

/*
 * Append @rec (q->size bytes). Caller serializes the producers of @q.
 * Return: how many records the ring holds with it (1..nr), or 0 if it
 * was full and @rec was not written.
 */
u32 kvmx_shring_push(struct kvmx_shring *q, const void *rec)
{
	/*
	 * userspace's reads of a slot before our reuse: its tail
	 * store-release. tail is only compared: any value that is not within
	 * nr behind head reads as a full ring.
	 */
	u32 used = q->next - smp_load_acquire(q->tail);

	if (used >= q->nr)
		return 0;
	memcpy(q->slots + (size_t)(q->next & (q->nr - 1)) * q->size, rec, q->size);
	q->next++;
	/* the record before head: pairs with userspace's load-acquire of head */
	smp_store_release(q->head, q->next);
	return used + 1;
}

/* Records not yet consumed, for poll (racy reads: a hint) */
u32 kvmx_shring_used(const struct kvmx_shring *q)
{
	return READ_ONCE(q->next) - READ_ONCE(*q->tail);
}

/* 1 in how many of @rec's class this ring records (0: none) */
static u32 kvmx_ring_sample(struct kvmx_ring *r, const struct kvmx_exit_record *rec)
{
	if (rec->flags & KVMX_REC_FAULT)
		return READ_ONCE(r->fault_sample[rec->class]);
	return READ_ONCE(r->sample[rec->class]);
}

/**
 * kvmx_sample() - offer a record to every event ring of a VM
 * @vm:		the VM, whose vCPU's thread this is (an RCU reader of
 *		vm->sessions: a probe, see kvmx_rcu_dereference())
 * @vcpu:	for an exit record, the vCPU: its timestamp and guest PC are
 *		filled in on first use (the PC costs a VMREAD on VMX); NULL
 *		for a complete record
 * @rec:	the record
 * @count:	the vCPU's count of @rec's class, this one included
 * @policy_n:	the VM policy's SAMPLE for the class, 0 if none
 *
 * Each ring whose 1-in-N falls on @count gets it: the ring's own N for the
 * class, else the policy's. The ring's N is what its reader asked for; the
 * policy's is the VMM's default for every reader that asked for nothing.
 */
void kvmx_sample(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		 struct kvmx_exit_record *rec, u64 count, u32 policy_n)
{
	struct kvmx_session *s;
	u32 n;

	list_for_each_entry_rcu(s, &vm->sessions, vm_node) {
		struct kvmx_ring *r = READ_ONCE(s->ring);

		if (!r)
			continue;
		n = kvmx_ring_sample(r, rec) ?: policy_n;
		if (!n || count % n)
			continue;
		if (vcpu) {
			rec->timestamp_ns = ktime_get_ns();
			rec->pc = kvmx_arch_guest_pc(vcpu);
			vcpu = NULL;
		}
		kvmx_ring_push(r, rec);
	}
}

/* A fault record: complete, @count is the vCPU's count of its class. */
void kvmx_push_record(struct kvmx_vm *vm, const struct kvmx_exit_record *rec,
		      u64 count)
{
	struct kvmx_exit_record r = *rec;

	kvmx_sample(vm, NULL, &r, count, 0);
}

void kvmx_ring_push(struct kvmx_ring *r, const struct kvmx_exit_record *rec)
{
	u32 used;
	bool wake;

	spin_lock(&r->lock);
	used = kvmx_shring_push(&r->q, rec);
	if (!used) {
		r->overflow++;
		WRITE_ONCE(r->hdr->overflow, r->overflow);
		spin_unlock(&r->lock);
		return;
	}
	wake = used >= READ_ONCE(r->watermark);
	spin_unlock(&r->lock);

	if (wake && wq_has_sleeper(&r->wq))
		wake_up_interruptible(&r->wq);
}

static int kvmx_ring_check(const struct kvmx_ring_setup *a)
{
	unsigned int i;

	if (a->flags)
		return -EINVAL;
	if (a->nr_records > KVMX_RING_MAX_RECORDS)
		return -E2BIG;
	if (a->nr_records < 2 || !is_power_of_2(a->nr_records))
		return -EINVAL;
	if (!a->watermark || a->watermark > a->nr_records)
		return -EINVAL;
	for (i = KVMX_EXIT_NR_CLASSES; i < KVMX_EXIT_CLASSES_MAX; i++)
		if (a->sample[i])
			return -EINVAL;
	for (i = KVMX_FAULT_NR_CLASSES; i < KVMX_FAULT_CLASSES_MAX; i++)
		if (a->fault_sample[i])
			return -EINVAL;
	return 0;
}

static size_t kvmx_ring_size(u32 nr)
{
	return PAGE_SIZE + PAGE_ALIGN(nr * sizeof(struct kvmx_exit_record));
}

static struct kvmx_ring *kvmx_ring_alloc(u32 nr)
{
	struct kvmx_ring *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->size = kvmx_ring_size(nr);
	r->shm = kvmx_shm_alloc(r->size);
	if (!r->shm) {
		kfree(r);
		return NULL;
	}
	kvmx_count_inc(KVMX_OBJ_RINGS, 1);
	r->hdr = r->shm->vaddr;
	kvmx_shring_init(&r->q, &r->hdr->head, &r->hdr->tail, (void *)r->hdr + PAGE_SIZE, nr,
			 sizeof(struct kvmx_exit_record));
	r->hdr->nr_records = nr;
	r->hdr->record_size = sizeof(struct kvmx_exit_record);
	r->hdr->records_offset = PAGE_SIZE;
	spin_lock_init(&r->lock);
	init_waitqueue_head(&r->wq);
	return r;
}

long kvmx_ring_setup(struct kvmx_session *s, struct kvmx_ring_setup __user *uarg)
{
	struct kvmx_ring_setup a;
	struct kvmx_ring *r;
	unsigned int i;
	int ret;

	/* API 1.1 callers pass no fault_sample[]: it reads as zeroes */
	ret = kvmx_copy_in(&a, sizeof(a), offsetofend(struct kvmx_ring_setup, mmap_size),
			   uarg);
	if (ret)
		return ret;
	ret = kvmx_ring_check(&a);
	if (ret)
		return ret;

	/*
	 * The one output first (it depends on nr_records only): a call that
	 * fails changes nothing. ring_lock is taken by no mmap or fault path.
	 */
	a.mmap_size = kvmx_ring_size(a.nr_records);
	if (copy_to_user(&uarg->mmap_size, &a.mmap_size, sizeof(a.mmap_size)))
		return -EFAULT;

	/* ring_lock: creating s->ring, changing its settings */
	mutex_lock(&s->ring_lock);
	r = s->ring;
	if (r && r->q.nr != a.nr_records) {
		ret = -EBUSY;
		goto out;
	}
	if (!r) {
		r = kvmx_ring_alloc(a.nr_records);
		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
	}
	WRITE_ONCE(r->watermark, a.watermark);
	for (i = 0; i < KVMX_EXIT_CLASSES_MAX; i++)
		WRITE_ONCE(r->sample[i], a.sample[i]);
	for (i = 0; i < KVMX_FAULT_CLASSES_MAX; i++)
		WRITE_ONCE(r->fault_sample[i], a.fault_sample[i]);
	/* published: the probes find it through READ_ONCE(s->ring) */
	if (!s->ring) {
		/* the ring's set-up before the pointer: pairs with the acquires */
		smp_store_release(&s->ring, r);
		atomic_inc(&s->vm->nr_rings);
	}
out:
	mutex_unlock(&s->ring_lock);
	return ret;
}

int kvmx_ring_mmap(struct kvmx_session *s, struct vm_area_struct *vma)
{
	/* pairs with the release publishing s->ring */
	struct kvmx_ring *r = smp_load_acquire(&s->ring);

	if (!r)
		return -ENODEV;
	if (vma->vm_pgoff)
		return -EINVAL;
	return kvmx_shm_mmap(r->shm, vma);
}

__poll_t kvmx_ring_poll(struct kvmx_session *s, struct file *file, poll_table *wait)
{
	/* pairs with the release publishing s->ring */
	struct kvmx_ring *r = smp_load_acquire(&s->ring);

	if (!r)
		return EPOLLERR;
	poll_wait(file, &r->wq, wait);
	if (kvmx_shring_used(&r->q) >= READ_ONCE(r->watermark))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

/* @s leaves its VM: its ring is no longer one of the VM's. */
void kvmx_ring_detach(struct kvmx_session *s)
{
	if (s->ring)
		atomic_dec(&s->vm->nr_rings);
}

/* Caller made sure no probe can still see @r. */
void kvmx_ring_free(struct kvmx_ring *r)
{
	if (!r)
		return;
	kvmx_shm_put(r->shm);
	kvmx_count_dec(KVMX_OBJ_RINGS, 1);
	kfree(r);
}
