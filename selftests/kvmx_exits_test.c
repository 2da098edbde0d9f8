// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx exit observation: a guest performs known exits N times per stage;
 * after each stage (a GUEST_SYNC) the test asserts the exact change of the
 * counters of that class and raw reason, the latency histograms, the
 * attribution to vCPUs, the records the event ring received, and that
 * kvmx's total equals the number of kvm:kvm_exit events tracefs saw.
 *
 *   x86:        port I/O, CPUID, HLT, MMIO, VMMCALL (SVM) / VMCALL (VMX)
 *   arm64:      MMIO, HVC, WFI, a trapped system register (OSLSR_EL1)
 *
 * The ucall behind GUEST_SYNC is itself an exit: port I/O on x86, MMIO on
 * arm64; it is accounted for. A halted vCPU is woken by a signal.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <poll.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "kvmx_waker.h"
#include "kvmx_kvm_stat.h"
#include "exit_class.h"
#include "syndrome.h"

#define N		64		/* exits per stage */
#define MMIO_GPA	0xc0000000ul
#define RING_RECORDS	1024
#define HALT_SAMPLE	4

#ifdef __x86_64__
#define UCALL_CLASS	KVMX_EXIT_PIO
#define TEST_PORT	0xe9
enum { ST_PIO = 1, ST_CPUID, ST_HALT, ST_MMIO, ST_HCALL, NR_STAGES };
/*
 * The raw reason of each stage, per vendor. VMX's MMIO is two: the first
 * access is an EPT violation, after which KVM has installed an MMIO SPTE
 * and the others are EPT misconfigurations (vmx_mmio_raw()).
 */
static const struct {
	unsigned int class;
	__u32 svm_raw, vmx_raw;
	const char *what;
} stage[] = {
	[ST_PIO]   = { KVMX_EXIT_PIO, 0x7b, EXIT_REASON_IO_INSTRUCTION, "port I/O" },
	[ST_CPUID] = { KVMX_EXIT_CPUID, 0x72, EXIT_REASON_CPUID, "CPUID" },
	[ST_HALT]  = { KVMX_EXIT_HALT, 0x78, EXIT_REASON_HLT, "HLT" },
	[ST_MMIO]  = { KVMX_EXIT_MMIO, 0x400, EXIT_REASON_EPT_MISCONFIG, "MMIO" },
	[ST_HCALL] = { KVMX_EXIT_HYPERCALL, 0x81, EXIT_REASON_VMCALL, "VMCALL/VMMCALL" },
};

static bool guest_is_amd;

static void guest_outb(u16 port, u8 val)
{
	asm volatile("outb %0, %1" : : "a"(val), "d"(port));
}

static void guest_cpuid(void)
{
	u32 a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
}

static void guest_stage(int st)
{
	int i;

	for (i = 0; i < N; i++) {
		switch (st) {
		case ST_PIO:
			guest_outb(TEST_PORT, i);
			break;
		case ST_CPUID:
			guest_cpuid();
			break;
		case ST_HALT:
			asm volatile("hlt");
			break;
		case ST_MMIO:
			WRITE_ONCE(*(u32 *)MMIO_GPA, i);
			break;
		case ST_HCALL:
			/* an unknown hypercall: KVM answers -KVM_ENOSYS itself */
			if (guest_is_amd)
				asm volatile("vmmcall" : : "a"(0x7fff) : "memory");
			else
				asm volatile("vmcall" : : "a"(0x7fff) : "memory");
			break;
		}
	}
}
#else
#define UCALL_CLASS	KVMX_EXIT_MMIO
enum { ST_MMIO = 1, ST_HCALL, ST_HALT, ST_SYSREG, NR_STAGES };
static const struct { unsigned int class; __u32 raw; const char *what; } stage[] = {
	[ST_MMIO]   = { KVMX_EXIT_MMIO, KVMX_ESR_EC_DABT_LOW, "MMIO" },
	[ST_HCALL]  = { KVMX_EXIT_HYPERCALL, KVMX_ESR_EC_HVC64, "HVC" },
	[ST_HALT]   = { KVMX_EXIT_HALT, KVMX_ESR_EC_WFx, "WFI" },
	[ST_SYSREG] = { KVMX_EXIT_SYSREG, KVMX_ESR_EC_SYS64, "OSLSR_EL1 read" },
};

static void guest_stage(int st)
{
	register u64 x0 asm("x0");
	int i;

	for (i = 0; i < N; i++) {
		switch (st) {
		case ST_MMIO:
			WRITE_ONCE(*(u64 *)MMIO_GPA, i);
			break;
		case ST_HCALL:
			/* PSCI_VERSION: answered by KVM itself */
			x0 = 0x84000000;
			asm volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
			break;
		case ST_HALT:
			asm volatile("wfi" : : : "memory");
			break;
		case ST_SYSREG:
			asm volatile("mrs %0, oslsr_el1" : "=r"(x0));
			break;
		}
	}
}
#endif

static void guest_code(void)
{
	int st;

	for (st = 1; st < NR_STAGES; st++) {
		guest_stage(st);
		GUEST_SYNC(st);
	}
	GUEST_DONE();
}

/* vCPU 1: a different, known amount of one in-kernel exit. */
static void guest_code_vcpu1(void)
{
	int i;

	for (i = 0; i < 3; i++)
#ifdef __x86_64__
		guest_stage(ST_CPUID);
#else
		guest_stage(ST_SYSREG);
#endif
	GUEST_DONE();
}

static struct kvmx_waker waker;

/* KVM_RUN until a ucall; the waker ends HLT/WFI blocks */
static u64 run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	for (;;) {
		int ret = kvmx_run_woken(vcpu);

		TEST_ASSERT(!ret, "KVM_RUN: %s", strerror(errno));
#ifdef __x86_64__
		if (vcpu->run->exit_reason == KVM_EXIT_IO && vcpu->run->io.port == TEST_PORT)
			continue;
#endif
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO &&
		    vcpu->run->mmio.phys_addr == MMIO_GPA)
			continue;
		return get_ucall(vcpu, uc);
	}
}

/* KVMX_ARCH_* of this host's KVM */
static __u32 arch;

#ifdef __x86_64__
#define VMX_EPT_VIOLATION	EXIT_REASON_EPT_VIOLATION
#else
#define VMX_EPT_VIOLATION	~0u	/* no such raw reason */
#endif

/* The raw reason stage @st's exits have on this host. */
static __u32 stage_raw(int st)
{
#ifdef __x86_64__
	return arch == KVMX_ARCH_X86_VMX ? stage[st].vmx_raw : stage[st].svm_raw;
#else
	return stage[st].raw;
#endif
}

/*
 * VMX: how many of N MMIO writes to one fresh page are EPT violations, the
 * rest being EPT misconfigurations. With KVM's MMIO caching (kvm.ko's
 * mmio_caching, on by default) the first installs an MMIO SPTE; without,
 * every access is a violation.
 */
static unsigned int vmx_mmio_violations(void)
{
	return kvmx_kvm_param("kvm", "mmio_caching", true) ? 1 : N;
}

/* -- kvmx stats --------------------------------------------------------- */

struct snap {
	struct kvmx_stat_entry cls[2][KVMX_EXIT_NR_CLASSES];	/* [vm, vcpu0] */
	__u64 raw[2][0x500];	/* enough for every raw reason tested */
	__u64 vcpu1_class[KVMX_EXIT_NR_CLASSES];
	__u64 total, lost;
};

static struct kvmx_stats *stats_buf;
static size_t stats_size = 1 << 20;

static void read_stats(int s, struct snap *sn)
{
	struct kvmx_stats *st = stats_buf;
	u32 i;

	memset(st, 0, sizeof(*st));
	st->argsz = stats_size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_STATS, st), "KVMX_GET_STATS: %s", strerror(errno));
	TEST_ASSERT(!(st->flags & KVMX_TABLE_TRUNCATED), "stats truncated");
	TEST_ASSERT(st->arch == arch, "arch %u, expected %u", st->arch, arch);
	TEST_ASSERT(st->entry_size == sizeof(struct kvmx_stat_entry), "entry size %u",
		    st->entry_size);
	memset(sn, 0, sizeof(*sn));
	sn->lost = st->lost;
	for (i = 0; i < st->nr_entries; i++) {
		struct kvmx_stat_entry *e = &st->entries[i];
		int who = e->vcpu == KVMX_STAT_VM ? 0 : e->vcpu == 0 ? 1 : 2;

		TEST_ASSERT(e->class < KVMX_EXIT_NR_CLASSES, "class %u", e->class);
		if (e->kind == KVMX_STAT_CLASS && who == 2) {
			TEST_ASSERT(e->vcpu == 1, "unexpected vCPU %u", e->vcpu);
			sn->vcpu1_class[e->class] = e->count;
		} else if (e->kind == KVMX_STAT_CLASS) {
			sn->cls[who][e->class] = *e;
			if (who == 0)
				sn->total += e->count;
		} else if (e->kind == KVMX_STAT_RAW && who < 2 && e->raw < 0x500) {
			sn->raw[who][e->raw] = e->count;
		}
	}
}

static __u64 hist_sum(const struct kvmx_stat_entry *e)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < KVMX_LAT_BUCKETS; i++)
		sum += e->lat_hist[i];
	return sum;
}

/* The latency fields of a class entry agree with each other. */
static void check_latency(const struct kvmx_stat_entry *e, __u64 expect_lat_count)
{
	TEST_ASSERT(e->lat_count == expect_lat_count,
		    "class %s: lat_count %llu, expected %llu", kvmx_class_name(e->class),
		    e->lat_count, expect_lat_count);
	TEST_ASSERT(hist_sum(e) == e->lat_count, "class %s: histogram holds %llu, lat_count %llu",
		    kvmx_class_name(e->class), hist_sum(e), e->lat_count);
	if (!e->lat_count)
		return;
	TEST_ASSERT(e->lat_min_ns <= e->lat_max_ns && e->lat_min_ns > 0,
		    "class %s: min %llu max %llu", kvmx_class_name(e->class),
		    e->lat_min_ns, e->lat_max_ns);
	TEST_ASSERT(e->lat_sum_ns >= e->lat_min_ns * e->lat_count &&
		    e->lat_sum_ns <= e->lat_max_ns * e->lat_count,
		    "class %s: sum %llu outside [min, max] x %llu", kvmx_class_name(e->class),
		    e->lat_sum_ns, e->lat_count);
}

/* A record of the MMIO stage: a write to MMIO_GPA, as the syndrome says. */
static int check_mmio_record(const struct kvmx_exit_record *r)
{
#ifdef __x86_64__
	if (arch == KVMX_ARCH_X86_VMX) {
		/*
		 * An EPT violation's qualification: a data write (bit 1, not
		 * 0 or 2), the GPA not mapped at all (bits 3-5 clear). A
		 * misconfiguration's is undefined; the GPA comes from the VMCS.
		 */
		TEST_ASSERT(r->raw == EXIT_REASON_EPT_VIOLATION ||
			    r->raw == EXIT_REASON_EPT_MISCONFIG, "MMIO record raw %u", r->raw);
		if (r->raw == EXIT_REASON_EPT_VIOLATION)
			TEST_ASSERT((r->info[0] & 0x3f) == 2,
				    "EPT violation qualification 0x%llx: not a write to an unmapped GPA",
				    r->info[0]);
		return 1;
	}
	/* SVM NPF: EXITINFO1 is the #PF-style error code, EXITINFO2 the GPA */
	TEST_ASSERT(r->raw == 0x400, "MMIO record raw 0x%x", r->raw);
	TEST_ASSERT(r->info[1] == MMIO_GPA, "EXITINFO2 0x%llx", r->info[1]);
	TEST_ASSERT(r->info[0] & 2, "NPF error code 0x%llx: not a write", r->info[0]);
#else
	__u64 esr = r->info[0];

	TEST_ASSERT(r->raw == KVMX_ESR_EC_DABT_LOW, "MMIO record raw 0x%x", r->raw);
	TEST_ASSERT(KVMX_ESR_EC(esr) == KVMX_ESR_EC_DABT_LOW, "ESR 0x%llx: EC not DABT_LOW", esr);
	TEST_ASSERT(esr & KVMX_ESR_ISV, "ESR 0x%llx: ISV clear", esr);
	TEST_ASSERT(esr & KVMX_ESR_WNR, "ESR 0x%llx: WnR clear for a store", esr);
	TEST_ASSERT(((esr >> KVMX_ESR_SAS_SHIFT) & KVMX_ESR_SAS_MASK) == 3,
		    "ESR 0x%llx: SAS not 8 bytes", esr);
	TEST_ASSERT((r->info[2] & 0xfffffffff0ull) << 8 == MMIO_GPA,
		    "HPFAR 0x%llx does not give IPA 0x%lx", r->info[2], MMIO_GPA);
#endif
	return 1;
}

/* -- tracefs ------------------------------------------------------------ */

#define TRACEFS "/sys/kernel/tracing/"

static void tracefs_write(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY | O_TRUNC);

	TEST_ASSERT(fd >= 0, "open %s: %s", file, strerror(errno));
	TEST_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val), "write %s", file);
	close(fd);
}

static __u64 tracefs_count_kvm_exit(void)
{
	FILE *f = fopen(TRACEFS "trace", "r");
	char line[512];
	__u64 n = 0;

	TEST_ASSERT(f, "open trace");
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && strstr(line, "kvm_exit:"))
			n++;
	fclose(f);
	return n;
}

static __u64 tracefs_overruns(void)
{
	char path[128], line[128];
	__u64 total = 0, v;
	int cpu;

	for (cpu = 0; ; cpu++) {
		FILE *f;

		snprintf(path, sizeof(path), TRACEFS "per_cpu/cpu%d/stats", cpu);
		f = fopen(path, "r");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "overrun: %llu", &v) == 1)
				total += v;
		fclose(f);
	}
	return total;
}

/* -- concurrency --------------------------------------------------------- */

#define NR_CONC_VCPUS	4
#define CONC_ROUNDS	8		/* x N exits per vCPU */
#define CONC_SAMPLE	8

#ifdef __x86_64__
#define CONC_STAGE	ST_CPUID
#else
#define CONC_STAGE	ST_SYSREG
#endif

static void guest_code_conc(void)
{
	int i;

	for (i = 0; i < CONC_ROUNDS; i++)
		guest_stage(CONC_STAGE);
	GUEST_DONE();
}

static void *conc_vcpu(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "vCPU %u: ucall %lu", vcpu->id, uc.cmd);
	return NULL;
}

static int conc_done;

/* Reads the stats while the vCPUs run: the VM's count never goes back. */
static void *conc_reader(void *arg)
{
	struct kvmx_stats *st = malloc(stats_size);
	unsigned int class = stage[CONC_STAGE].class, reads = 0;
	int s = *(int *)arg;
	__u64 last = 0;
	__u32 j;

	while (!READ_ONCE(conc_done)) {
		memset(st, 0, sizeof(*st));
		st->argsz = stats_size;
		TEST_ASSERT(!ioctl(s, KVMX_GET_STATS, st), "KVMX_GET_STATS: %s", strerror(errno));
		for (j = 0; j < st->nr_entries; j++) {
			struct kvmx_stat_entry *e = &st->entries[j];

			if (e->vcpu != KVMX_STAT_VM || e->kind != KVMX_STAT_CLASS ||
			    e->class != class)
				continue;
			TEST_ASSERT(e->count >= last, "VM count went back: %llu after %llu",
				    e->count, last);
			last = e->count;
		}
		reads++;
	}
	free(st);
	return (void *)(unsigned long)reads;
}

/*
 * 4 vCPU threads make the same exits at once, a fifth thread reads the
 * stats all along, the ring takes 1 in 8 from all four: every count exact.
 */
static void test_concurrent_vcpus(int kvmx)
{
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs), .nr_records = 4096, .watermark = 1 };
	const unsigned int class = stage[CONC_STAGE].class, per_vcpu = CONC_ROUNDS * N;
	struct kvm_vcpu *vcpus[NR_CONC_VCPUS];
	pthread_t threads[NR_CONC_VCPUS], reader;
	__u64 per_rec[NR_CONC_VCPUS] = {};
	struct kvmx_ring_header *hdr;
	struct kvmx_exit_record *recs;
	struct kvmx_stats *st = stats_buf;
	__u64 vm_total = 0;
	void *reads;
	struct kvm_vm *vm;
	int s, i;
	__u32 j;

	vm = vm_create_with_vcpus(NR_CONC_VCPUS, guest_code_conc, vcpus);
	ucall_init(vm, NULL);
	s = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	rs.sample[class] = CONC_SAMPLE;
	TEST_ASSERT(!ioctl(s, KVMX_RING_SETUP, &rs), "KVMX_RING_SETUP: %s", strerror(errno));
	hdr = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	TEST_ASSERT(hdr != MAP_FAILED, "mmap: %s", strerror(errno));
	recs = (void *)hdr + hdr->records_offset;

	WRITE_ONCE(conc_done, 0);
	pthread_create(&reader, NULL, conc_reader, &s);
	for (i = 0; i < NR_CONC_VCPUS; i++)
		pthread_create(&threads[i], NULL, conc_vcpu, vcpus[i]);
	for (i = 0; i < NR_CONC_VCPUS; i++)
		pthread_join(threads[i], NULL);
	WRITE_ONCE(conc_done, 1);
	pthread_join(reader, &reads);

	memset(st, 0, sizeof(*st));
	st->argsz = stats_size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_STATS, st), "KVMX_GET_STATS");
	TEST_ASSERT(!st->lost, "%llu exits lost", st->lost);
	for (j = 0; j < st->nr_entries; j++) {
		struct kvmx_stat_entry *e = &st->entries[j];

		if (e->kind != KVMX_STAT_CLASS || e->class != class)
			continue;
		if (e->vcpu == KVMX_STAT_VM) {
			vm_total = e->count;
			continue;
		}
		TEST_ASSERT(e->count == per_vcpu, "vCPU %u: %s %llu, expected %u", e->vcpu,
			    kvmx_class_name(class), e->count, per_vcpu);
		check_latency(e, e->count);
	}
	TEST_ASSERT(vm_total == NR_CONC_VCPUS * per_vcpu, "VM %s %llu, expected %u",
		    kvmx_class_name(class), vm_total, NR_CONC_VCPUS * per_vcpu);

	TEST_ASSERT(!hdr->overflow, "ring overflow %llu", hdr->overflow);
	for (j = hdr->tail; j != hdr->head; j++) {
		struct kvmx_exit_record *r = &recs[j % rs.nr_records];

		TEST_ASSERT(r->class == class && r->vcpu < NR_CONC_VCPUS,
			    "record class %u vcpu %u", r->class, r->vcpu);
		per_rec[r->vcpu]++;
	}
	for (i = 0; i < NR_CONC_VCPUS; i++)
		TEST_ASSERT(per_rec[i] == per_vcpu / CONC_SAMPLE,
			    "vCPU %d: %llu records, expected %u", i, per_rec[i],
			    per_vcpu / CONC_SAMPLE);

	munmap(hdr, rs.mmap_size);
	close(s);
	kvm_vm_free(vm);
	ksft_test_result_pass("%d vCPUs at once: %u %s exits each, exact; %u records each; "
			      "%lu concurrent reads\n", NR_CONC_VCPUS, per_vcpu,
			      kvmx_class_name(class), per_vcpu / CONC_SAMPLE, (unsigned long)reads);
}

/* -- the test ----------------------------------------------------------- */

int main(void)
{
	struct kvm_vcpu *vcpu, *vcpu1;
	struct snap *prev, *cur;
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs) };
	struct kvmx_ring_header *hdr;
	struct kvmx_exit_record *recs;
	struct kvm_vm *vm;
	struct ucall uc;
	int kvmx, s, st, i;
	__u64 wfi_prev = 0, halts;
	__u64 nr_trace, nr_rec[KVMX_EXIT_NR_CLASSES] = {}, nr_mmio_at_gpa = 0, nr_violations = 0;

	arch = KVMX_HOST_ARCH();
	ksft_print_header();
	ksft_set_plan(NR_STAGES - 1 + 5);

	kvmx = kvmx_open_or_skip();
	stats_buf = malloc(stats_size);
	prev = calloc(1, sizeof(*prev));
	cur = calloc(1, sizeof(*cur));

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	virt_pg_map(vm, MMIO_GPA, MMIO_GPA);
#ifdef __x86_64__
	guest_is_amd = is_amd_cpu();
	sync_global_to_guest(vm, guest_is_amd);
#endif
	s = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	/* a vCPU created after attach gets its counters on its first exit */
	vcpu1 = vm_vcpu_add(vm, 1, guest_code_vcpu1);

	/* ring: every hypercall, every 4th halt, every MMIO exit */
	rs.nr_records = RING_RECORDS;
	rs.watermark = N;
	rs.sample[KVMX_EXIT_HYPERCALL] = 1;
	rs.sample[KVMX_EXIT_HALT] = HALT_SAMPLE;
	rs.sample[KVMX_EXIT_MMIO] = 1;
	TEST_ASSERT(!ioctl(s, KVMX_RING_SETUP, &rs), "KVMX_RING_SETUP: %s", strerror(errno));
	hdr = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	TEST_ASSERT(hdr != MAP_FAILED, "mmap ring: %s", strerror(errno));
	TEST_ASSERT(hdr->nr_records == RING_RECORDS && hdr->record_size ==
		    sizeof(struct kvmx_exit_record), "ring header %u %u",
		    hdr->nr_records, hdr->record_size);
	recs = (void *)hdr + hdr->records_offset;

	/* tracefs: the kernel's own count of the same exits */
	tracefs_write(TRACEFS "tracing_on", "0");
	tracefs_write(TRACEFS "buffer_size_kb", "8192");
	tracefs_write(TRACEFS "trace", "");
	tracefs_write(TRACEFS "events/kvm/kvm_exit/enable", "1");
	TEST_ASSERT(!ioctl(s, KVMX_RESET_STATS, 0), "KVMX_RESET_STATS");
	tracefs_write(TRACEFS "tracing_on", "1");

	kvmx_waker_start(&waker);

	read_stats(s, prev);
	if (arch == KVMX_ARCH_ARM64)
		wfi_prev = kvmx_vcpu_stat(vcpu, "wfi_exit_stat");
	for (st = 1; st < NR_STAGES; st++) {
		unsigned int c = stage[st].class, uc_extra;
		__u64 want = N;
		int who;

		TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_SYNC && uc.args[1] == (uint64_t)st,
			    "stage %d: ucall %lu arg %lu", st, uc.cmd, uc.args[1]);
		read_stats(s, cur);
		uc_extra = c == UCALL_CLASS;
		/*
		 * TWI traps a WFI only if it would wait: one made while a host
		 * interrupt is pending completes in the guest (the seeds test
		 * measures it). The WFIs that exited are KVM's own count of
		 * them, which must be nearly all.
		 */
		if (arch == KVMX_ARCH_ARM64 && c == KVMX_EXIT_HALT) {
			want = kvmx_vcpu_stat(vcpu, "wfi_exit_stat") - wfi_prev;
			TEST_ASSERT(want <= N && want >= N - N / 8,
				    "WFI: KVM counted %llu WFI exits of %u WFIs", want, N);
		}
		for (who = 0; who < 2; who++) {
			__u32 raw = stage_raw(st);
			__u64 d = cur->cls[who][c].count - prev->cls[who][c].count;
			__u64 draw = cur->raw[who][raw] - prev->raw[who][raw];
			__u64 want_raw = want + uc_extra;

			TEST_ASSERT(d == want + uc_extra, "%s: %s %s count +%llu, expected +%llu",
				    stage[st].what, who ? "vCPU 0" : "VM", kvmx_class_name(c),
				    d, want + uc_extra);
			/*
			 * raw reason: exact, per vendor. MMIO's is also the
			 * reason of stage-2 faults on memory (the stage's first
			 * touches of code and stack): checked in the ring.
			 * VMX's misconfigurations are MMIO's alone.
			 */
			if (c == KVMX_EXIT_MMIO && arch == KVMX_ARCH_X86_VMX)
				want_raw = want - vmx_mmio_violations();
			if (c != KVMX_EXIT_MMIO || arch == KVMX_ARCH_X86_VMX)
				TEST_ASSERT(draw == want_raw,
					    "%s: %s raw %u (%s) +%llu, expected +%llu",
					    stage[st].what, who ? "vCPU 0" : "VM", raw,
					    kvmx_raw_name(arch, raw) ?: "?", draw, want_raw);
			/* the sync's own exit, if it is of another class */
			if (!uc_extra)
				TEST_ASSERT(cur->cls[who][UCALL_CLASS].count -
					    prev->cls[who][UCALL_CLASS].count == 1,
					    "%s: ucall class +%llu", stage[st].what,
					    cur->cls[who][UCALL_CLASS].count -
					    prev->cls[who][UCALL_CLASS].count);
			/* every exit of the stage was followed by an entry */
			check_latency(&cur->cls[who][c], cur->cls[who][c].count - uc_extra);
		}
		TEST_ASSERT(!cur->lost, "%llu exits lost", cur->lost);
		ksft_test_result_pass("%s: %s +%llu exactly (of %u), latency histogram complete\n",
				      stage[st].what, kvmx_class_name(c), want, N);
		memcpy(prev, cur, sizeof(*prev));
	}
	TEST_ASSERT(run_to_ucall(vcpu, &uc) == UCALL_DONE, "guest did not finish: %lu", uc.cmd);

	/* vCPU 1: 3N exits of one in-kernel class, attributed to it alone */
	TEST_ASSERT(run_to_ucall(vcpu1, &uc) == UCALL_DONE, "vCPU 1: %lu", uc.cmd);
	kvmx_waker_stop(&waker);
	tracefs_write(TRACEFS "tracing_on", "0");
	read_stats(s, cur);
#ifdef __x86_64__
	i = KVMX_EXIT_CPUID;
#else
	i = KVMX_EXIT_SYSREG;
#endif
	TEST_ASSERT(cur->vcpu1_class[i] == 3 * N, "vCPU 1: %s %llu, expected %u",
		    kvmx_class_name(i), cur->vcpu1_class[i], 3 * N);
	TEST_ASSERT(cur->cls[0][i].count == cur->cls[1][i].count + 3 * N,
		    "VM %s %llu != vCPU0 %llu + vCPU1 %u", kvmx_class_name(i),
		    cur->cls[0][i].count, cur->cls[1][i].count, 3 * N);
	ksft_test_result_pass("per-vCPU attribution: vCPU 1 %s %u, VM = sum of vCPUs\n",
			      kvmx_class_name(i), 3 * N);

	/*
	 * Raw entries of each class add up to the class count. A raw entry
	 * carries its reason's class; stage-2 reasons whose address has no
	 * memslot were counted as MMIO, so those two are compared together.
	 */
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		__u64 sum = 0, want = cur->cls[0][i].count;
		__u32 j;

		if (i == KVMX_EXIT_MMIO)
			continue;
		if (i == KVMX_EXIT_STAGE2)
			want += cur->cls[0][KVMX_EXIT_MMIO].count;
		for (j = 0; j < stats_buf->nr_entries; j++) {
			struct kvmx_stat_entry *e = &stats_buf->entries[j];

			if (e->vcpu != KVMX_STAT_VM || e->kind != KVMX_STAT_RAW)
				continue;
			if (e->class == i || (i == KVMX_EXIT_STAGE2 && e->class == KVMX_EXIT_MMIO))
				sum += e->count;
		}
		TEST_ASSERT(sum == want, "class %s: raw entries %llu, class %llu",
			    kvmx_class_name(i), sum, want);
	}
	ksft_test_result_pass("raw reason counts add up to class counts\n");

	/* the kernel's own view: one kvm:kvm_exit event per exit kvmx counted */
	tracefs_write(TRACEFS "events/kvm/kvm_exit/enable", "0");
	TEST_ASSERT(!tracefs_overruns(), "trace buffer overran");
	nr_trace = tracefs_count_kvm_exit();
	TEST_ASSERT(nr_trace == cur->total, "tracefs saw %llu kvm_exit events, kvmx counted %llu",
		    nr_trace, cur->total);
	ksft_test_result_pass("kvmx total %llu == kvm:kvm_exit events in tracefs\n", nr_trace);

	/* the ring: the sampled records, decoded */
	{
		__u32 head = __atomic_load_n(&hdr->head, __ATOMIC_ACQUIRE);
		__u32 tail = hdr->tail;
		__u64 last_ts = 0;
		struct pollfd pfd = { .fd = s, .events = POLLIN };

		TEST_ASSERT(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN),
			    "poll: no POLLIN with %u records, watermark %u", head - tail, N);
		TEST_ASSERT(!hdr->overflow, "ring overflowed %llu", hdr->overflow);
		for (; tail != head; tail++) {
			struct kvmx_exit_record *r = &recs[tail % RING_RECORDS];

			TEST_ASSERT(r->class < KVMX_EXIT_NR_CLASSES, "record class %u", r->class);
			TEST_ASSERT(r->timestamp_ns >= last_ts, "timestamps go back");
			last_ts = r->timestamp_ns;
			nr_rec[r->class]++;
			TEST_ASSERT(r->pc, "record without a guest PC");
			if (r->class == KVMX_EXIT_MMIO) {
				TEST_ASSERT(r->flags & KVMX_REC_GPA_VALID,
					    "MMIO record without GPA");
				if (r->gpa == MMIO_GPA) {
					nr_mmio_at_gpa += check_mmio_record(r);
					nr_violations += r->raw == VMX_EPT_VIOLATION;
				}
			}
			if (r->class == KVMX_EXIT_HYPERCALL)
				TEST_ASSERT(r->vcpu == 0, "hypercall from vCPU %u", r->vcpu);
		}
		__atomic_store_n(&hdr->tail, tail, __ATOMIC_RELEASE);
		TEST_ASSERT(nr_rec[KVMX_EXIT_HYPERCALL] == N,
			    "ring: %llu hypercall records, %u made",
			    nr_rec[KVMX_EXIT_HYPERCALL], N);
		halts = cur->cls[1][KVMX_EXIT_HALT].count;
		TEST_ASSERT(nr_rec[KVMX_EXIT_HALT] == halts / HALT_SAMPLE,
			    "ring: %llu halt records, expected 1 in %u of %llu",
			    nr_rec[KVMX_EXIT_HALT], HALT_SAMPLE, halts);
		TEST_ASSERT(nr_rec[KVMX_EXIT_MMIO] == cur->cls[0][KVMX_EXIT_MMIO].count,
			    "ring: %llu MMIO records, %llu exits", nr_rec[KVMX_EXIT_MMIO],
			    cur->cls[0][KVMX_EXIT_MMIO].count);
		TEST_ASSERT(nr_rec[KVMX_EXIT_CPUID] == 0, "CPUID records but no sampling");
		TEST_ASSERT(nr_mmio_at_gpa == N, "ring: %llu MMIO records at 0x%lx, expected %u",
			    nr_mmio_at_gpa, MMIO_GPA, N);
		if (arch == KVMX_ARCH_X86_VMX)
			TEST_ASSERT(nr_violations == vmx_mmio_violations(),
				    "ring: %llu EPT violations at 0x%lx, expected %u",
				    nr_violations, MMIO_GPA, vmx_mmio_violations());
	}
	ksft_test_result_pass("ring: %u hypercall, %llu halt (1 in %u), %llu MMIO records\n",
			      N, nr_rec[KVMX_EXIT_HALT], HALT_SAMPLE, nr_rec[KVMX_EXIT_MMIO]);

	munmap(hdr, rs.mmap_size);
	close(s);
	kvm_vm_free(vm);

	test_concurrent_vcpus(kvmx);
	close(kvmx);
	ksft_finished();
}
