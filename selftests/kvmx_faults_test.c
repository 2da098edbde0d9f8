// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx stage-2 fault classification: a guest makes known stage-2 faults,
 * one kind per stage; after each stage (a GUEST_SYNC) the test asserts the
 * exact change of every fault class, the access types and levels, and the
 * decoded ring record of every fault (the ring records all of them).
 *
 *   warm-up      the guest's first run: its code, stack and page tables
 *   first touch  writes to N pages of a fresh memslot
 *   permission   the same N pages again with dirty logging on
 *   read-only    writes to M pages of a KVM_MEM_READONLY memslot (KVM exits
 *                to the VMM with KVM_EXIT_MMIO for each)
 *   mmio user    N writes to a GPA with no memslot and no device
 *   mmio kernel  N writes to a KVM_IOEVENTFD address
 *   unbacked     M calls to a GPA with no memslot: an instruction fetch
 *                KVM cannot serve. arm64 injects a prefetch abort, which
 *                the guest's own handler returns from; x86 fails the
 *                emulation (KVM_EXIT_INTERNAL_ERROR) and the test returns
 *                from the call for the guest.
 *
 * Then the hot-page table is checked against the ring's exact per-page
 * counts: every reported count is within its error bound of the truth.
 */
#include <sys/eventfd.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "fault_decode.h"
#include "syndrome.h"

#define N		32		/* faults per stage */
#define M		8
#define DATA_SLOT	10
#define DATA_GPA	0x40000000ul
#define DATA_PAGES	(N + 1)
#define RO_SLOT		11
#define RO_GPA		0x48000000ul
#define MMIO_USER_GPA	0xc0000000ul
#define MMIO_KERN_GPA	0xc0001000ul
#define UNBACKED_GPA	0xc0002000ul
#define PAGE		4096ul
#define RING_RECORDS	4096

enum {
	ST_WARM = 1, ST_FIRST, ST_DIRTY, ST_RO, ST_MMIO_USER, ST_MMIO_KERN, ST_UNBACKED,
	NR_STAGES
};

static const char * const stage_name[NR_STAGES] = {
	[ST_WARM] = "warm-up", [ST_FIRST] = "first touch",
	[ST_DIRTY] = "dirty logging", [ST_RO] = "read-only memslot",
	[ST_MMIO_USER] = "MMIO to the VMM", [ST_MMIO_KERN] = "MMIO to an ioeventfd",
	[ST_UNBACKED] = "fetch from no memslot",
};

#ifdef __aarch64__
static void unbacked_handler(struct ex_regs *regs)
{
	/* the injected prefetch abort: return from the call */
	regs->pc = regs->regs[30];
}
#endif

static void guest_write(unsigned long gpa, u64 v)
{
	WRITE_ONCE(*(u64 *)gpa, v);
}

static void guest_code(void)
{
	void (*unbacked)(void) = (void (*)(void))UNBACKED_GPA;
	int i;

	/* warm-up: each region's page tables, and the first page of each */
	guest_write(DATA_GPA, 1);
	(void)READ_ONCE(*(u64 *)RO_GPA);
	guest_write(MMIO_USER_GPA, 1);
	guest_write(MMIO_KERN_GPA, 1);
	unbacked();			/* and arm64's exception vectors and handler */
	GUEST_SYNC(ST_WARM);

	for (i = 1; i <= N; i++)
		guest_write(DATA_GPA + i * PAGE, i);
	GUEST_SYNC(ST_FIRST);

	for (i = 1; i <= N; i++)		/* the host turned dirty logging on */
		guest_write(DATA_GPA + i * PAGE, i);
	GUEST_SYNC(ST_DIRTY);

	for (i = 0; i < M; i++)
		guest_write(RO_GPA + i * PAGE, i);
	GUEST_SYNC(ST_RO);

	for (i = 0; i < N; i++)
		guest_write(MMIO_USER_GPA, i);
	GUEST_SYNC(ST_MMIO_USER);

	for (i = 0; i < N; i++)
		guest_write(MMIO_KERN_GPA, i);
	GUEST_SYNC(ST_MMIO_KERN);

	for (i = 0; i < M; i++) {
		unbacked();
		asm volatile("" ::: "memory");
	}
	GUEST_SYNC(ST_UNBACKED);
	GUEST_DONE();
}

static __u32 arch;
static bool pml;	/* VMX's page-modification logging: dirty logging without faults */
static unsigned int nr_ro_exits, nr_mmio_exits, nr_unbacked_exits;

/*
 * KVM_RUN until a ucall, serving what the VMM has to: writes to the
 * read-only memslot and to MMIO_USER_GPA (ignored), and on x86 the
 * failed emulation of the unbacked fetch (return from the call).
 */
static u64 run_to_ucall(struct kvm_vm *vm, struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
		    run->mmio.phys_addr >= RO_GPA && run->mmio.phys_addr < RO_GPA + M * PAGE) {
			nr_ro_exits++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == MMIO_USER_GPA) {
			nr_mmio_exits++;
			continue;
		}
#ifdef __x86_64__
		if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
			struct kvm_regs regs;

			vcpu_regs_get(vcpu, &regs);
			TEST_ASSERT(regs.rip == UNBACKED_GPA,
				    "internal error %u at rip 0x%llx", run->internal.suberror,
				    regs.rip);
			regs.rip = *(u64 *)addr_gva2hva(vm, regs.rsp);
			regs.rsp += 8;
			vcpu_regs_set(vcpu, &regs);
			nr_unbacked_exits++;
			continue;
		}
#endif
		return get_ucall(vcpu, uc);
	}
}

/* -- kvmx faults ---------------------------------------------------------- */

struct fsnap {
	struct kvmx_fault_entry cls[KVMX_FAULT_NR_CLASSES];	/* VM-wide */
	struct kvmx_fault_entry hot4k[KVMX_FAULT_HOT_MAX], hot2m[KVMX_FAULT_HOT_MAX];
	unsigned int nr_hot4k, nr_hot2m;
	__u64 pending;
};

static struct kvmx_faults *fbuf;
static const size_t fbuf_size = 1 << 16;

static void read_faults(int s, struct fsnap *sn)
{
	struct kvmx_faults *f = fbuf;
	__u32 i;

	memset(f, 0, sizeof(*f));
	f->argsz = fbuf_size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_FAULTS, f), "KVMX_GET_FAULTS: %s", strerror(errno));
	TEST_ASSERT(!(f->flags & KVMX_TABLE_TRUNCATED), "faults truncated");
	TEST_ASSERT(f->arch == arch && f->entry_size == sizeof(struct kvmx_fault_entry) &&
		    f->nr_classes == KVMX_FAULT_NR_CLASSES,
		    "header: arch %u entry %u classes %u", f->arch, f->entry_size, f->nr_classes);
	memset(sn, 0, sizeof(*sn));
	sn->pending = f->pending;
	for (i = 0; i < f->nr_entries; i++) {
		struct kvmx_fault_entry *e = &f->entries[i];

		switch (e->kind) {
		case KVMX_FAULT_KIND_CLASS:
			TEST_ASSERT(e->class < KVMX_FAULT_NR_CLASSES, "class %u", e->class);
			TEST_ASSERT(e->vcpu == KVMX_STAT_VM || e->vcpu == 0, "vCPU %u", e->vcpu);
			/* one vCPU: its entries are the VM's (VM entries come first) */
			if (e->vcpu == KVMX_STAT_VM)
				sn->cls[e->class] = *e;
			else
				TEST_ASSERT(!memcmp(&e->count, &sn->cls[e->class].count,
						    sizeof(*e) - 8),
					    "vCPU 0 %s differs from the VM's",
					    kvmx_fault_class_name(e->class));
			break;
		case KVMX_FAULT_KIND_PAGE_4K:
			TEST_ASSERT(sn->nr_hot4k < KVMX_FAULT_HOT_MAX, "too many 4K entries");
			sn->hot4k[sn->nr_hot4k++] = *e;
			break;
		case KVMX_FAULT_KIND_PAGE_2M:
			TEST_ASSERT(sn->nr_hot2m < KVMX_FAULT_HOT_MAX, "too many 2M entries");
			sn->hot2m[sn->nr_hot2m++] = *e;
			break;
		default:
			TEST_FAIL("entry kind %u", e->kind);
		}
	}
}

/*
 * Faults whose syndrome does not report the access (VMX's EPT
 * misconfigurations), per class, from the ring's records so far.
 */
static __u64 no_access[KVMX_FAULT_NR_CLASSES];

/* One class entry is self-consistent: accesses and levels add up. */
static void check_entry(const struct kvmx_fault_entry *e)
{
	__u64 lv = 0;
	int i;

	for (i = 0; i < KVMX_FAULT_LEVELS; i++)
		lv += e->level[i];
	TEST_ASSERT(lv == e->count, "%s: levels sum to %llu, count %llu",
		    kvmx_fault_class_name(e->class), lv, e->count);
	TEST_ASSERT(e->read + e->write + e->exec + no_access[e->class] >= e->count &&
		    e->to_user <= e->count,
		    "%s: r %llu w %llu x %llu (+%llu unreported) user %llu of %llu",
		    kvmx_fault_class_name(e->class), e->read, e->write, e->exec,
		    no_access[e->class], e->to_user, e->count);
}

/* the change of a class entry's field over the stage */
#define D(field, c)	delta(cur, prev, c, offsetof(struct kvmx_fault_entry, field))

static __u64 delta(const struct fsnap *now, const struct fsnap *before, int c, size_t off)
{
	return *(const __u64 *)((const char *)&now->cls[c] + off) -
	       *(const __u64 *)((const char *)&before->cls[c] + off);
}

/* -- the ring: every fault, decoded --------------------------------------- */

static struct kvmx_ring_header *hdr;
static struct kvmx_exit_record *recs;

/* per-page truth for the hot-page check */
#define MAX_PAGES	1024
static struct { __u64 page; __u64 count; } truth[2][MAX_PAGES];
static unsigned int nr_truth[2];

static void truth_add(int g, __u64 page)
{
	unsigned int i;

	for (i = 0; i < nr_truth[g]; i++)
		if (truth[g][i].page == page)
			break;
	if (i == nr_truth[g]) {
		TEST_ASSERT(i < MAX_PAGES, "too many pages");
		truth[g][nr_truth[g]++].page = page;
	}
	truth[g][i].count++;
}

static __u64 truth_of(int g, __u64 page)
{
	unsigned int i;

	for (i = 0; i < nr_truth[g]; i++)
		if (truth[g][i].page == page)
			return truth[g][i].count;
	return 0;
}

/* A VMX EPT misconfiguration's record: the access is not reported. */
static bool vmx_misconfig(const struct kvmx_exit_record *r)
{
#ifdef __x86_64__
	return arch == KVMX_ARCH_X86_VMX && r->raw == EXIT_REASON_EPT_MISCONFIG;
#else
	return false;
#endif
}

/* The syndrome words of a record agree with its decoded fields. */
static void check_record(const struct kvmx_exit_record *r)
{
	struct kvmx_fault_info fi;

	TEST_ASSERT((r->flags & KVMX_REC_FAULT) && (r->flags & KVMX_REC_GPA_VALID),
		    "record flags 0x%x", r->flags);
	TEST_ASSERT(r->class < KVMX_FAULT_NR_CLASSES, "record class %u", r->class);
	TEST_ASSERT(r->pc, "record without a guest PC");
	TEST_ASSERT(kvmx_decode_fault(arch, r->raw, r->info[0], &fi), "syndrome 0x%llx",
		    r->info[0]);
	TEST_ASSERT(fi.type == r->fault_type && fi.level == r->fault_level &&
		    fi.access == r->fault_access,
		    "record type %u level %d access %u, syndrome 0x%llx says %u %d %u",
		    r->fault_type, r->fault_level, r->fault_access, r->info[0],
		    fi.type, fi.level, fi.access);
#ifdef __x86_64__
	if (arch == KVMX_ARCH_X86_VMX && r->raw == EXIT_REASON_EPT_MISCONFIG) {
		/* KVM's MMIO SPTE: no memslot, and the access is not reported */
		TEST_ASSERT(fi.type == KVMX_FT_RESERVED_BIT && (fi.flags & KVMX_FF_NO_ACCESS) &&
			    (r->class == KVMX_FAULT_MMIO_USER ||
			     r->class == KVMX_FAULT_MMIO_KERNEL ||
			     r->class == KVMX_FAULT_UNBACKED),
			    "EPT misconfig record: type %u flags 0x%x class %s", fi.type,
			    fi.flags, kvmx_fault_class_name(r->class));
	} else if (arch == KVMX_ARCH_X86_VMX) {
		/* the qualification says which access, and only one */
		TEST_ASSERT(r->raw == EXIT_REASON_EPT_VIOLATION &&
			    (fi.access == KVMX_ACC_READ || fi.access == KVMX_ACC_WRITE ||
			     fi.access == KVMX_ACC_EXEC) && !(fi.flags & KVMX_FF_UNKNOWN_BITS),
			    "raw %u, qualification 0x%llx: access %u flags 0x%x", r->raw,
			    r->info[0], fi.access, fi.flags);
	} else {
		TEST_ASSERT(r->raw == 0x400 && r->info[1] == r->gpa,
			    "raw 0x%x, EXITINFO2 0x%llx, gpa 0x%llx", r->raw, r->info[1], r->gpa);
	}
#else
	TEST_ASSERT(r->raw == KVMX_ESR_EC(r->info[0]) &&
		    (r->raw == KVMX_ESR_EC_DABT_LOW || r->raw == KVMX_ESR_EC_IABT_LOW),
		    "raw 0x%x, ESR 0x%llx", r->raw, r->info[0]);
	TEST_ASSERT(((r->info[2] & 0xfffffffff0ull) << 8) == (r->gpa & ~0xfffull),
		    "HPFAR 0x%llx, gpa 0x%llx", r->info[2], r->gpa);
#endif
	if (r->class == KVMX_FAULT_WALK)
		TEST_ASSERT(fi.flags & KVMX_FF_WALK, "walk record, syndrome 0x%llx", r->info[0]);
	else
		TEST_ASSERT(!(fi.flags & KVMX_FF_WALK), "%s record on a walk, syndrome 0x%llx",
			    kvmx_fault_class_name(r->class), r->info[0]);
}

/*
 * Drain the ring: records per class, and of those the ones without a
 * reported access; the records must match @st's faults.
 */
static void drain_ring(int st, __u64 per_class[KVMX_FAULT_NR_CLASSES],
		       __u64 per_noacc[KVMX_FAULT_NR_CLASSES])
{
	bool ok;
	__u32 head = __atomic_load_n(&hdr->head, __ATOMIC_ACQUIRE), tail = hdr->tail;

	memset(per_class, 0, sizeof(__u64) * KVMX_FAULT_NR_CLASSES);
	memset(per_noacc, 0, sizeof(__u64) * KVMX_FAULT_NR_CLASSES);
	TEST_ASSERT(!hdr->overflow, "ring overflowed");
	for (; tail != head; tail++) {
		const struct kvmx_exit_record *r = &recs[tail % RING_RECORDS];

		check_record(r);
		per_class[r->class]++;
		if (!r->fault_access) {
			per_noacc[r->class]++;
			no_access[r->class]++;
		}
		truth_add(0, r->gpa >> 12);
		truth_add(1, r->gpa >> 21);
		switch (st) {
		case ST_FIRST:
		case ST_DIRTY:
			if (r->class == KVMX_FAULT_MMIO_USER)	/* arm64's ucall */
				break;
			TEST_ASSERT(r->gpa >= DATA_GPA + PAGE &&
				    r->gpa < DATA_GPA + DATA_PAGES * PAGE &&
				    r->fault_access == KVMX_ACC_WRITE,
				    "%s: record at 0x%llx access %u", stage_name[st], r->gpa,
				    r->fault_access);
			if (st == ST_FIRST)
				ok = r->fault_type == KVMX_FT_TRANSLATION ||
				     r->fault_type == KVMX_FT_ACCESS_FLAG;
			else
				ok = r->fault_type == KVMX_FT_PERMISSION;
			TEST_ASSERT(ok,
				    "%s: fault type %s", stage_name[st],
				    kvmx_fault_type_name(r->fault_type));
			break;
		case ST_RO:
			if (r->gpa < RO_GPA || r->gpa >= RO_GPA + M * PAGE)
				break;
			TEST_ASSERT(r->class == KVMX_FAULT_PERMISSION &&
				    (r->fault_flags & KVMX_RECF_TO_USER) &&
				    r->fault_access == KVMX_ACC_WRITE,
				    "read-only: class %s flags 0x%x",
				    kvmx_fault_class_name(r->class), r->fault_flags);
			break;
		case ST_MMIO_USER:
			if (r->gpa != MMIO_USER_GPA)
				break;
			TEST_ASSERT(r->class == KVMX_FAULT_MMIO_USER &&
				    (r->fault_flags & KVMX_RECF_TO_USER), "MMIO user: class %s",
				    kvmx_fault_class_name(r->class));
			break;
		case ST_MMIO_KERN:
			if (r->class == KVMX_FAULT_MMIO_USER)	/* arm64's ucall */
				break;
			TEST_ASSERT(r->gpa == MMIO_KERN_GPA && !r->fault_flags &&
				    r->class == KVMX_FAULT_MMIO_KERNEL,
				    "MMIO kernel: class %s at 0x%llx",
				    kvmx_fault_class_name(r->class), r->gpa);
			break;
		case ST_UNBACKED:
			if (r->class == KVMX_FAULT_MMIO_USER)	/* arm64's ucall */
				break;
			TEST_ASSERT(r->gpa == UNBACKED_GPA &&
				    (r->fault_access == KVMX_ACC_EXEC || vmx_misconfig(r)) &&
				    r->class == KVMX_FAULT_UNBACKED,
				    "unbacked: class %s at 0x%llx access %u",
				    kvmx_fault_class_name(r->class), r->gpa, r->fault_access);
			break;
		}
	}
	__atomic_store_n(&hdr->tail, tail, __ATOMIC_RELEASE);
}

/* Every hot entry's count is an upper bound within its error of the truth. */
static void check_hot(const struct kvmx_fault_entry *e, unsigned int n, int g)
{
	unsigned int shift = g ? 21 : 12, i;
	__u64 best = 0, best_page = 0;
	bool best_found = false;

	TEST_ASSERT(n > 0, "no hot %s entries", g ? "2M" : "4K");
	for (i = 0; i < nr_truth[g]; i++) {
		if (truth[g][i].count > best) {
			best = truth[g][i].count;
			best_page = truth[g][i].page;
		}
	}
	for (i = 0; i < n; i++) {
		__u64 t = truth_of(g, e[i].gpa >> shift);

		TEST_ASSERT(!(e[i].gpa & ((1ul << shift) - 1)), "hot gpa 0x%llx", e[i].gpa);
		TEST_ASSERT(e[i].count >= t && e[i].count - e[i].error <= t,
			    "hot page 0x%llx: count %llu error %llu, true %llu",
			    e[i].gpa, e[i].count, e[i].error, t);
		TEST_ASSERT(!i || e[i].count <= e[i - 1].count, "hot pages not sorted");
		if (truth_of(g, e[i].gpa >> shift) == best)
			best_found = true;
	}
	TEST_ASSERT(best_found, "hottest page 0x%llx (%llu faults) not reported",
		    best_page << shift, best);
}

int main(void)
{
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs), .nr_records = RING_RECORDS,
				      .watermark = 1 };
	struct kvm_ioeventfd ioev = { .addr = MMIO_KERN_GPA, .len = 0 };
	__u64 per_class[KVMX_FAULT_NR_CLASSES], per_noacc[KVMX_FAULT_NR_CLASSES], v;
	struct fsnap *prev, *cur;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int kvmx, s, st, c, efd;
	unsigned long *bitmap;

	arch = KVMX_HOST_ARCH();
	pml = arch == KVMX_ARCH_X86_VMX && kvmx_kvm_param("kvm_intel", "pml", false);
	ksft_print_header();
	ksft_set_plan(NR_STAGES - 1 + 1);

	kvmx = kvmx_open_or_skip();
	fbuf = malloc(fbuf_size);
	prev = calloc(1, sizeof(*prev));
	cur = calloc(1, sizeof(*cur));

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, DATA_GPA, DATA_SLOT,
				    DATA_PAGES, 0);
	virt_map(vm, DATA_GPA, DATA_GPA, DATA_PAGES);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, RO_GPA, RO_SLOT, M,
				    KVM_MEM_READONLY);
	virt_map(vm, RO_GPA, RO_GPA, M);
	virt_pg_map(vm, MMIO_USER_GPA, MMIO_USER_GPA);
	virt_pg_map(vm, MMIO_KERN_GPA, MMIO_KERN_GPA);
	virt_pg_map(vm, UNBACKED_GPA, UNBACKED_GPA);
#ifdef __aarch64__
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, 0x21 /* IABT_CUR */,
				unbacked_handler);
#endif
	efd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(efd >= 0, "eventfd");
	ioev.fd = efd;
	vm_ioctl(vm, KVM_IOEVENTFD, &ioev);

	s = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	for (c = 0; c < KVMX_FAULT_NR_CLASSES; c++)
		rs.fault_sample[c] = 1;
	TEST_ASSERT(!ioctl(s, KVMX_RING_SETUP, &rs), "KVMX_RING_SETUP: %s", strerror(errno));
	hdr = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	TEST_ASSERT(hdr != MAP_FAILED, "mmap ring: %s", strerror(errno));
	recs = (void *)hdr + hdr->records_offset;

	read_faults(s, prev);
	for (st = 1; st < NR_STAGES; st++) {
		/* the ucall's own fault: MMIO to the VMM on arm64, none on x86 */
		unsigned int uc_user = arch == KVMX_ARCH_ARM64;
		__u64 want[KVMX_FAULT_NR_CLASSES] = {};

		if (st == ST_DIRTY)
			vm_mem_region_set_flags(vm, DATA_SLOT, KVM_MEM_LOG_DIRTY_PAGES);
		TEST_ASSERT(run_to_ucall(vm, vcpu, &uc) == UCALL_SYNC && uc.args[1] == (u64)st,
			    "stage %d: ucall %lu arg %lu", st, uc.cmd, uc.args[1]);
		read_faults(s, cur);
		TEST_ASSERT(!cur->pending, "%s: %llu faults pending with the vCPU stopped",
			    stage_name[st], cur->pending);
		drain_ring(st, per_class, per_noacc);
		for (c = 0; c < KVMX_FAULT_NR_CLASSES; c++)
			check_entry(&cur->cls[c]);

		want[KVMX_FAULT_MMIO_USER] = uc_user;
		switch (st) {
		case ST_WARM:
			/* shape only: how much the first run faults is the guest's business */
			TEST_ASSERT(D(count, KVMX_FAULT_WALK) >= 1,
				    "warm-up: no fault on the guest's page-table walk");
			TEST_ASSERT(D(count, KVMX_FAULT_FIRST_TOUCH) >= 2 &&
				    D(count, KVMX_FAULT_MMIO_USER) >= 1 &&
				    D(count, KVMX_FAULT_MMIO_KERNEL) == 1 &&
				    D(count, KVMX_FAULT_UNBACKED) == 1,
				    "warm-up: first touch %llu, mmio user %llu, kernel %llu, unbacked %llu",
				    D(count, KVMX_FAULT_FIRST_TOUCH),
				    D(count, KVMX_FAULT_MMIO_USER),
				    D(count, KVMX_FAULT_MMIO_KERNEL),
				    D(count, KVMX_FAULT_UNBACKED));
			memcpy(want, per_class, sizeof(want));
			break;
		case ST_FIRST:
			want[KVMX_FAULT_FIRST_TOUCH] = N;
			TEST_ASSERT(D(write, KVMX_FAULT_FIRST_TOUCH) == N,
				    "first touch: %llu writes", D(write, KVMX_FAULT_FIRST_TOUCH));
			if (arch == KVMX_ARCH_ARM64)
				TEST_ASSERT(D(level[3 + 2], KVMX_FAULT_FIRST_TOUCH) == N,
					    "first touch: %llu at level 3",
					    D(level[3 + 2], KVMX_FAULT_FIRST_TOUCH));
			else
				TEST_ASSERT(D(level[KVMX_FAULT_LEVEL_NONE],
					      KVMX_FAULT_FIRST_TOUCH) == N,
					    "first touch: x86 gives no level");
			break;
		case ST_DIRTY:
			/*
			 * VMX with PML logs dirty pages without write-protecting
			 * them: no fault (KVM's dirty log is checked below)
			 */
			want[KVMX_FAULT_PERMISSION] = pml ? 0 : N;
			TEST_ASSERT(D(write, KVMX_FAULT_PERMISSION) ==
				    want[KVMX_FAULT_PERMISSION] &&
				    !D(to_user, KVMX_FAULT_PERMISSION),
				    "dirty logging: %llu writes, %llu to user",
				    D(write, KVMX_FAULT_PERMISSION),
				    D(to_user, KVMX_FAULT_PERMISSION));
			break;
		case ST_RO:
			want[KVMX_FAULT_PERMISSION] = M;
			TEST_ASSERT(D(to_user, KVMX_FAULT_PERMISSION) == M && nr_ro_exits == M,
				    "read-only: %llu to user, %u KVM_EXIT_MMIO",
				    D(to_user, KVMX_FAULT_PERMISSION), nr_ro_exits);
			break;
		case ST_MMIO_USER:
			want[KVMX_FAULT_MMIO_USER] += N;
			TEST_ASSERT(D(to_user, KVMX_FAULT_MMIO_USER) == N + uc_user,
				    "MMIO user: %llu to user", D(to_user, KVMX_FAULT_MMIO_USER));
			break;
		case ST_MMIO_KERN:
			want[KVMX_FAULT_MMIO_KERNEL] = N;
			TEST_ASSERT(read(efd, &v, sizeof(v)) == sizeof(v) && v == N + 1,
				    "ioeventfd signalled %llu times, expected %u", v, N + 1);
			break;
		case ST_UNBACKED:
			want[KVMX_FAULT_UNBACKED] = M;
			/* VMX: after the first, KVM's MMIO SPTE (a misconfig) */
			TEST_ASSERT(D(exec, KVMX_FAULT_UNBACKED) +
				    per_noacc[KVMX_FAULT_UNBACKED] == M,
				    "unbacked: %llu fetches, %llu unreported",
				    D(exec, KVMX_FAULT_UNBACKED), per_noacc[KVMX_FAULT_UNBACKED]);
			if (arch != KVMX_ARCH_ARM64)
				TEST_ASSERT(nr_unbacked_exits == M + 1, "%u emulation failures",
					    nr_unbacked_exits);
			break;
		}
		for (c = 0; c < KVMX_FAULT_NR_CLASSES; c++) {
			TEST_ASSERT(D(count, c) == want[c],
				    "%s: %s +%llu, expected +%llu", stage_name[st],
				    kvmx_fault_class_name(c), D(count, c), want[c]);
			TEST_ASSERT(per_class[c] == want[c],
				    "%s: %llu %s records, expected %llu", stage_name[st],
				    per_class[c], kvmx_fault_class_name(c), want[c]);
		}
		if (st == ST_DIRTY) {
			/* KVM's dirty log agrees: pages 1..N written */
			bitmap = calloc((DATA_PAGES + 63) / 64, sizeof(*bitmap));
			kvm_vm_get_dirty_log(vm, DATA_SLOT, bitmap);
			for (c = 1; c <= N; c++)
				TEST_ASSERT(test_bit(c, bitmap), "page %d not dirty", c);
			free(bitmap);
			vm_mem_region_set_flags(vm, DATA_SLOT, 0);
		}
		ksft_test_result_pass("%s: every class exact, %llu records decoded\n",
				      stage_name[st], (unsigned long long)(hdr->head));
		memcpy(prev, cur, sizeof(*prev));
	}
	TEST_ASSERT(run_to_ucall(vm, vcpu, &uc) == UCALL_DONE, "guest did not finish: %lu", uc.cmd);

	read_faults(s, cur);
	drain_ring(0, per_class, per_noacc);
	{
		/* a buffer for one entry: truncated, and told the size it needs */
		struct { struct kvmx_faults h; struct kvmx_fault_entry e; } one = {
			.h.argsz = sizeof(one) };
		__u32 total = fbuf->nr_total;

		TEST_ASSERT(!ioctl(s, KVMX_GET_FAULTS, &one), "KVMX_GET_FAULTS: %s",
			    strerror(errno));
		TEST_ASSERT((one.h.flags & KVMX_TABLE_TRUNCATED) && one.h.nr_entries == 1 &&
			    one.h.nr_total == total &&
			    one.h.argsz == sizeof(one.h) + total * sizeof(one.e),
			    "short buffer: flags 0x%x, %u of %u entries, argsz %u",
			    one.h.flags, one.h.nr_entries, one.h.nr_total, one.h.argsz);
		TEST_ASSERT(!memcmp(&one.e, &fbuf->entries[0], sizeof(one.e)),
			    "short buffer: first entry differs");
	}
	check_hot(cur->hot4k, cur->nr_hot4k, 0);
	check_hot(cur->hot2m, cur->nr_hot2m, 1);
	ksft_test_result_pass("hot pages: %u 4K, %u 2M within error; hottest 0x%llx (%llu)\n",
			      cur->nr_hot4k, cur->nr_hot2m, cur->hot4k[0].gpa, cur->hot4k[0].count);

	munmap(hdr, rs.mmap_size);
	close(s);
	close(efd);
	kvm_vm_free(vm);
	close(kvmx);
	ksft_finished();
}
