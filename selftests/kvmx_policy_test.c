// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx exit policy: a guest performs the accesses the host asks for and the
 * host checks what the VM's policy did with them:
 *
 *   FORWARD   the default: every unclaimed access exits to the VMM, as
 *             without kvmx
 *   DISCARD   unclaimed MMIO (and x86 port I/O): reads return all ones,
 *             writes vanish, no exit; claimed accesses (a kvmx region,
 *             KVM's ioeventfd) are untouched; ranges limit it
 *   INJECT    arm64: an external data abort reaches the guest's handler
 *             with EC DABT_CUR, DFSC 0x10 and the faulting address in FAR;
 *             also for a pair load KVM cannot emulate (no valid syndrome),
 *             which without a policy fails KVM_RUN with ENOSYS
 *   classes   NOTIFY signals an eventfd at every n-th exit of a class,
 *             SAMPLE records 1 in n into the event ring
 *   owner     closing the session that set the policy restores the default
 *   4 vCPUs   write unclaimed MMIO while the policy flips between FORWARD
 *             and DISCARD: every write is either seen by the VMM or counted
 *             as discarded, exactly once
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "syndrome.h"

#define BASE		0xc0000000ul	/* guest-physical = guest-virtual */
#define NPAGES		16
#define PAGE		4096ul
#define N		32
#define PORT		0x3f0

#include "kvmx_guest.h"

/*
 * The policies cover the test's pages only: arm64's ucall is itself an
 * unclaimed MMIO write (elsewhere), which a policy everywhere would eat.
 */
#define TEST_RANGE	{ .nr_ranges = 1, .ranges[0] = { .addr = BASE, .size = NPAGES * PAGE } }

#define NR_HAMMER	4
#define HAMMER_ROUNDS	16
#define HAMMER_N	32

static int kvmx;

/* every result of the last command equals @v */
static void expect_results(struct guest_cmd *c, u64 count, u64 v, const char *what)
{
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	u64 i;

	for (i = 0; i < count && i < 64; i++)
		TEST_ASSERT(gc->result[i] == v, "%s: read %lu returned 0x%lx, expected 0x%lx",
			    what, i, gc->result[i], v);
}

static void test_forward(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_policy p;

	get_policy(sess, &p);
	TEST_ASSERT(!p.flags && !p.mmio && !p.pio && !p.unbacked && !p.nr_ranges,
		    "default policy: flags %u mmio %u pio %u unbacked %u", p.flags, p.mmio,
		    p.pio, p.unbacked);
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 4, .count = N,
	       .stride = 4 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE, .size = 8, .count = N,
	       .stride = 8 });
	expect_user(2 * N, "FORWARD");
	expect_results(c, N, 0x5a5a5a5a5a5a5a5aul, "FORWARD read");
	ksft_test_result_pass("FORWARD (no policy): %u writes and %u reads reach the VMM\n", N, N);
}

static void test_discard(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region db = { .addr = BASE + PAGE, .size = 8, .mode = KVMX_MODE_DOORBELL,
				  .access_sizes = KVMX_SIZES_ALL };
	struct kvm_ioeventfd io = { .addr = BASE + 2 * PAGE, .len = 4 };
	struct kvmx_policy p = TEST_RANGE;
	static const u64 ones[] = { 0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, ~0ul };
	int efd = eventfd(0, EFD_NONBLOCK), ioefd = eventfd(0, EFD_NONBLOCK);
	unsigned int size;
	u64 v = 0;

	p.mmio = KVMX_POLICY_DISCARD;
	TEST_ASSERT(!set_policy(sess, &p), "DISCARD: %s", strerror(errno));
	user_exits = 0;
	for (size = 1; size <= 8; size *= 2) {
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = size,
		       .count = N, .stride = size });
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + 8 * size,
		       .size = size, .count = N, .stride = size });
		expect_results(c, N, ones[size], "DISCARD read");
	}
	expect_user(0, "DISCARD");
	get_policy(sess, &p);
	TEST_ASSERT(p.mmio_discarded == 4 * 2 * N && (p.flags & KVMX_POLICY_MINE),
		    "discarded %llu, expected %u; flags %u", p.mmio_discarded, 8 * N, p.flags);

	/* claimed accesses are not the policy's: a doorbell, an ioeventfd */
	db.argsz = sizeof(db);
	db.eventfd = efd;
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_ADD, &db), "doorbell: %s", strerror(errno));
	io.fd = ioefd;
	vm_ioctl(vm, KVM_IOEVENTFD, &io);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = db.addr, .size = 8,
	       .count = N });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = io.addr, .size = 4,
	       .count = N });
	TEST_ASSERT(read(efd, &v, 8) == 8 && v == N, "doorbell signalled %lu times", v);
	TEST_ASSERT(read(ioefd, &v, 8) == 8 && v == N, "ioeventfd signalled %lu times", v);
	get_policy(sess, &p);
	TEST_ASSERT(p.mmio_discarded == 8 * N, "claimed writes discarded: %llu",
		    p.mmio_discarded - 8 * N);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, db.id), "del");
	io.flags = KVM_IOEVENTFD_FLAG_DEASSIGN;
	vm_ioctl(vm, KVM_IOEVENTFD, &io);
	close(efd);
	close(ioefd);

	/* a range: only inside it */
	p = (struct kvmx_policy){ .mmio = KVMX_POLICY_DISCARD, .nr_ranges = 1,
				  .ranges[0] = { .addr = BASE + 4 * PAGE, .size = PAGE } };
	TEST_ASSERT(!set_policy(sess, &p), "DISCARD in a range: %s", strerror(errno));
	TEST_ASSERT(p.mmio_discarded == 8 * N, "SET returned the replaced policy's count %llu",
		    p.mmio_discarded);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + 4 * PAGE, .size = 4,
	       .count = N, .stride = PAGE / N });
	expect_results(c, N, 0xffffffff, "DISCARD read in the range");
	expect_user(0, "inside the range");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + 5 * PAGE, .size = 4,
	       .count = N, .stride = 4 });
	expect_results(c, N, 0x5a5a5a5a, "read past the range");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 4 * PAGE - 4, .size = 4,
	       .count = 1 });
	expect_user(N + 1, "outside the range");

	memset(&p, 0, sizeof(p));
	TEST_ASSERT(!set_policy(sess, &p), "back to the default: %s", strerror(errno));
	TEST_ASSERT(p.mmio_discarded == N, "the range discarded %llu", p.mmio_discarded);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 4, .count = N,
	       .stride = 4 });
	expect_user(N, "FORWARD again");
	ksft_test_result_pass("DISCARD: sizes 1-8 all ones, no exit; claimed ones served; range\n");
}

#ifdef __x86_64__
static void test_pio(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_policy p = { .pio = KVMX_POLICY_DISCARD, .nr_ranges = 1,
				 .ranges[0] = { .addr = PORT, .size = 8,
						.flags = KVMX_RANGE_PIO } };

	TEST_ASSERT(!set_policy(sess, &p), "PIO DISCARD: %s", strerror(errno));
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_OUT, .addr = PORT, .size = 1, .count = 8,
	       .stride = 1 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_IN, .addr = PORT, .size = 2, .count = 4,
	       .stride = 2 });
	expect_results(c, 4, 0xffff, "DISCARD inw");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_IN, .addr = PORT, .size = 4, .count = 2,
	       .stride = 4 });
	expect_results(c, 2, 0xffffffff, "DISCARD inl");
	expect_user(0, "port DISCARD");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_OUT, .addr = PORT + 8, .size = 1, .count = 4,
	       .stride = 1 });
	expect_user(4, "ports past the range");
	/* MMIO is FORWARD in this policy */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 4, .count = 4,
	       .stride = 4 });
	expect_user(4, "MMIO under a port policy");
	memset(&p, 0, sizeof(p));
	TEST_ASSERT(!set_policy(sess, &p), "default: %s", strerror(errno));
	TEST_ASSERT(p.pio_discarded == 14 && !p.mmio_discarded, "pio %llu mmio %llu",
		    p.pio_discarded, p.mmio_discarded);
	ksft_test_result_pass("port DISCARD: in returns all ones, out dropped, range kept\n");
}
#else
static u64 vcpu_pc(struct kvm_vcpu *vcpu, u64 *set)
{
	u64 pc;
	struct kvm_one_reg reg = { .id = ARM64_CORE_REG(regs.pc), .addr = (u64)&pc };

	if (set) {
		pc = *set;
		vcpu_ioctl(vcpu, KVM_SET_ONE_REG, &reg);
	} else {
		vcpu_ioctl(vcpu, KVM_GET_ONE_REG, &reg);
	}
	return pc;
}

/* The VM's count of stage-2 faults of class @cls (KVMX_GET_FAULTS). */
static u64 fault_count(unsigned int cls)
{
	const size_t size = 1 << 16;
	struct kvmx_faults *f = calloc(1, size);	/* not .bss: it is the guest's */
	u64 n = 0;
	u32 i;

	f->argsz = size;
	TEST_ASSERT(!ioctl(sess, KVMX_GET_FAULTS, f), "KVMX_GET_FAULTS: %s", strerror(errno));
	for (i = 0; i < f->nr_entries; i++)
		if (f->entries[i].kind == KVMX_FAULT_KIND_CLASS &&
		    f->entries[i].vcpu == KVMX_STAT_VM && f->entries[i].class == cls)
			n = f->entries[i].count;
	free(f);
	return n;
}

static void test_inject(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_policy p = TEST_RANGE;
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	u64 pc, unbacked;
	int ret;

	p.mmio = KVMX_POLICY_INJECT;
	TEST_ASSERT(!set_policy(sess, &p), "INJECT: %s", strerror(errno));
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 4, .count = N,
	       .stride = 4 });
	expect_aborts(N, BASE + 4 * (N - 1), "INJECT write");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + PAGE, .size = 8,
	       .count = N, .stride = 8 });
	expect_aborts(N, BASE + PAGE + 8 * (N - 1), "INJECT read");
	expect_user(0, "INJECT");

	/* a pair load outside memslots: no valid syndrome, not MMIO KVM can do */
	memset(&p, 0, sizeof(p));
	p.unbacked = KVMX_POLICY_INJECT;
	TEST_ASSERT(!set_policy(sess, &p), "unbacked INJECT: %s", strerror(errno));
	TEST_ASSERT(p.mmio_injected == 2 * N, "MMIO injected %llu, expected %u",
		    p.mmio_injected, 2 * N);
	unbacked = fault_count(KVMX_FAULT_UNBACKED);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_LDP, .addr = BASE + 3 * PAGE, .size = 8,
	       .count = N, .stride = 16 });
	expect_aborts(N, BASE + 3 * PAGE + 16 * (N - 1), "INJECT pair load");
	unbacked = fault_count(KVMX_FAULT_UNBACKED) - unbacked;
	TEST_ASSERT(unbacked == N, "pair loads counted as unbacked faults: %lu", unbacked);
	expect_user(0, "unbacked INJECT");

	/* without it: KVM_RUN fails with ENOSYS; the host steps over the load */
	memset(&p, 0, sizeof(p));
	TEST_ASSERT(!set_policy(sess, &p), "default: %s", strerror(errno));
	TEST_ASSERT(p.unbacked_injected == N, "unbacked injected %llu", p.unbacked_injected);
	*gc = (struct guest_cmd){ .op = OP_LDP, .addr = BASE + 3 * PAGE, .size = 8, .count = 1 };
	ret = __vcpu_run(vcpu);
	/* 38 is ENOSYS, "invalid system call" to checkpatch, KVM's answer here */
	TEST_ASSERT(ret == -1 && errno == 38, "FORWARD pair load: KVM_RUN %d errno %d", ret,
		    errno);
	pc = vcpu_pc(vcpu, NULL) + 4;
	vcpu_pc(vcpu, &pc);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE });
	expect_aborts(0, 0, "FORWARD pair load");
	ksft_test_result_pass("INJECT: %u writes, %u reads, %u unbacked pair loads abort\n",
			      N, N, N);
}
#endif

/* NOTIFY and SAMPLE on the class of OP_TRAP's exit */
static void test_classes(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
#ifdef __x86_64__
	const unsigned int cls = KVMX_EXIT_CPUID;
#else
	const unsigned int cls = KVMX_EXIT_SYSREG;
#endif
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs), .nr_records = 256, .watermark = 1 };
	int efd = eventfd(0, EFD_NONBLOCK), s2;
	struct kvmx_policy p = {}, q;
	struct kvmx_ring_header *h;
	struct kvmx_exit_record *rec;
	unsigned int i, n = 0;
	u64 v = 0;

	/* a second session's ring, which samples nothing of its own */
	s2 = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s2 >= 0, "attach: %s", strerror(-s2));
	TEST_ASSERT(!ioctl(s2, KVMX_RING_SETUP, &rs), "ring: %s", strerror(errno));
	h = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s2, 0);
	TEST_ASSERT(h != MAP_FAILED, "mmap ring");

	p.classes[cls] = (struct kvmx_class_policy){ .action = KVMX_CLASS_NOTIFY, .n = 4,
						     .eventfd = efd };
	TEST_ASSERT(!set_policy(sess, &p), "NOTIFY: %s", strerror(errno));
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_TRAP, .count = N });
	TEST_ASSERT(read(efd, &v, 8) == 8 && v == N / 4, "NOTIFY 1 in 4 of %u: %lu", N, v);
	get_policy(s2, &q);
	TEST_ASSERT(q.notified[cls] == N / 4 && q.classes[cls].eventfd == -1 &&
		    !(q.flags & KVMX_POLICY_MINE), "notified %llu, eventfd %d, flags %u",
		    q.notified[cls], q.classes[cls].eventfd, q.flags);

	p.classes[cls] = (struct kvmx_class_policy){ .action = KVMX_CLASS_SAMPLE, .n = 8 };
	TEST_ASSERT(!set_policy(sess, &p), "SAMPLE: %s", strerror(errno));
	TEST_ASSERT(p.notified[cls] == N / 4, "SET returned notified %llu", p.notified[cls]);
	rec = (void *)h + h->records_offset;
	h->tail = h->head;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_TRAP, .count = N });
	for (i = h->tail; i != h->head; i++)
		n += rec[i % h->nr_records].class == cls;
	TEST_ASSERT(n == N / 8 && h->head - h->tail == n,
		    "SAMPLE 1 in 8 of %u: %u records, %u in all",
		    N, n, h->head - h->tail);
	TEST_ASSERT(read(efd, &v, 8) < 0, "NOTIFY after the policy changed");
	munmap(h, rs.mmap_size);
	close(s2);
	memset(&p, 0, sizeof(p));
	TEST_ASSERT(!set_policy(sess, &p), "default: %s", strerror(errno));
	close(efd);
	ksft_test_result_pass("classes: NOTIFY every 4th of %u: %u, SAMPLE 1 in 8: %u records\n",
			      N, N / 4, N / 8);
}

/* the policy is its setter's: closing it restores the default */
static void test_owner(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_policy p = TEST_RANGE;
	int s2 = kvmx_attach(kvmx, vm->fd);

	TEST_ASSERT(s2 >= 0, "attach: %s", strerror(-s2));
	p.mmio = KVMX_POLICY_DISCARD;
	TEST_ASSERT(!set_policy(s2, &p), "DISCARD from a second session: %s", strerror(errno));
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 4, .count = N,
	       .stride = 4 });
	expect_user(0, "the second session's DISCARD");
	get_policy(sess, &p);
	TEST_ASSERT(p.mmio == KVMX_POLICY_DISCARD && !(p.flags & KVMX_POLICY_MINE),
		    "seen from the first: mmio %u flags %u", p.mmio, p.flags);
	close(s2);
	get_policy(sess, &p);
	TEST_ASSERT(!p.mmio && !p.mmio_discarded, "after close: mmio %u", p.mmio);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 4, .count = N,
	       .stride = 4 });
	expect_user(N, "after the setter closed");
	ksft_test_result_pass("closing the setting session restores FORWARD\n");
}

/* -- 4 vCPUs while the policy flips ----------------------------------------- */

#define FLIPS		32

static struct kvm_vcpu *all[1 + NR_HAMMER];
static int hammer_stop;

/* rounds of HAMMER_N writes until the flipper is done, at least HAMMER_ROUNDS */
static void *hammer(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	unsigned long r;

	for (r = 0; r < HAMMER_ROUNDS || !READ_ONCE(hammer_stop); r++)
		do_cmd(vcpu, &cmds[vcpu->id], (struct guest_op){ .op = OP_WRITE,
		       .addr = BASE + vcpu->id * PAGE, .size = 8, .count = HAMMER_N, .stride = 8 });
	return (void *)r;
}

/*
 * DISCARD on the test's pages, DISCARD elsewhere only (the hook stays), and every
 * 8th time the default (the hook goes): each SET returns the final count of
 * the policy it replaced.
 */
static void *flipper(void *arg)
{
	u64 *discarded = arg;
	unsigned long n;

	for (n = 0; n < FLIPS; n++) {
		struct kvmx_policy p = TEST_RANGE;

		p.mmio = n % 8 == 7 ? KVMX_POLICY_FORWARD : KVMX_POLICY_DISCARD;
		if (n % 2)
			p.ranges[0] = (struct kvmx_policy_range){ .addr = 0x1000, .size = 8 };
		TEST_ASSERT(!set_policy(sess, &p), "flip: %s", strerror(errno));
		*discarded += p.mmio_discarded;
	}
	WRITE_ONCE(hammer_stop, 1);
	return NULL;
}

static void test_flip(void)
{
	struct kvmx_policy p = {};
	pthread_t th[NR_HAMMER], fl;
	unsigned long total = 0;
	u64 discarded = 0;
	unsigned int i;
	void *rounds;

	/* each to its first sync */
	for (i = 1; i <= NR_HAMMER; i++)
		do_cmd(all[i], &cmds[i], (struct guest_op){ .op = OP_WRITE });
	user_exits = 0;
	for (i = 0; i < NR_HAMMER; i++)
		pthread_create(&th[i], NULL, hammer, all[i + 1]);
	pthread_create(&fl, NULL, flipper, &discarded);
	pthread_join(fl, NULL);
	for (i = 0; i < NR_HAMMER; i++) {
		pthread_join(th[i], &rounds);
		total += (unsigned long)rounds * HAMMER_N;
	}
	TEST_ASSERT(!set_policy(sess, &p), "default: %s", strerror(errno));
	discarded += p.mmio_discarded;
	TEST_ASSERT(user_exits + discarded == total && user_exits && discarded,
		    "%lu writes: %u reached the VMM, %lu discarded", total, user_exits, discarded);
	ksft_test_result_pass("%u vCPUs, %lu writes, %u changes: %u to VMM, %lu discarded\n",
			      NR_HAMMER, total, FLIPS, user_exits, discarded);
}

/* Is kvmx's hook on KVM's function installed? (tracefs enabled_functions) */
static bool hooked(void)
{
#ifdef __x86_64__
	const char *fn = "kvm_io_bus_write";
#else
	const char *fn = "io_mem_abort";
#endif
	FILE *f = fopen("/sys/kernel/tracing/enabled_functions", "r");
	char line[256];
	bool on = false;

	TEST_ASSERT(f, "open enabled_functions: %s", strerror(errno));
	while (!on && fgets(line, sizeof(line), f))
		on = !strncmp(line, fn, strlen(fn)) && line[strlen(fn)] == ' ';
	fclose(f);
	return on;
}

/*
 * A VMM flipping between a hooked policy and the default: the hook, whose
 * installation rewrites kernel text (arm64: under stop_machine), stays
 * installed while it is flipped, and goes a few seconds after the last use.
 */
static void test_linger(void)
{
	struct kvmx_policy p = TEST_RANGE, none = { .argsz = sizeof(none) };
	unsigned int i, waited;

	p.argsz = sizeof(p);
	p.mmio = KVMX_POLICY_DISCARD;
	for (i = 0; i < 200; i++) {
		TEST_ASSERT(!ioctl(sess, KVMX_SET_POLICY, i % 2 ? &none : &p), "SET_POLICY %u: %s",
			    i, strerror(errno));
		TEST_ASSERT(hooked(), "the hook is not installed after SET_POLICY %u", i);
	}
	for (waited = 0; hooked() && waited < 30; waited++)
		sleep(1);
	TEST_ASSERT(!hooked(), "the hook is still installed 30 s after its last use");
	ksft_test_result_pass("linger: 200 flips, the hook stays; gone %u s after its last use\n",
			      waited);
}

static void test_flip_all(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_flip();
}

static void test_linger_all(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_linger();
}

static const struct guest_case cases[] = {
	{ test_forward }, { test_discard },
#ifdef __x86_64__
	{ test_pio },
#else
	{ test_inject },
#endif
	{ test_classes }, { test_owner }, { test_flip_all }, { test_linger_all },
};

int main(void)
{
	unsigned int i;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	kvmx = kvmx_open_or_skip();
	guest_setup(kvmx, 1 + NR_HAMMER, all, BASE, NPAGES);
#ifdef __aarch64__
	guest_catch_aborts(all[0]);
#endif
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cases[i].fn(all[0], &cmds[0]);

	close(sess);
	kvm_vm_free(vm);
	close(kvmx);
	ksft_finished();
}
