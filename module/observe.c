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
 * The counters are observe.c's part of each vCPU's state (struct
 * kvmx_vcpu_exits), which vcpu.c allocates and finds; the arch probes hand
 * it over (kvmx_vcpu_exit(), kvmx_vcpu_entry()).
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

/* The writer's view of @x: a reset (a new stats generation) applied. */
static void kvmx_exits_current(struct kvmx_vm *vm, struct kvmx_vcpu_exits *x)
{
	u32 gen = READ_ONCE(vm->gen);

	if (likely(x->gen == gen))
		return;
	memset(x->cls, 0, sizeof(x->cls));
	memset(x->raw, 0, sizeof(x->raw));
	x->pending = KVMX_NO_PENDING;
	/* zeroes before gen; pairs with the acquire in kvmx_exits_snapshot() */
	smp_store_release(&x->gen, gen);
}

/**
 * kvmx_observe_exit() - count an exit
 * @vm:		the attached VM
 * @vcpu:	the vCPU, whose thread this is
 * @x:		its counters
 * @e:		the exit; a stage-2 exit on a GPA no memslot backs becomes MMIO
 */
void kvmx_observe_exit(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		       struct kvmx_vcpu_exits *x, struct kvmx_exit *e)
{
	struct kvmx_class_stat *c;
	unsigned int slot;
	u32 policy_n;
	u64 now;

	now = kvmx_clock();
	kvmx_exits_current(vm, x);
	/* a nested guest's GPA is not one of this VM's memslots' */
	if (e->class == KVMX_EXIT_STAGE2 && (e->flags & KVMX_REC_GPA_VALID) &&
	    !kvmx_arch_vcpu_nested(vcpu) && !kvmx_gpa_slot(vcpu->kvm, e->gpa, NULL))
		e->class = KVMX_EXIT_MMIO;

	c = &x->cls[e->class];
	WRITE_ONCE(c->count, c->count + 1);
	slot = e->slot;
	WRITE_ONCE(x->raw[slot], x->raw[slot] + 1);
	x->pending = e->class;
	x->exit_clock = now;
	/* the default policy (none) costs no call */
	policy_n = rcu_access_pointer(vm->policy) ? kvmx_policy_exit(vm, vcpu, e, c->count) : 0;

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

/* An entry into the guest: the latency of the exit it ends. */
void kvmx_observe_entry(struct kvmx_vm *vm, struct kvmx_vcpu_exits *x)
{
	struct kvmx_class_stat *c;
	unsigned int bucket;
	u64 lat;

	/* a reset since that exit: it is not counted */
	if (x->gen != READ_ONCE(vm->gen))
		return;
	/* An entry with no exit before it (first run, 6.1 SVM fastpath). */
	if (x->pending == KVMX_NO_PENDING)
		return;

	lat = kvmx_clock() - x->exit_clock;
	/* another CPU's clock (a migrated vCPU thread, unsynchronized TSCs) */
	if ((s64)lat < 0)
		lat = 0;
	lat = kvmx_clock_ns(lat);
	c = &x->cls[x->pending];
	bucket = kvmx_lat_bucket(lat);
	x->pending = KVMX_NO_PENDING;
	if (!c->lat_count || lat < c->lat_min)
		WRITE_ONCE(c->lat_min, lat);
	if (lat > c->lat_max)
		WRITE_ONCE(c->lat_max, lat);
	WRITE_ONCE(c->lat_sum, c->lat_sum + lat);
	WRITE_ONCE(c->hist[bucket], c->hist[bucket] + 1);
	WRITE_ONCE(c->lat_count, c->lat_count + 1);
}

/*
 * For readers: a copy of @v's counters, each field read once, none
 * torn; false if it has none or they belong to an older stats generation
 * (a reset the vCPU has not applied yet).
 */
static bool kvmx_exits_snapshot(struct kvmx_vm *vm, const struct kvmx_vcpu *v,
				struct kvmx_vcpu_exits *out)
{
	const struct kvmx_vcpu_exits *x = &v->exits;
	unsigned int i, j;

	/* pairs with the release after a reset's zeroing */
	if (smp_load_acquire(&x->gen) != READ_ONCE(vm->gen))
		return false;
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		const struct kvmx_class_stat *c = &x->cls[i];
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
		out->raw[i] = READ_ONCE(x->raw[i]);
	return true;
}

static void kvmx_stats_add(struct kvmx_vcpu_exits *sum,
			   const struct kvmx_vcpu_exits *vs)
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
			  const struct kvmx_vcpu_exits *vs)
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
	struct kvmx_vcpu_exits *snap, *sum;
	struct kvmx_table_writer w;
	struct kvmx_stats hdr;
	struct kvmx_vcpu *v;
	unsigned long i;
	int ret;

	ret = kvmx_table_begin(&w, uarg, sizeof(hdr), sizeof(struct kvmx_stat_entry), 0, NULL);
	if (ret)
		return ret;

	snap = kvmalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);
	sum = kvzalloc(sizeof(*sum), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!snap || !sum)
		goto out;

	xa_for_each(&vm->vcpus, i, v)
		if (kvmx_exits_snapshot(vm, v, snap))
			kvmx_stats_add(sum, snap);
	ret = kvmx_emit_vcpu(&w, vm->arch, KVMX_STAT_VM, sum);
	xa_for_each(&vm->vcpus, i, v)
		if (!ret && kvmx_exits_snapshot(vm, v, snap))
			ret = kvmx_emit_vcpu(&w, vm->arch, i, snap);
	if (ret)
		goto out;

	hdr = (struct kvmx_stats) {
		.argsz = sizeof(hdr) + w.total * sizeof(struct kvmx_stat_entry),
		.flags = w.written < w.total ? KVMX_TABLE_TRUNCATED : 0,
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
