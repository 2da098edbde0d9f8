// SPDX-License-Identifier: GPL-2.0
/*
 * Exit observation: counts, latency histograms and sampled records of every
 * exit of an attached VM, fed by the arch probes (x86.c, arm64.c).
 *
 * Hot path contract: kvmx_observe_exit() and kvmx_observe_entry() run in
 * KVM's tracepoints on the thread running the vCPU, preemption disabled
 * (IRQs too at some arm64 and 6.12 x86 call sites). They take no lock but a
 * ring's spinlock and never sleep.
 *
 * Counters of the vCPUs that exist at attach are allocated then. KVM has
 * no hook at vCPU creation where kvmx could sleep, so a vCPU created later
 * gets its counters at its first exit: one GFP_ATOMIC attempt and, if that
 * fails, a work item that allocates with GFP_KERNEL_ACCOUNT; the attempt is
 * not repeated on every exit. Exits before the counters exist are counted
 * in vm->lost.
 *
 * Latency uses kvmx_clock(): the raw TSC, scaled to ns once per exit
 * (x86), or sched_clock() (arm64), as ftrace's local clock and perf kvm do:
 * ktime_get_ns() read HPET twice per exit in the test VMs, and
 * local_clock() is clamped to a tick window where the TSC is unstable, so
 * it returned equal values for an exit and its entry. On a host whose TSCs
 * are not synchronized, a vCPU thread that migrated may see a negative
 * interval: it counts as 0.
 * Ring records, which are sampled, carry ktime_get_ns().
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include "kvmx.h"

/*
 * kvmx_exit_class() of every raw slot of each arch, for the probes: one
 * load instead of a second decode of the raw reason per exit. Filled at
 * module load, read-only after.
 */
u8 kvmx_slot_class[KVMX_ARCH_ARM64 + 1][KVMX_RAW_SLOTS] __ro_after_init;

void __init kvmx_slot_class_init(void)
{
	unsigned int slot;
	u32 arch, raw;

	for (arch = KVMX_ARCH_X86_VMX; arch <= KVMX_ARCH_ARM64; arch++)
		for (slot = 0; slot < KVMX_RAW_SLOTS; slot++)
			kvmx_slot_class[arch][slot] = kvmx_slot_raw(arch, slot, &raw) ?
				kvmx_exit_class(arch, raw) : KVMX_EXIT_OTHER;
}

static struct kvmx_vcpu_stats *kvmx_vcpu_stats_alloc(gfp_t gfp)
{
	struct kvmx_vcpu_stats *vs = kvzalloc(sizeof(*vs), gfp);

	if (vs) {
		vs->pending = KVMX_NO_PENDING;
		seqcount_init(&vs->hot_seq);
		kvmx_count_inc(KVMX_OBJ_VCPU_STATS, 1);
	}
	return vs;
}

static void kvmx_vcpu_stats_free(struct kvmx_vcpu_stats *vs)
{
	kvfree(vs);
	kvmx_count_dec(KVMX_OBJ_VCPU_STATS, 1);
}

/*
 * Publish @vs as vCPU @idx's counters unless it has some (then free it);
 * the missing bit is cleared either way. True if @vs was published.
 */
static bool kvmx_vcpu_stats_publish(struct kvmx_vm *vm, unsigned int idx,
				    struct kvmx_vcpu_stats *vs)
{
	bool ok;

	vs->gen = READ_ONCE(vm->gen);
	/* the block's set-up before the pointer: pairs with the readers' acquire */
	ok = !cmpxchg_release(&vm->vcpus[idx], NULL, vs);
	if (!ok)
		kvmx_vcpu_stats_free(vs);
	clear_bit(idx, vm->stats_missing);
	return ok;
}

/* The counters the exit probe could not allocate, in process context. */
static void kvmx_vcpu_stats_work(struct work_struct *work)
{
	struct kvmx_vm *vm = container_of(work, struct kvmx_vm, stats_work);
	struct kvmx_vcpu_stats *vs;
	unsigned int idx;

	for_each_set_bit(idx, vm->stats_missing, KVM_MAX_VCPUS) {
		vs = kvmx_vcpu_stats_alloc(GFP_KERNEL_ACCOUNT);
		if (vs)
			kvmx_vcpu_stats_publish(vm, idx, vs);
	}
}

/*
 * The counters of @vcpu, allocated on first use, with a pending reset
 * applied. Called by the vCPU's own thread, or by a thread holding the
 * vCPU's mutex while the vCPU is outside KVM_RUN: the single writer.
 */
struct kvmx_vcpu_stats *kvmx_vcpu_stats(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvmx_vcpu_stats *vs = READ_ONCE(vm->vcpus[vcpu->vcpu_idx]);
	u32 gen = READ_ONCE(vm->gen);

	if (unlikely(!vs)) {
		/* one attempt here; the worker (stats_missing) does the rest */
		if (test_and_set_bit(vcpu->vcpu_idx, vm->stats_missing))
			return NULL;
		vs = kvmx_vcpu_stats_alloc(GFP_ATOMIC | __GFP_NOWARN);
		if (!vs || !kvmx_vcpu_stats_publish(vm, vcpu->vcpu_idx, vs)) {
			queue_work(system_unbound_wq, &vm->stats_work);
			return NULL;
		}
	}
	if (unlikely(vs->gen != gen)) {
		/* KVMX_RESET_STATS happened: zero, then publish the generation */
		memset(vs->cls, 0, sizeof(vs->cls));
		memset(vs->raw, 0, sizeof(vs->raw));
		vs->pending = KVMX_NO_PENDING;
		kvmx_fault_reset(vs);
		/* zeroes before gen; pairs with the acquire in kvmx_vcpu_snapshot() */
		smp_store_release(&vs->gen, gen);
	}
	return vs;
}

/*
 * Push @rec to each ring of @vm that samples its class and whose 1-in-N
 * falls on @count (the vCPU's count of that class): the ring's own N, or
 * else @policy_n, the VM policy's SAMPLE. Exit records are completed on
 * first use (@vcpu non-NULL): the guest PC costs a VMREAD on VMX, so it is
 * read only for a record.
 */
static void kvmx_sample(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
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

void kvmx_observe_exit(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		       struct kvmx_exit *e)
{
	struct kvmx_vcpu_stats *vs = kvmx_vcpu_stats(vm, vcpu);
	struct kvmx_class_stat *c;
	unsigned int slot;
	u32 policy_n;
	u64 now;

	if (unlikely(!vs)) {
		atomic64_inc(&vm->lost);
		return;
	}
	now = kvmx_clock();
	vs->last_raw = e->raw;
	if (e->class == KVMX_EXIT_STAGE2) {
		/* for the fault probe's record */
		memcpy(vs->exit_info, e->info, sizeof(vs->exit_info));
		/* a nested guest's GPA is not one of this VM's memslots' */
		if ((e->flags & KVMX_REC_GPA_VALID) && !kvmx_arch_vcpu_nested(vcpu) &&
		    !kvmx_gpa_slot(vcpu->kvm, e->gpa, NULL))
			e->class = KVMX_EXIT_MMIO;
	}

	c = &vs->cls[e->class];
	WRITE_ONCE(c->count, c->count + 1);
	slot = e->slot;
	WRITE_ONCE(vs->raw[slot], vs->raw[slot] + 1);
	vs->pending = e->class;
	vs->exit_clock = now;
	/* the default policy (none) costs no call */
	policy_n = rcu_access_pointer(vm->policy) ? kvmx_policy_exit(vm, e->class) : 0;

	if (atomic_read(&vm->nr_rings)) {
		struct kvmx_exit_record rec = {
			.gpa = e->gpa,
			.info = { e->info[0], e->info[1], e->info[2] },
			.vcpu = vcpu->vcpu_idx,
			.class = e->class,
			.flags = e->flags,
			.raw = e->raw,
		};

		kvmx_sample(vm, vcpu, &rec, c->count, policy_n);
	}
}

static unsigned int kvmx_lat_bucket(u64 ns)
{
	return ns < 2 ? 0 : min_t(unsigned int, fls64(ns) - 1, KVMX_LAT_BUCKETS - 1);
}

void kvmx_observe_entry(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvmx_vcpu_stats *vs = READ_ONCE(vm->vcpus[vcpu->vcpu_idx]);
	struct kvmx_class_stat *c;
	unsigned int bucket;
	u64 lat;

	if (!vs || vs->gen != READ_ONCE(vm->gen))
		return;
	/* the stage-2 fault of the exit this entry ends, if any */
	if (vs->pf.valid)
		kvmx_fault_resolve(vm, vcpu, vs);
	/* An entry with no exit before it (first run, 6.1 SVM fastpath). */
	if (vs->pending == KVMX_NO_PENDING)
		return;

	lat = kvmx_clock() - vs->exit_clock;
	/* another CPU's clock (a migrated vCPU thread, unsynchronized TSCs) */
	if ((s64)lat < 0)
		lat = 0;
	lat = kvmx_clock_ns(lat);
	c = &vs->cls[vs->pending];
	bucket = kvmx_lat_bucket(lat);
	vs->pending = KVMX_NO_PENDING;
	if (!c->lat_count || lat < c->lat_min)
		WRITE_ONCE(c->lat_min, lat);
	if (lat > c->lat_max)
		WRITE_ONCE(c->lat_max, lat);
	WRITE_ONCE(c->lat_sum, c->lat_sum + lat);
	WRITE_ONCE(c->hist[bucket], c->hist[bucket] + 1);
	WRITE_ONCE(c->lat_count, c->lat_count + 1);
}

/* Counters for the vCPUs that exist at attach; later ones allocate lazily. */
int kvmx_vm_observe_init(struct kvmx_vm *vm)
{
	struct kvm_vcpu *vcpu;
	unsigned long i;

	atomic64_set(&vm->lost, 0);
	vm->stats_since_ns = ktime_get_boottime_ns();
	INIT_WORK(&vm->stats_work, kvmx_vcpu_stats_work);
	vm->arch = kvmx_arch_id();
	kvm_for_each_vcpu(i, vcpu, vm->kvm) {
		vm->vcpus[vcpu->vcpu_idx] = kvmx_vcpu_stats_alloc(GFP_KERNEL_ACCOUNT);
		if (!vm->vcpus[vcpu->vcpu_idx])
			return -ENOMEM;
	}
	return 0;
}

/* Caller made sure no probe can still see @vm. */
void kvmx_vm_observe_free(struct kvmx_vm *vm)
{
	unsigned int i;

	/* queued by a probe, which no longer runs: not after this */
	cancel_work_sync(&vm->stats_work);
	for (i = 0; i < KVM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			kvmx_vcpu_stats_free(vm->vcpus[i]);
}

void kvmx_reset_stats(struct kvmx_vm *vm)
{
	/* the vCPUs zero their own counters when they see the new gen */
	WRITE_ONCE(vm->gen, vm->gen + 1);
	atomic64_set(&vm->lost, 0);
	WRITE_ONCE(vm->stats_since_ns, ktime_get_boottime_ns());
}

/*
 * For readers: vCPU @idx's counters if they exist and belong to the VM's
 * current stats generation (a reset the vCPU has not applied yet makes
 * them stale), else NULL.
 */
const struct kvmx_vcpu_stats *kvmx_vcpu_stats_current(struct kvmx_vm *vm,
						      unsigned int idx)
{
	/* pairs with the release publishing it in kvmx_vcpu_stats() */
	struct kvmx_vcpu_stats *vs = smp_load_acquire(&vm->vcpus[idx]);

	/* pairs with the release after a reset's zeroing */
	if (!vs || smp_load_acquire(&vs->gen) != READ_ONCE(vm->gen))
		return NULL;
	return vs;
}

/* A consistent-enough copy of @vs: each field read once, none torn. */
static bool kvmx_vcpu_snapshot(struct kvmx_vm *vm, unsigned int idx,
			       struct kvmx_vcpu_stats *out)
{
	const struct kvmx_vcpu_stats *vs = kvmx_vcpu_stats_current(vm, idx);
	unsigned int i, j;

	if (!vs)
		return false;
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		const struct kvmx_class_stat *c = &vs->cls[i];
		struct kvmx_class_stat *o = &out->cls[i];

		o->count = READ_ONCE(c->count);
		o->lat_count = READ_ONCE(c->lat_count);
		o->lat_sum = READ_ONCE(c->lat_sum);
		o->lat_min = READ_ONCE(c->lat_min);
		o->lat_max = READ_ONCE(c->lat_max);
		for (j = 0; j < KVMX_LAT_BUCKETS; j++)
			o->hist[j] = READ_ONCE(c->hist[j]);
	}
	for (i = 0; i < KVMX_RAW_SLOTS; i++)
		out->raw[i] = READ_ONCE(vs->raw[i]);
	return true;
}

static void kvmx_stats_add(struct kvmx_vcpu_stats *sum,
			   const struct kvmx_vcpu_stats *vs)
{
	unsigned int i, j;

	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		struct kvmx_class_stat *s = &sum->cls[i];
		const struct kvmx_class_stat *c = &vs->cls[i];

		if (!c->lat_count) {
			s->count += c->count;
			continue;
		}
		if (!s->lat_count || c->lat_min < s->lat_min)
			s->lat_min = c->lat_min;
		s->lat_max = max(s->lat_max, c->lat_max);
		s->count += c->count;
		s->lat_count += c->lat_count;
		s->lat_sum += c->lat_sum;
		for (j = 0; j < KVMX_LAT_BUCKETS; j++)
			s->hist[j] += c->hist[j];
	}
	for (i = 0; i < KVMX_RAW_SLOTS; i++)
		sum->raw[i] += vs->raw[i];
}

/* The non-zero entries of one vCPU (or of the VM for KVMX_STAT_VM). */
static int kvmx_emit_vcpu(struct kvmx_table_writer *w, u32 arch, u32 vcpu,
			  const struct kvmx_vcpu_stats *vs)
{
	struct kvmx_stat_entry e;
	unsigned int i;
	u32 raw;
	int ret;

	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		const struct kvmx_class_stat *c = &vs->cls[i];

		if (!c->count)
			continue;
		e = (struct kvmx_stat_entry) {
			.vcpu = vcpu, .kind = KVMX_STAT_CLASS, .class = i,
			.count = c->count, .lat_count = c->lat_count,
			.lat_sum_ns = c->lat_sum, .lat_min_ns = c->lat_min,
			.lat_max_ns = c->lat_max,
		};
		memcpy(e.lat_hist, c->hist, sizeof(e.lat_hist));
		ret = kvmx_table_emit(w, &e);
		if (ret)
			return ret;
	}
	for (i = 0; i < KVMX_RAW_SLOTS; i++) {
		if (!vs->raw[i])
			continue;
		if (!kvmx_slot_raw(arch, i, &raw))
			raw = U32_MAX;		/* reasons kvmx does not know */
		e = (struct kvmx_stat_entry) {
			.vcpu = vcpu, .kind = KVMX_STAT_RAW, .raw = raw,
			.class = kvmx_exit_class(arch, raw), .count = vs->raw[i],
		};
		ret = kvmx_table_emit(w, &e);
		if (ret)
			return ret;
	}
	return 0;
}

long kvmx_get_stats(struct kvmx_vm *vm, struct kvmx_stats __user *uarg)
{
	struct kvmx_table_writer w = { .dst = uarg->entries,
				       .entry_size = sizeof(struct kvmx_stat_entry) };
	struct kvmx_vcpu_stats *snap, *sum;
	struct kvmx_stats hdr;
	unsigned int i;
	u32 argsz;
	int ret;

	if (get_user(argsz, &uarg->argsz) || get_user(hdr.flags, &uarg->flags))
		return -EFAULT;
	if (argsz < sizeof(hdr) || hdr.flags)
		return -EINVAL;
	w.room = (argsz - sizeof(hdr)) / sizeof(struct kvmx_stat_entry);

	snap = kvmalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);
	sum = kvzalloc(sizeof(*sum), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!snap || !sum)
		goto out;

	for (i = 0; i < KVM_MAX_VCPUS; i++)
		if (kvmx_vcpu_snapshot(vm, i, snap))
			kvmx_stats_add(sum, snap);
	ret = kvmx_emit_vcpu(&w, vm->arch, KVMX_STAT_VM, sum);
	for (i = 0; !ret && i < KVM_MAX_VCPUS; i++)
		if (kvmx_vcpu_snapshot(vm, i, snap))
			ret = kvmx_emit_vcpu(&w, vm->arch, i, snap);
	if (ret)
		goto out;

	hdr = (struct kvmx_stats) {
		.argsz = sizeof(hdr) + w.total * sizeof(struct kvmx_stat_entry),
		.flags = w.written < w.total ? KVMX_STATS_TRUNCATED : 0,
		.arch = vm->arch,
		.entry_size = sizeof(struct kvmx_stat_entry),
		.nr_entries = w.written,
		.nr_total = w.total,
		.nr_classes = KVMX_EXIT_NR_CLASSES,
		.lat_buckets = KVMX_LAT_BUCKETS,
		.lost = atomic64_read(&vm->lost),
		.since_ns = READ_ONCE(vm->stats_since_ns),
	};
	ret = copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : 0;
out:
	kvfree(snap);
	kvfree(sum);
	return ret;
}
