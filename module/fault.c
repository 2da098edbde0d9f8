// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 fault classification: what each stage-2 fault of an attached VM
 * was (the decoded syndrome, the memslot behind the GPA) and what KVM did
 * with it (KVM's own per-vCPU MMIO counters, read before and after).
 *
 *   guest access -> stage-2 miss -> exit (kvmx_observe_exit: raw, info)
 *     -> KVM's fault tracepoint (kvmx_observe_fault: decode, memslot,
 *        provisional class, snapshot of KVM's counters)
 *     -> KVM handles it: maps the page, emulates MMIO in the kernel or
 *        exits to the VMM, injects an abort
 *     -> next entry into the guest (kvmx_fault_resolve: the counters moved
 *        or not -> final class; counted, hot pages, ring record)
 *
 * A vCPU that exits to the VMM and is not run again keeps its fault
 * pending; KVMX_GET_FAULTS resolves it when it can take the vCPU's mutex
 * (the vCPU is then outside KVM_RUN and KVM's counters are final).
 *
 * Context: the fault probe and kvmx_fault_resolve() run on the vCPU's
 * thread with preemption disabled, or under the vCPU's mutex; either way
 * there is one writer of a vCPU's fault state, as for its exit counters.
 */
#include <linux/ktime.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include "kvmx.h"

/* The writer's view of @f: a reset (a new stats generation) applied. */
static void kvmx_faults_current(struct kvmx_vm *vm, struct kvmx_vcpu_faults *f)
{
	u32 gen = READ_ONCE(vm->gen);

	if (likely(f->gen == gen))
		return;
	memset(f->fault, 0, sizeof(f->fault));
	f->pf.valid = false;
	f->stage2_exit = false;
	write_seqcount_begin(&f->hot_seq);
	memset(f->hot, 0, sizeof(f->hot));
	write_seqcount_end(&f->hot_seq);
	/* zeroes before gen; pairs with the acquire in kvmx_faults_snapshot() */
	smp_store_release(&f->gen, gen);
}

/*
 * Space-saving top-k (Metwally et al.): a page in the table counts up; a
 * new page replaces the smallest entry and inherits its count as error.
 * Every page with more than (faults / KVMX_HOT_SLOTS) faults is in the
 * table, and no count is low.
 */
static void kvmx_hot_add(struct kvmx_hot_page *t, u8 *last, u64 page)
{
	struct kvmx_hot_page *min = &t[0];
	unsigned int i;

	/*
	 * A page is in the table at most once: the entry hit last, if it is
	 * this page's, is the one the scan would find. Repeated faults on one
	 * page (a doorbell's) cost no scan.
	 */
	if (t[*last].count && t[*last].page == page) {
		t[*last].count++;
		return;
	}
	for (i = 0; i < KVMX_HOT_SLOTS; i++) {
		if (t[i].count && t[i].page == page) {
			t[i].count++;
			*last = i;
			return;
		}
		if (t[i].count < min->count)
			min = &t[i];
	}
	min->page = page;
	min->error = min->count;
	min->count++;
	*last = min - t;
}

static void kvmx_fault_count(struct kvmx_fault_stat *fs,
			     const struct kvmx_fault_info *fi, bool to_user)
{
	unsigned int lvl = fi->level == KVMX_LEVEL_NONE ? KVMX_FAULT_LEVEL_NONE :
			   (unsigned int)(fi->level + 2);

	if (lvl >= KVMX_FAULT_LEVELS)
		lvl = KVMX_FAULT_LEVEL_NONE;
	WRITE_ONCE(fs->count, fs->count + 1);
	if (fi->access & KVMX_ACC_READ)
		WRITE_ONCE(fs->read, fs->read + 1);
	if (fi->access & KVMX_ACC_WRITE)
		WRITE_ONCE(fs->write, fs->write + 1);
	if (fi->access & KVMX_ACC_EXEC)
		WRITE_ONCE(fs->exec, fs->exec + 1);
	if (to_user)
		WRITE_ONCE(fs->to_user, fs->to_user + 1);
	WRITE_ONCE(fs->level[lvl], fs->level[lvl] + 1);
}

/**
 * kvmx_fault_resolve() - classify @f's pending fault now KVM handled it
 * @vm:		the VM
 * @vcpu:	the vCPU; its thread, or the caller holds its mutex
 * @f:		its fault state, with a valid pending fault
 */
static void kvmx_fault_resolve(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
			       struct kvmx_vcpu_faults *f)
{
	struct kvmx_pending_fault *pf = &f->pf;
	enum kvmx_fault_outcome out;
	struct kvmx_fault_stat *fs;
	unsigned int class;

	pf->valid = false;
	out = kvmx_arch_fault_outcome(vcpu, pf->snap);
	class = kvmx_fault_final_class(pf->class, out);
	fs = &f->fault[class];
	kvmx_fault_count(fs, &pf->fi, out == KVMX_OUTCOME_MMIO_USER);

	write_seqcount_begin(&f->hot_seq);
	kvmx_hot_add(f->hot[KVMX_HOT_4K], &f->hot_last[KVMX_HOT_4K], pf->gpa >> 12);
	kvmx_hot_add(f->hot[KVMX_HOT_2M], &f->hot_last[KVMX_HOT_2M], pf->gpa >> 21);
	write_seqcount_end(&f->hot_seq);

	if (atomic_read(&vm->nr_rings)) {
		struct kvmx_exit_record rec = {
			.timestamp_ns = pf->ts,
			.gpa = pf->gpa,
			.pc = pf->pc,
			.info = { pf->info[0], pf->info[1], pf->info[2] },
			.vcpu = vcpu->vcpu_idx,
			.class = class,
			.flags = KVMX_REC_GPA_VALID | KVMX_REC_FAULT,
			.raw = pf->raw,
			.fault_type = pf->fi.type,
			.fault_level = pf->fi.level,
			.fault_access = pf->fi.access,
			.fault_flags = out == KVMX_OUTCOME_MMIO_USER ?
				       KVMX_RECF_TO_USER : 0,
		};

		kvmx_push_record(vm, &rec, fs->count);
	}
}

/**
 * kvmx_fault_exit() - a vCPU's exit, before observe.c refines its class
 * @vm:		the attached VM
 * @f:		the vCPU's fault state; its thread calls this
 * @e:		the exit
 *
 * A stage-2 exit is remembered until the vCPU's next entry: the fault
 * tracepoint that follows it reports its fault.
 */
void kvmx_fault_exit(struct kvmx_vm *vm, struct kvmx_vcpu_faults *f,
		     const struct kvmx_exit *e)
{
	kvmx_faults_current(vm, f);
	f->stage2_exit = e->class == KVMX_EXIT_STAGE2;
	if (!f->stage2_exit)
		return;
	f->exit_raw = e->raw;
	memcpy(f->exit_info, e->info, sizeof(f->exit_info));
}

/**
 * kvmx_fault_probe() - a stage-2 fault reported by KVM's fault tracepoint
 * @vm:		the attached VM
 * @vcpu:	the faulting vCPU, running on this CPU
 * @gpa:	the faulting guest-physical address (IPA)
 * @syndrome:	ESR_EL2, EPT-violation qualification or NPF error code
 * @pc:		the guest PC if the caller has it for free, else 0
 *
 * x86's kvm_page_fault also fires for intercepted #PF (shadow paging, a
 * guest-virtual address): only a fault following a stage-2 exit counts.
 */
void kvmx_fault_probe(struct kvmx_vm *vm, struct kvm_vcpu *vcpu, u64 gpa,
		      u64 syndrome, u64 pc)
{
	struct kvmx_vcpu *v = kvmx_vcpu_find(vm, vcpu->vcpu_idx);
	struct kvmx_pending_fault *pf;
	struct kvmx_vcpu_faults *f;
	bool backed, readonly;

	/* no state: its exit was not observed either */
	if (unlikely(!v))
		return;
	f = &v->faults;
	kvmx_faults_current(vm, f);
	/* not after a stage-2 exit of this VM's */
	if (!f->stage2_exit)
		return;
	pf = &f->pf;
	if (unlikely(pf->valid))	/* no entry since the last one */
		kvmx_fault_resolve(vm, vcpu, f);

	kvmx_decode_fault(vm->arch, f->exit_raw, syndrome, &pf->fi);
	backed = kvmx_gpa_slot(vcpu->kvm, gpa, &readonly);
	pf->class = kvmx_fault_classify(&pf->fi, backed, readonly);
	pf->raw = f->exit_raw;
	pf->gpa = gpa;
	memcpy(pf->info, f->exit_info, sizeof(pf->info));
	if (atomic_read(&vm->nr_rings)) {
		pf->ts = ktime_get_ns();
		pf->pc = pc ?: kvmx_arch_guest_pc(vcpu);
	}
	kvmx_arch_fault_snap(vcpu, pf->snap);
	pf->valid = true;
}

/**
 * kvmx_fault_entry() - the vCPU enters the guest again
 * @vm:		the attached VM
 * @vcpu:	the vCPU, whose thread this is
 * @f:		its fault state
 *
 * KVM is done with the exit: the pending fault's outcome is known.
 */
void kvmx_fault_entry(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		      struct kvmx_vcpu_faults *f)
{
	kvmx_faults_current(vm, f);
	f->stage2_exit = false;
	if (f->pf.valid)
		kvmx_fault_resolve(vm, vcpu, f);
}

/*
 * Resolve the pending fault of a vCPU that left KVM_RUN: holding its mutex
 * we are the only writer, and KVM's counters are final.
 */
static void kvmx_fault_resolve_idle(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvmx_vcpu *v = kvmx_vcpu_find(vm, vcpu->vcpu_idx);

	if (!v || !READ_ONCE(v->faults.pf.valid))
		return;
	if (!mutex_trylock(&vcpu->mutex))
		return;		/* running, or in another vCPU ioctl */
	/* vcpu->mutex: no probe of this vCPU runs; the writer's role is ours */
	preempt_disable();
	kvmx_faults_current(vm, &v->faults);
	if (v->faults.pf.valid)
		kvmx_fault_resolve(vm, vcpu, &v->faults);
	preempt_enable();
	mutex_unlock(&vcpu->mutex);
}

struct kvmx_faults_snap {
	struct kvmx_fault_stat fault[KVMX_FAULT_NR_CLASSES];
	struct kvmx_hot_page hot[2][KVMX_HOT_SLOTS];
	bool pending;
};

/* For readers: as kvmx_exits_snapshot() (observe.c), for @v's faults. */
static bool kvmx_faults_snapshot(struct kvmx_vm *vm, const struct kvmx_vcpu *v,
				 struct kvmx_faults_snap *out)
{
	const struct kvmx_vcpu_faults *vf = &v->faults;
	unsigned int i, j, seq;

	/* pairs with the release after a reset's zeroing */
	if (smp_load_acquire(&vf->gen) != READ_ONCE(vm->gen))
		return false;
	for (i = 0; i < KVMX_FAULT_NR_CLASSES; i++) {
		const struct kvmx_fault_stat *f = &vf->fault[i];
		struct kvmx_fault_stat *o = &out->fault[i];

		o->count = READ_ONCE(f->count);
		o->read = READ_ONCE(f->read);
		o->write = READ_ONCE(f->write);
		o->exec = READ_ONCE(f->exec);
		o->to_user = READ_ONCE(f->to_user);
		for (j = 0; j < KVMX_FAULT_LEVELS; j++)
			o->level[j] = READ_ONCE(f->level[j]);
	}
	do {
		seq = read_seqcount_begin(&vf->hot_seq);
		memcpy(out->hot, vf->hot, sizeof(out->hot));
	} while (read_seqcount_retry(&vf->hot_seq, seq));
	out->pending = READ_ONCE(vf->pf.valid);
	return true;
}

static void kvmx_faults_add(struct kvmx_fault_stat *sum,
			    const struct kvmx_fault_stat *f)
{
	unsigned int i, j;

	for (i = 0; i < KVMX_FAULT_NR_CLASSES; i++) {
		sum[i].count += f[i].count;
		sum[i].read += f[i].read;
		sum[i].write += f[i].write;
		sum[i].exec += f[i].exec;
		sum[i].to_user += f[i].to_user;
		for (j = 0; j < KVMX_FAULT_LEVELS; j++)
			sum[i].level[j] += f[i].level[j];
	}
}

static int kvmx_fault_emit_classes(struct kvmx_table_writer *w, u32 vcpu,
				   const struct kvmx_fault_stat *f)
{
	struct kvmx_fault_entry e;
	unsigned int i;
	int ret;

	for (i = 0; i < KVMX_FAULT_NR_CLASSES; i++) {
		if (!f[i].count)
			continue;
		e = (struct kvmx_fault_entry) {
			.vcpu = vcpu, .kind = KVMX_FAULT_KIND_CLASS, .class = i,
			.count = f[i].count, .read = f[i].read,
			.write = f[i].write, .exec = f[i].exec,
			.to_user = f[i].to_user,
		};
		memcpy(e.level, f[i].level, sizeof(e.level));
		ret = kvmx_table_emit(w, &e);
		if (ret)
			return ret;
	}
	return 0;
}

static int kvmx_hot_cmp_page(const void *a, const void *b)
{
	const struct kvmx_hot_page *x = a, *y = b;

	return x->page < y->page ? -1 : x->page > y->page;
}

static int kvmx_hot_cmp_count(const void *a, const void *b)
{
	const struct kvmx_hot_page *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return kvmx_hot_cmp_page(a, b);
}

/*
 * The VM's hottest pages of one granularity: every vCPU's table merged
 * (counts and errors of a page add up), hottest first.
 */
static int kvmx_fault_emit_hot(struct kvmx_table_writer *w,
			       struct kvmx_hot_page *all, unsigned int n,
			       unsigned int gran)
{
	unsigned int shift = gran == KVMX_HOT_4K ? 12 : 21;
	unsigned int i, m = 0;
	int ret;

	sort(all, n, sizeof(*all), kvmx_hot_cmp_page, NULL);
	for (i = 0; i < n; i++) {
		if (!all[i].count)
			continue;
		if (m && all[m - 1].page == all[i].page) {
			all[m - 1].count += all[i].count;
			all[m - 1].error += all[i].error;
		} else {
			all[m++] = all[i];
		}
	}
	sort(all, m, sizeof(*all), kvmx_hot_cmp_count, NULL);
	for (i = 0; i < min_t(unsigned int, m, KVMX_FAULT_HOT_MAX); i++) {
		struct kvmx_fault_entry e = {
			.vcpu = KVMX_STAT_VM,
			.kind = gran == KVMX_HOT_4K ? KVMX_FAULT_KIND_PAGE_4K :
						      KVMX_FAULT_KIND_PAGE_2M,
			.count = all[i].count,
			.gpa = all[i].page << shift,
			.error = all[i].error,
		};

		ret = kvmx_table_emit(w, &e);
		if (ret)
			return ret;
	}
	return 0;
}

long kvmx_get_faults(struct kvmx_vm *vm, struct kvmx_faults __user *uarg)
{
	struct kvmx_table_writer w;
	struct kvmx_fault_stat sum[KVMX_FAULT_NR_CLASSES] = {};
	struct kvmx_hot_page *hot[2] = {};
	struct kvmx_faults_snap *snap;
	unsigned int g, nhot = 0, nr_vcpus;
	unsigned long i, last;
	struct kvmx_faults hdr;
	struct kvm_vcpu *vcpu;
	struct kvmx_vcpu *v;
	u64 pending = 0;
	int ret;

	ret = kvmx_table_begin(&w, uarg, sizeof(hdr), sizeof(struct kvmx_fault_entry), 0, NULL);
	if (ret)
		return ret;

	kvm_for_each_vcpu(i, vcpu, vm->kvm)
		kvmx_fault_resolve_idle(vm, vcpu);

	/*
	 * vCPUs created from here on are not reported: at most @nr_vcpus
	 * tables of hot pages (a vCPU's vcpu_idx is below online_vcpus)
	 */
	nr_vcpus = atomic_read(&vm->kvm->online_vcpus);
	last = max(nr_vcpus, 1U) - 1;
	ret = -ENOMEM;
	snap = kvmalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);
	for (g = 0; g < 2; g++)
		hot[g] = kvmalloc_array(max(nr_vcpus, 1U) * KVMX_HOT_SLOTS,
					sizeof(*hot[g]), GFP_KERNEL_ACCOUNT);
	if (!snap || !hot[0] || !hot[1])
		goto out;

	xa_for_each_range(&vm->vcpus, i, v, 0, last) {
		if (!kvmx_faults_snapshot(vm, v, snap))
			continue;
		kvmx_faults_add(sum, snap->fault);
		for (g = 0; g < 2; g++)
			memcpy(&hot[g][nhot], snap->hot[g], sizeof(snap->hot[g]));
		nhot += KVMX_HOT_SLOTS;
		pending += snap->pending;
	}
	ret = kvmx_fault_emit_classes(&w, KVMX_STAT_VM, sum);
	xa_for_each_range(&vm->vcpus, i, v, 0, last)
		if (!ret && kvmx_faults_snapshot(vm, v, snap))
			ret = kvmx_fault_emit_classes(&w, i, snap->fault);
	for (g = 0; !ret && g < 2; g++)
		ret = kvmx_fault_emit_hot(&w, hot[g], nhot, g);
	if (ret)
		goto out;

	hdr = (struct kvmx_faults) {
		.argsz = sizeof(hdr) + w.total * sizeof(struct kvmx_fault_entry),
		.flags = w.written < w.total ? KVMX_TABLE_TRUNCATED : 0,
		.arch = vm->arch,
		.entry_size = sizeof(struct kvmx_fault_entry),
		.nr_entries = w.written,
		.nr_total = w.total,
		.nr_classes = KVMX_FAULT_NR_CLASSES,
		.pending = pending,
	};
	ret = copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : 0;
out:
	kvfree(snap);
	kvfree(hot[0]);
	kvfree(hot[1]);
	return ret;
}
