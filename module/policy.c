// SPDX-License-Identifier: GPL-2.0
/*
 * Exit policy: per VM, what happens to an MMIO or port access no device
 * claims, to a fault KVM cannot complete as MMIO, and what kvmx does per
 * exit class besides counting.
 *
 * A policy is immutable once published: KVMX_SET_POLICY builds a new one,
 * swaps vm->policy (RCU) and waits a grace period before it reads the old
 * one's final counters and frees it. Readers are the exit probe and the
 * arch hooks (an RCU read-side section: rcu_read_lock(), or a tracepoint
 * probe's preempt-disabled section), so a vCPU sees the old policy or the
 * new one, never a mix.
 *
 * The unclaimed/unbacked actions need a hook on a KVM function (hook.c,
 * per arch in x86.c and arm64.c). It is installed while at least one VM's
 * policy needs it, and removed KVMX_HOOK_LINGER after none does: a host
 * with no such policy runs KVM's code untouched. Installing or removing it
 * rewrites kernel text for every ftrace user (on arm64 under stop_machine,
 * all CPUs stopped), so a VMM flipping its policy in a loop must not cause
 * one rewrite per call: within the linger, a new user finds it installed.
 *
 * Locking: kvmx_policy_lock (a mutex) serializes setting policies of every
 * VM, the hook's use count and whether it is installed.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include "kvmx.h"

/**
 * struct kvmx_vm_policy - a VM's published policy
 * @rcu:	freed after a grace period
 * @owner:	the session that set it
 * @p:		as set; the counters fields unused
 * @efd:	NOTIFY eventfds, per class
 * @seen:	per NOTIFY class: exits of the VM since the policy was set
 * @notified:	per class: signals sent
 * @mmio_discarded: as in struct kvmx_policy
 * @mmio_injected: as in struct kvmx_policy
 * @pio_discarded: as in struct kvmx_policy
 * @unbacked_injected: as in struct kvmx_policy
 * @hooked:	it holds a use of the arch hooks
 * @sample:	per class: SAMPLE's 1-in-n, 0 if none
 * @prog:	the program whose exit() decides @prog_classes, if any
 * @prog_classes: a copy of the program's classes, taken when it was set
 * @prog_calls:	as in struct kvmx_policy
 * @prog_refused: as in struct kvmx_policy
 * @inject:	arm64: per vCPU, the program answered the exit it is in
 *		with INJECT (set and cleared by that vCPU's thread)
 */
struct kvmx_vm_policy {
	struct rcu_head rcu;
	struct kvmx_session *owner;
	struct kvmx_policy p;
	struct eventfd_ctx *efd[KVMX_EXIT_NR_CLASSES];
	atomic64_t seen[KVMX_EXIT_NR_CLASSES];
	atomic64_t notified[KVMX_EXIT_NR_CLASSES];
	atomic64_t mmio_discarded, mmio_injected, pio_discarded, unbacked_injected;
	bool hooked;
	u32 sample[KVMX_EXIT_NR_CLASSES];
	struct kvmx_prog_use prog;
	u32 prog_classes;
	atomic64_t prog_calls, prog_refused;
	DECLARE_BITMAP(inject, KVM_MAX_VCPUS);
};

#define KVMX_HOOK_LINGER	(5 * HZ)

static DEFINE_MUTEX(kvmx_policy_lock);
static unsigned int kvmx_hook_users;	/* under kvmx_policy_lock */
static bool kvmx_hooks_on;		/* under kvmx_policy_lock */

/* The hook, unused for KVMX_HOOK_LINGER: removed. */
static void kvmx_hook_off_work(struct work_struct *work)
{
	/* kvmx_policy_lock: the use count and kvmx_hooks_on */
	mutex_lock(&kvmx_policy_lock);
	if (!kvmx_hook_users && kvmx_hooks_on) {
		kvmx_arch_policy_hooks(false);
		kvmx_hooks_on = false;
	}
	mutex_unlock(&kvmx_policy_lock);
}

static DECLARE_DELAYED_WORK(kvmx_hook_off, kvmx_hook_off_work);

/* A policy that needs the hook: install it if it is not. */
static int kvmx_hook_get(void)
{
	int ret;

	lockdep_assert_held(&kvmx_policy_lock);
	if (!kvmx_hooks_on) {
		ret = kvmx_arch_policy_hooks(true);
		if (ret)
			return ret;
		kvmx_hooks_on = true;
	}
	kvmx_hook_users++;
	return 0;
}

static void kvmx_hook_put(void)
{
	lockdep_assert_held(&kvmx_policy_lock);
	if (!--kvmx_hook_users)
		mod_delayed_work(system_wq, &kvmx_hook_off, KVMX_HOOK_LINGER);
}

/* Module unload: no policy is left; remove the hook now if it lingers. */
void kvmx_policy_unload(void)
{
	cancel_delayed_work_sync(&kvmx_hook_off);
	if (kvmx_hooks_on)
		kvmx_arch_policy_hooks(false);
	kvmx_hooks_on = false;
}

/* -- the vCPU side: called from probes and hooks, in RCU read sections ---- */

static bool kvmx_in_ranges(const struct kvmx_policy *p, bool pio, u64 addr)
{
	u32 i;

	if (!p->nr_ranges)
		return true;
	for (i = 0; i < p->nr_ranges; i++) {
		const struct kvmx_policy_range *r = &p->ranges[i];

		if (!!(r->flags & KVMX_RANGE_PIO) == pio &&
		    addr >= r->addr && addr - r->addr < r->size)
			return true;
	}
	return false;
}

/**
 * kvmx_policy_unclaimed() - the action for an access no device claimed
 * @vcpu:	the vCPU that made it
 * @pio:	a port access (x86), else MMIO
 * @addr:	its guest-physical address or port
 *
 * Counts what it returns. Caller is in an RCU read-side section.
 *
 * Return: KVMX_POLICY_FORWARD, _DISCARD or _INJECT.
 */
u32 kvmx_policy_unclaimed(struct kvm_vcpu *vcpu, bool pio, u64 addr)
{
	struct kvmx_vm *vm = kvmx_vm_find(vcpu->kvm);
	struct kvmx_vm_policy *pol = vm ? kvmx_rcu_dereference(vm->policy) : NULL;
	u32 act;

	if (!pol)
		return KVMX_POLICY_FORWARD;
	/* the program answered this exit with INJECT (arm64 only sets it) */
	if (!pio && test_bit(vcpu->vcpu_idx, pol->inject)) {
		atomic64_inc(&pol->mmio_injected);
		return KVMX_POLICY_INJECT;
	}
	act = pio ? pol->p.pio : pol->p.mmio;
	if (act == KVMX_POLICY_FORWARD || !kvmx_in_ranges(&pol->p, pio, addr))
		return KVMX_POLICY_FORWARD;
	if (pio)
		atomic64_inc(&pol->pio_discarded);
	else
		atomic64_inc(act == KVMX_POLICY_DISCARD ? &pol->mmio_discarded :
			     &pol->mmio_injected);
	return act;
}

/* The action for a fault KVM cannot complete as MMIO; counts INJECT. */
u32 kvmx_policy_unbacked(struct kvm_vcpu *vcpu)
{
	struct kvmx_vm *vm = kvmx_vm_find(vcpu->kvm);
	struct kvmx_vm_policy *pol = vm ? kvmx_rcu_dereference(vm->policy) : NULL;

	if (!pol || pol->p.unbacked != KVMX_POLICY_INJECT)
		return KVMX_POLICY_FORWARD;
	atomic64_inc(&pol->unbacked_injected);
	return KVMX_POLICY_INJECT;
}

static void kvmx_policy_notify(struct kvmx_vm_policy *pol, unsigned int class)
{
	kvmx_eventfd_signal(pol->efd[class]);
	atomic64_inc(&pol->notified[class]);
}

/* A program's class: what its exit() decides, as kvmx_policy_exit() returns. */
static u32 kvmx_policy_decide(struct kvmx_vm_policy *pol, struct kvm_vcpu *vcpu,
			      const struct kvmx_exit *e, u64 count)
{
	struct kvmx_exit_ctx ctx = {
		.gpa = e->gpa, .info = { e->info[0], e->info[1], e->info[2] },
		.count = count, .vcpu = vcpu->vcpu_idx, .class = e->class,
		.flags = e->flags, .raw = e->raw,
	};

	atomic64_inc(&pol->prog_calls);
	switch (kvmx_prog_exit(&pol->prog, &ctx)) {
	case KVMX_EXIT_COUNT:
		return 0;
	case KVMX_EXIT_SAMPLE:
		return 1;	/* 1 in 1: this one */
	case KVMX_EXIT_NOTIFY:
		if (pol->efd[e->class])
			kvmx_policy_notify(pol, e->class);
		return 0;
	case KVMX_EXIT_INJECT:
		/* where the fixed policy may inject; done if the access is unclaimed */
		if (!kvmx_arch_can_inject())
			break;
		set_bit(vcpu->vcpu_idx, pol->inject);
		return 0;
	}
	atomic64_inc(&pol->prog_refused);
	return 0;
}

/**
 * kvmx_policy_exit() - the policy's part in an exit
 * @vm:		the VM
 * @vcpu:	the vCPU, whose thread this is
 * @e:		the exit, classified
 * @count:	the vCPU's count of @e's class, this exit included
 *
 * Signals a NOTIFY class's eventfd at every n-th exit, or asks the
 * program of a class it decides. Caller is the exit probe (a tracepoint:
 * an RCU read-side section).
 *
 * Return: the 1-in-n to sample this exit's class with, 0 for none.
 */
u32 kvmx_policy_exit(struct kvmx_vm *vm, struct kvm_vcpu *vcpu, const struct kvmx_exit *e,
		     u64 count)
{
	struct kvmx_vm_policy *pol = kvmx_rcu_dereference(vm->policy);
	unsigned int class = e->class;
	const struct kvmx_class_policy *c;

	if (likely(!pol))
		return 0;
	if (pol->prog_classes) {
		/* an INJECT is for the exit it answered only */
		if (unlikely(test_bit(vcpu->vcpu_idx, pol->inject)))
			clear_bit(vcpu->vcpu_idx, pol->inject);
		if (pol->prog_classes & BIT(class))
			return kvmx_policy_decide(pol, vcpu, e, count);
	}
	c = &pol->p.classes[class];
	if (c->action == KVMX_CLASS_NOTIFY &&
	    !(atomic64_inc_return(&pol->seen[class]) % c->n))
		kvmx_policy_notify(pol, class);
	return pol->sample[class];
}

/* -- setting ---------------------------------------------------------------- */

static bool kvmx_policy_is_default(const struct kvmx_policy *p)
{
	static const struct kvmx_class_policy none;
	u32 i;

	if (p->flags || p->mmio || p->pio || p->unbacked)
		return false;
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (memcmp(&p->classes[i], &none, sizeof(none)))
			return false;
	return true;
}

/* The arch hooks: for the unclaimed and unbacked actions, and a program's INJECT. */
static bool kvmx_policy_needs_hook(const struct kvmx_policy *p)
{
	if ((p->flags & KVMX_POLICY_PROGRAM) && kvmx_arch_can_inject())
		return true;
	return p->mmio || p->pio || p->unbacked;
}

static int kvmx_policy_range_check(const struct kvmx_policy_range *r)
{
	/* the only flag is KVMX_RANGE_PIO */
	if (r->flags & ~KVMX_RANGE_PIO)
		return -EINVAL;
	/* reserved for later */
	if (r->reserved)
		return -EINVAL;
	/* a range has a byte at least */
	if (!r->size)
		return -EINVAL;
	/* and does not wrap */
	if (r->addr + r->size < r->addr)
		return -EINVAL;
	/* ports only where there are any, and only that many */
	if ((r->flags & KVMX_RANGE_PIO) && r->addr + r->size > KVMX_ARCH_NR_PORTS)
		return -EINVAL;
	return 0;
}

static int kvmx_policy_check_ranges(const struct kvmx_policy *p)
{
	const struct kvmx_policy_range *a, *b;
	u32 i, j;
	int ret;

	/* the array has room for so many */
	if (p->nr_ranges > KVMX_POLICY_MAX_RANGES)
		return -E2BIG;
	for (i = 0; i < p->nr_ranges; i++) {
		ret = kvmx_policy_range_check(&p->ranges[i]);
		if (ret)
			return ret;
	}
	/* the unused entries are zero */
	for (i = p->nr_ranges; i < KVMX_POLICY_MAX_RANGES; i++)
		if (memchr_inv(&p->ranges[i], 0, sizeof(p->ranges[i])))
			return -EINVAL;
	/* no two ranges of one bus overlap */
	for (i = 0; i < p->nr_ranges; i++) {
		for (j = 0; j < i; j++) {
			a = &p->ranges[i];
			b = &p->ranges[j];
			if (a->flags != b->flags)
				continue;
			if (a->addr < b->addr + b->size && b->addr < a->addr + a->size)
				return -EEXIST;
		}
	}
	return 0;
}

/* One class's policy: @i is its class. */
static int kvmx_class_policy_check(const struct kvmx_class_policy *c, u32 i)
{
	/* reserved for later */
	if (c->reserved)
		return -EINVAL;
	/* an action kvmx has */
	if (c->action > KVMX_CLASS_NOTIFY)
		return -EINVAL;
	/* classes the module does not have take no action */
	if (i >= KVMX_EXIT_NR_CLASSES && c->action != KVMX_CLASS_COUNT)
		return -EINVAL;
	switch (c->action) {
	case KVMX_CLASS_COUNT:
		/* counting takes neither an N nor an eventfd */
		if (c->n || c->eventfd)
			return -EINVAL;
		break;
	case KVMX_CLASS_SAMPLE:
		/* 1 in N, N at least 1; no eventfd */
		if (!c->n || c->eventfd)
			return -EINVAL;
		break;
	case KVMX_CLASS_NOTIFY:
		/* every N-th, N at least 1; an eventfd (checked when taken) */
		if (!c->n || c->eventfd < 0)
			return -EINVAL;
		break;
	}
	return 0;
}

/* Everything but the eventfds, before any lock or allocation. */
static int kvmx_policy_check(const struct kvmx_policy *p)
{
	u32 i;
	int ret;

	/* flags kvmx has */
	if (p->flags & ~KVMX_POLICY_PROGRAM)
		return -EINVAL;
	/* programs where the kernel runs them */
	if ((p->flags & KVMX_POLICY_PROGRAM) && !kvmx_bpf_available())
		return -EOPNOTSUPP;
	/* a link with the flag only */
	if (!(p->flags & KVMX_POLICY_PROGRAM) && p->link_fd)
		return -EINVAL;
	/* a program's link is in the structure the caller passed (1.8), not 1.4's zeroes */
	if ((p->flags & KVMX_POLICY_PROGRAM) &&
	    p->argsz < offsetofend(struct kvmx_policy, link_fd))
		return -EINVAL;
	if ((p->flags & KVMX_POLICY_PROGRAM) && p->link_fd < 0)
		return -EBADF;
	/* reserved for later; the program's fields are the kernel's to write */
	if (p->reserved || p->prog_link_id || p->prog_classes)
		return -EINVAL;
	if (p->prog_calls || p->prog_refused)
		return -EINVAL;
	/* an action unclaimed MMIO can have */
	if (p->mmio > KVMX_POLICY_INJECT)
		return -EINVAL;
	/* x86 has no bus error to inject */
	if (p->mmio == KVMX_POLICY_INJECT && !kvmx_arch_can_inject())
		return -EINVAL;
	/* port I/O is forwarded or discarded */
	if (p->pio > KVMX_POLICY_DISCARD)
		return -EINVAL;
	/* arm64 has no ports */
	if (p->pio != KVMX_POLICY_FORWARD && !kvmx_arch_has_pio())
		return -EINVAL;
	/* unbacked faults are forwarded or, where it can be, injected */
	if (p->unbacked != KVMX_POLICY_FORWARD && p->unbacked != KVMX_POLICY_INJECT)
		return -EINVAL;
	if (p->unbacked == KVMX_POLICY_INJECT && !kvmx_arch_can_inject())
		return -EINVAL;
	/* the counters are the kernel's to write */
	if (p->mmio_discarded || p->mmio_injected || p->pio_discarded ||
	    p->unbacked_injected)
		return -EINVAL;
	if (memchr_inv(p->notified, 0, sizeof(p->notified)))
		return -EINVAL;
	for (i = 0; i < KVMX_EXIT_CLASSES_MAX; i++) {
		ret = kvmx_class_policy_check(&p->classes[i], i);
		if (ret)
			return ret;
	}
	return kvmx_policy_check_ranges(p);
}

static void kvmx_policy_free(struct kvmx_vm_policy *pol)
{
	unsigned int i;

	if (!pol)
		return;
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (pol->efd[i])
			eventfd_ctx_put(pol->efd[i]);
	kvmx_prog_unuse(&pol->prog);
	kfree(pol);
	kvmx_count_dec(KVMX_OBJ_POLICIES, 1);
}

static struct kvmx_vm_policy *kvmx_policy_alloc(const struct kvmx_policy *p,
						struct kvmx_session *owner)
{
	const size_t known = offsetof(struct kvmx_policy, link_fd);
	struct kvmx_vm_policy *pol;
	unsigned int i;
	int ret;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return ERR_PTR(-ENOMEM);
	kvmx_count_inc(KVMX_OBJ_POLICIES, 1);
	/* what GET returns as set: up to the counters, and the flag */
	memcpy(&pol->p, p, known);
	pol->owner = owner;
	if (p->flags & KVMX_POLICY_PROGRAM) {
		ret = kvmx_prog_use(owner->vm, p->link_fd, true, &pol->prog);
		if (ret)
			goto err;
		pol->prog_classes = kvmx_prog_classes(&pol->prog);
	}
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		const struct kvmx_class_policy *c = &p->classes[i];

		if (c->action == KVMX_CLASS_SAMPLE)
			pol->sample[i] = c->n;
		if (c->action != KVMX_CLASS_NOTIFY)
			continue;
		pol->efd[i] = eventfd_ctx_fdget(c->eventfd);
		if (IS_ERR(pol->efd[i])) {
			ret = PTR_ERR(pol->efd[i]);
			pol->efd[i] = NULL;
			goto err;
		}
	}
	return pol;
err:
	kvmx_policy_free(pol);
	return ERR_PTR(ret);
}

/* The counters of @pol into @p. */
static void kvmx_policy_counters(const struct kvmx_vm_policy *pol, struct kvmx_policy *p)
{
	unsigned int i;

	p->mmio_discarded = atomic64_read(&pol->mmio_discarded);
	p->mmio_injected = atomic64_read(&pol->mmio_injected);
	p->pio_discarded = atomic64_read(&pol->pio_discarded);
	p->unbacked_injected = atomic64_read(&pol->unbacked_injected);
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		p->notified[i] = atomic64_read(&pol->notified[i]);
	p->prog_calls = atomic64_read(&pol->prog_calls);
	p->prog_refused = atomic64_read(&pol->prog_refused);
}

/*
 * Publish @new (NULL: the default) as @vm's policy and retire the old one,
 * its final counters into @out if non-NULL. Caller holds kvmx_policy_lock.
 */
static int kvmx_policy_replace(struct kvmx_vm *vm, struct kvmx_vm_policy *new,
			       struct kvmx_policy *out)
{
	struct kvmx_vm_policy *old;
	int ret;

	lockdep_assert_held(&kvmx_policy_lock);
	if (new && kvmx_policy_needs_hook(&new->p)) {
		ret = kvmx_hook_get();
		if (ret)
			return ret;
		new->hooked = true;
	}
	old = rcu_dereference_protected(vm->policy, lockdep_is_held(&kvmx_policy_lock));
	rcu_assign_pointer(vm->policy, new);
	if (!old)
		return 0;
	/* no probe or hook still counts into the old one */
	synchronize_rcu();
	if (out)
		kvmx_policy_counters(old, out);
	if (old->hooked)
		kvmx_hook_put();
	kvmx_policy_free(old);
	return 0;
}

/* SET's output: the replaced policy's counters of API 1.4, which every caller has */
#define KVMX_POLICY_COUNTERS_SIZE \
	(offsetof(struct kvmx_policy, link_fd) - offsetof(struct kvmx_policy, mmio_discarded))

long kvmx_set_policy(struct kvmx_session *s, struct kvmx_policy __user *uarg)
{
	struct kvmx_vm_policy *pol = NULL;
	struct kvmx_policy *p, out = {};
	int ret;

	/* on the heap: two of them are more than a KASAN kernel's frame limit */
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = kvmx_copy_in(p, sizeof(*p), offsetof(struct kvmx_policy, link_fd), uarg);
	if (ret)
		goto out_free;
	ret = kvmx_policy_check(p);
	if (ret)
		goto out_free;
	if (!kvmx_policy_is_default(p)) {
		pol = kvmx_policy_alloc(p, s);
		if (IS_ERR(pol)) {
			ret = PTR_ERR(pol);
			pol = NULL;
			goto out_free;
		}
	}

	/*
	 * The output is the replaced policy's final counters, known only once
	 * it is retired. Write zeroes there first: a caller whose buffer is
	 * not writable gets -EFAULT with nothing changed; the final copy
	 * below is then best effort (it fails only if the caller unmapped the
	 * buffer meanwhile) and the call succeeds, as its effect is done.
	 */
	ret = -EFAULT;
	if (copy_to_user(&uarg->mmio_discarded, &out.mmio_discarded,
			 KVMX_POLICY_COUNTERS_SIZE))
		goto err_free_pol;

	/* kvmx_policy_lock: vm->policy and the hooks' use count */
	mutex_lock(&kvmx_policy_lock);
	ret = kvmx_policy_replace(s->vm, pol, &out);
	mutex_unlock(&kvmx_policy_lock);
	if (ret)
		goto err_free_pol;
	if (copy_to_user(&uarg->mmio_discarded, &out.mmio_discarded,
			 KVMX_POLICY_COUNTERS_SIZE))
		pr_debug("SET_POLICY: the caller's buffer went away before its counters\n");
	goto out_free;

err_free_pol:
	kvmx_policy_free(pol);
out_free:
	kfree(p);
	return ret;
}

long kvmx_get_policy(struct kvmx_session *s, struct kvmx_policy __user *uarg)
{
	struct kvmx_vm_policy *pol;
	struct kvmx_policy p = {};
	u32 flags, i;

	if (get_user(flags, &uarg->flags))
		return -EFAULT;
	if (flags)
		return -EINVAL;

	/* kvmx_policy_lock: the policy stays while we read it */
	mutex_lock(&kvmx_policy_lock);
	pol = rcu_dereference_protected(s->vm->policy, lockdep_is_held(&kvmx_policy_lock));
	p.link_fd = -1;
	if (pol) {
		memcpy(&p, &pol->p, offsetof(struct kvmx_policy, link_fd));
		kvmx_policy_counters(pol, &p);
		if (pol->prog.prog) {
			p.prog_link_id = kvmx_prog_link_id(&pol->prog);
			p.prog_classes = pol->prog_classes;
		}
		if (pol->owner == s)
			p.flags |= KVMX_POLICY_MINE;
		else
			for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
				if (p.classes[i].action == KVMX_CLASS_NOTIFY)
					p.classes[i].eventfd = -1;
	}
	mutex_unlock(&kvmx_policy_lock);
	return kvmx_copy_out(uarg, &p, sizeof(p), offsetof(struct kvmx_policy, link_fd));
}

/* Session release: a policy it set goes back to the default. */
void kvmx_policy_release(struct kvmx_session *s)
{
	struct kvmx_vm_policy *pol;

	/* kvmx_policy_lock: vm->policy and the hooks' use count */
	mutex_lock(&kvmx_policy_lock);
	pol = rcu_dereference_protected(s->vm->policy, lockdep_is_held(&kvmx_policy_lock));
	if (pol && pol->owner == s)
		kvmx_policy_replace(s->vm, NULL, NULL);
	mutex_unlock(&kvmx_policy_lock);
}
