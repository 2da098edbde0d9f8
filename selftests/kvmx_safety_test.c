// SPDX-License-Identifier: GPL-2.0
/*
 * Host safety: each case reproduces a defect a hostile review found, and
 * passes only if the host neither crashes nor lets userspace or the guest
 * write kernel memory. On the unfixed module each one oopsed the host,
 * overflowed a kernel buffer or left kvmx's device on KVM's bus.
 *
 *   log-nr      the VMM rewrites a LOG ring's nr_records (1 << 31, 0x10001)
 *               under the guest's writes: the kernel keeps its own
 *   run-len     a VMM thread stores run->mmio.len = 0x3000 while the vCPU's
 *               loads are DISCARDed: nothing past mmio.data is written
 *   pieces      (x86) the emulator's pieces of a page-crossing access, of 3
 *               and 5 bytes: BANK, LOG and DOORBELL serve only the
 *               power-of-two sizes they allow, the rest goes to the VMM
 *   window-owner  closing session A removes A's window and session B's
 *               region inside it
 *   window      session B's region in session A's window; A closes, then
 *               B: nothing of kvmx is left on KVM's bus (the range exits
 *               to the VMM), nothing is left allocated, and after rmmod
 *               the guest's access still exits to the VMM
 */
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define BASE		0xc0000000ul	/* guest-physical = guest-virtual */
#define NPAGES		16
#define PAGE		4096ul
#define NR_VCPUS	16		/* kvm_run pages next to vCPU 0's */

#include "kvmx_guest.h"

static struct kvm_vcpu *all[NR_VCPUS];

static int region_add(int fd, struct kvmx_region *r)
{
	r->argsz = sizeof(*r);
	return kvmx_ret(ioctl(fd, KVMX_REGION_ADD, r));
}

static void *region_map(const struct kvmx_region *r)
{
	void *p = mmap(NULL, r->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess,
		       r->mmap_offset);

	TEST_ASSERT(p != MAP_FAILED, "mmap region %u: %s", r->id, strerror(errno));
	return p;
}

static void region_del(int fd, __u32 id)
{
	TEST_ASSERT(!ioctl(fd, KVMX_REGION_DEL, id), "KVMX_REGION_DEL %u: %s", id,
		    strerror(errno));
}

/*
 * A LOG ring of one page of records; the VMM sets nr_records to values
 * that made the unfixed kernel write past the ring (1 << 31: the vmalloc
 * guard page) or 2 MiB further (0x10001), while the guest writes 300 times.
 */
static void test_log_nr(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	const __u32 nr = PAGE / sizeof(struct kvmx_log_record);
	static const __u32 bad[] = { 0x80000000u, 0x10001, 0, 0xffffffffu };
	struct kvmx_region r = { .addr = BASE + 10 * PAGE, .size = 8, .mode = KVMX_MODE_LOG,
				 .access_sizes = 8, .eventfd = -1, .log_records = nr,
				 .log_watermark = 1 };
	struct kvmx_log_record *recs;
	struct kvmx_log_header *h;
	unsigned int i, j, head = 0;

	TEST_ASSERT(!region_add(sess, &r), "add log: %s", strerror(errno));
	h = region_map(&r);
	recs = (void *)h + h->records_offset;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		WRITE_ONCE(h->nr_records, bad[i]);
		user_exits = 0;
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = r.addr, .size = 8,
		       .count = 300, .value = i << 16 });
		/* the kernel's ring holds nr records; the rest went to the VMM */
		TEST_ASSERT_EQ(READ_ONCE(h->head) - head, nr);
		expect_user(300 - nr, "log writes past a full ring");
		for (j = 0; j < nr; j++)
			TEST_ASSERT_EQ(recs[j].data, (u64)(i << 16) + j);
		head = READ_ONCE(h->head);
		__atomic_store_n(&h->tail, head, __ATOMIC_RELEASE);
	}
	munmap(h, r.mmap_size);
	region_del(sess, r.id);
	ksft_test_result_pass("log-nr: nr_records rewritten 4 ways, %u records a round\n", nr);
}

static int scribbling;

/* The VMM's other thread: run->mmio.len, the length the unfixed memset used */
static void *scribble(void *arg)
{
	struct kvm_run *run = arg;

	while (READ_ONCE(scribbling))
		WRITE_ONCE(run->mmio.len, 0x3000);
	return NULL;
}

/*
 * do_cmd() with the scribbler running during KVM_RUN only: it is joined
 * before the ucall is read (on arm64 an MMIO exit, with that same field).
 */
static void scribbled_cmd(struct kvm_vcpu *vcpu, struct guest_cmd *c, u64 addr)
{
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	struct ucall uc;
	pthread_t t;

	*gc = (struct guest_cmd){ .op = OP_READ, .addr = addr, .size = 8, .count = 100,
				  .stride = 8 };
	WRITE_ONCE(scribbling, 1);
	pthread_create(&t, NULL, scribble, vcpu->run);
	/* not vcpu_run(): on arm64 it reads the ucall itself, scribbled */
	while (__vcpu_run(vcpu) && errno == EINTR)
		;
	WRITE_ONCE(scribbling, 0);
	pthread_join(t, NULL);
	/* what KVM stored for the ucall's 8-byte store (arm64) */
	vcpu->run->mmio.len = 8;
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
}

/* Is there a run of 64 0xff bytes in @p (a kvm_run page of another vCPU)? */
static bool ff_filled(const u8 *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < PAGE; i++) {
		n = p[i] == 0xff ? n + 1 : 0;
		if (n >= 64)
			return true;
	}
	return false;
}

static void test_run_len(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_policy p = { .argsz = sizeof(p), .mmio = KVMX_POLICY_DISCARD,
				 .nr_ranges = 1,
				 .ranges[0] = { .addr = BASE + 11 * PAGE, .size = PAGE } };
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	unsigned int i;

	TEST_ASSERT(!ioctl(sess, KVMX_SET_POLICY, &p), "SET_POLICY: %s", strerror(errno));
	user_exits = 0;
	for (i = 0; i < 20; i++) {
		scribbled_cmd(vcpu, c, BASE + 11 * PAGE);
		TEST_ASSERT_EQ(gc->result[i % 64], ~0ull);
	}
	expect_user(0, "discarded loads");
	for (i = 1; i < NR_VCPUS; i++)
		TEST_ASSERT(!ff_filled((u8 *)all[i]->run), "vCPU %u's kvm_run: 0xff bytes", i);
	memset(&p, 0, sizeof(p));
	p.argsz = sizeof(p);
	TEST_ASSERT(!ioctl(sess, KVMX_SET_POLICY, &p), "SET_POLICY default: %s", strerror(errno));
	ksft_test_result_pass("run-len: 2000 loads vs run->mmio.len = 0x3000, %u pages clean\n",
			      NR_VCPUS - 1);
}

#ifdef __x86_64__
static u64 efd_read(int efd)
{
	u64 v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* the emulator's pieces of page-crossing accesses */
static void test_pieces(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	struct kvmx_region b1 = { .addr = BASE, .size = PAGE, .mode = KVMX_MODE_BANK,
				  .access_sizes = KVMX_SIZES_ALL, .eventfd = -1 };
	struct kvmx_region b2 = { .addr = BASE + 2 * PAGE, .size = 2 * PAGE,
				  .mode = KVMX_MODE_BANK, .access_sizes = KVMX_SIZES_ALL,
				  .eventfd = -1 };
	struct kvmx_region b4 = { .addr = BASE + 4 * PAGE, .size = 2 * PAGE,
				  .mode = KVMX_MODE_BANK, .access_sizes = 4, .eventfd = -1 };
	struct kvmx_region lg = { .addr = BASE + 6 * PAGE, .size = 2 * PAGE,
				  .mode = KVMX_MODE_LOG, .access_sizes = KVMX_SIZES_ALL,
				  .eventfd = -1, .log_records = 16, .log_watermark = 16 };
	struct kvmx_region db = { .addr = BASE + 8 * PAGE, .size = 2 * PAGE,
				  .mode = KVMX_MODE_DOORBELL, .access_sizes = KVMX_SIZES_ALL };
	struct kvmx_log_record *rec;
	struct kvmx_log_header *h;
	u8 *m1, *m2, *m4;
	unsigned int i;
	int efd = eventfd(0, EFD_NONBLOCK);

	db.eventfd = efd;
	TEST_ASSERT(!region_add(sess, &b1) && !region_add(sess, &b2) && !region_add(sess, &b4) &&
		    !region_add(sess, &lg) && !region_add(sess, &db), "add: %s", strerror(errno));
	m1 = region_map(&b1);
	m2 = region_map(&b2);
	m4 = region_map(&b4);
	h = region_map(&lg);
	memset(m1, 0x11, PAGE);
	memset(m2, 0x11, 2 * PAGE);
	memset(m4, 0x11, 2 * PAGE);
	user_exits = 0;

	/* 4-byte load at the last 3 bytes of a one-page bank: 3 + 1 */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + PAGE - 3, .size = 4,
	       .count = 1 });
	expect_user(2, "4-byte load across a one-page bank's end");
	TEST_ASSERT_EQ(gc->result[0], 0x5a5a5a5aull);

	/* 4-byte store across a page inside a two-page bank: 3 to the VMM, 1 served */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 3 * PAGE - 3, .size = 4,
	       .count = 1, .value = 0xaabbccdd });
	expect_user(1, "the 3-byte piece of a store inside a bank");
	for (i = PAGE - 3; i < PAGE; i++)
		TEST_ASSERT_EQ(m2[i], 0x11);
	TEST_ASSERT_EQ(m2[PAGE], 0xaa);
	for (i = PAGE + 1; i < PAGE + 8; i++)
		TEST_ASSERT_EQ(m2[i], 0x11);

	/* 8-byte store in a bank of 4-byte registers: pieces of 5 and 3 */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 5 * PAGE - 5, .size = 8,
	       .count = 1, .value = 0x0102030405060708ull });
	expect_user(2, "5- and 3-byte pieces in a 4-byte bank");
	for (i = 0; i < 2 * PAGE; i++)
		TEST_ASSERT_EQ(m4[i], 0x11);

	/* LOG: the 3-byte piece goes to the VMM, the 1-byte one is a record */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 7 * PAGE - 3, .size = 4,
	       .count = 1, .value = 0xaabbccdd });
	expect_user(1, "the 3-byte piece of a logged store");
	TEST_ASSERT_EQ(READ_ONCE(h->head), 1);
	rec = (void *)h + h->records_offset;
	TEST_ASSERT_EQ(rec->size, 1);
	TEST_ASSERT_EQ(rec->addr, BASE + 7 * PAGE);
	TEST_ASSERT_EQ(rec->data, 0xaa);

	/* DOORBELL: only the 1-byte piece rings */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 9 * PAGE - 3, .size = 4,
	       .count = 1, .value = 0xaabbccdd });
	expect_user(1, "the 3-byte piece of a doorbell store");
	TEST_ASSERT_EQ(efd_read(efd), 1);

	munmap(m1, b1.mmap_size);
	munmap(m2, b2.mmap_size);
	munmap(m4, b4.mmap_size);
	munmap(h, lg.mmap_size);
	region_del(sess, b1.id);
	region_del(sess, b2.id);
	region_del(sess, b4.id);
	region_del(sess, lg.id);
	region_del(sess, db.id);
	close(efd);
	ksft_test_result_pass("pieces: 3- and 5-byte pieces to the VMM: BANK, LOG, DOORBELL\n");
}
#endif

/* debugfs kvmx/objects: every count zero? */
static void expect_nothing_allocated(void)
{
	char line[64];
	FILE *f = fopen("/sys/kernel/debug/kvmx/objects", "r");
	long n;

	TEST_ASSERT(f, "open kvmx/objects: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');

		TEST_ASSERT(sp, "kvmx/objects: '%s'", line);
		n = strtol(sp + 1, NULL, 10);
		TEST_ASSERT(n == 0, "kvmx/objects after the last session: %s", line);
	}
	fclose(f);
}

/* Two sessions: a window in session A, a BANK of session B inside it. */
static void window_setup(int kvmx, int *a, int *bs, struct kvm_vcpu *vcpu,
			 struct guest_cmd *c, struct kvmx_region *b)
{
	struct kvmx_region w = { .addr = BASE + 12 * PAGE, .size = 2 * PAGE,
				 .mode = KVMX_MODE_WINDOW, .eventfd = -1 };

	*b = (struct kvmx_region){ .addr = BASE + 12 * PAGE, .size = 64,
				   .mode = KVMX_MODE_BANK, .access_sizes = KVMX_SIZES_ALL,
				   .eventfd = -1 };
	*a = kvmx_attach(kvmx, vm->fd);
	*bs = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(*a >= 0 && *bs >= 0, "attach: %s", strerror(-*a));
	TEST_ASSERT(!region_add(*a, &w), "add window: %s", strerror(errno));
	TEST_ASSERT(!region_add(*bs, b), "add in another's window: %s", strerror(errno));
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = b->addr, .size = 8, .count = 4,
	       .value = 1, .stride = 8 });
	expect_user(0, "bank inside the window");
}

/* Closing the window's session removes the window and what lies in it. */
static void test_window_owner(int kvmx, struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region_list list = { .argsz = sizeof(list) };
	struct kvmx_region b;
	int a, bs;

	window_setup(kvmx, &a, &bs, vcpu, c, &b);
	close(a);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = b.addr, .size = 8, .count = 4,
	       .value = 1, .stride = 8 });
	expect_user(4, "the window's range after its session closed");
	TEST_ASSERT(!ioctl(bs, KVMX_REGION_LIST, &list), "LIST: %s", strerror(errno));
	TEST_ASSERT_EQ(list.nr_total, 0);
	TEST_ASSERT_EQ(kvmx_ret(ioctl(bs, KVMX_REGION_DEL, b.id)), -ENOENT);
	close(bs);
	ksft_test_result_pass("window-owner: closing its session removes what lies in it\n");
}

/*
 * Every session closed, A's first: nothing of kvmx may be left on KVM's
 * bus or allocated, and after rmmod the guest's access still exits to the
 * VMM (the unfixed module: a use-after-free on the first access, an oops
 * in kvm_io_bus_read after rmmod).
 */
static void test_window(int *kvmx, struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	const char *ko = getenv("KVMX_KO") ?: "/kvmx/kvmx.ko";
	struct kvmx_region b;
	int a, bs, fd;

	window_setup(*kvmx, &a, &bs, vcpu, c, &b);
	close(a);
	close(bs);
	close(sess);
	sess = -1;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = b.addr, .size = 8, .count = 4,
	       .value = 1, .stride = 8 });
	expect_user(4, "the range after the VM's last session closed");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = b.addr, .size = 8, .count = 4,
	       .value = 1, .stride = 8 });
	expect_user(4, "reads of the range after the VM's last session closed");
	expect_nothing_allocated();

	/* unloaded: KVM must not reach into the module's memory */
	close(*kvmx);
	*kvmx = -1;
	TEST_ASSERT(!syscall(__NR_delete_module, "kvmx", O_NONBLOCK), "rmmod kvmx: %s",
		    strerror(errno));
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = b.addr, .size = 8, .count = 4,
	       .value = 1, .stride = 8 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = b.addr, .size = 8, .count = 4,
	       .value = 1, .stride = 8 });
	expect_user(8, "the range after rmmod");
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	TEST_ASSERT(fd >= 0 && !syscall(__NR_finit_module, fd, "", 0), "insmod %s: %s", ko,
		    strerror(errno));
	close(fd);
	ksft_test_result_pass("window: nothing left after the last session, or after rmmod\n");
}

/* With arguments, only the cases named run (one crash ends the host). */
static bool want(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	if (argc > 1)
		ksft_test_result_skip("%s: not asked for\n", name);
	return argc == 1;
}

/* /dev/kvmx: test_window() closes and reopens it around rmmod */
static int kvmx_dev;

static void test_window_owner_case(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_window_owner(kvmx_dev, vcpu, c);
}

static void test_window_case(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_window(&kvmx_dev, vcpu, c);
}

static const struct {
	const char *name;
	struct guest_case c;
} cases[] = {
	{ "log-nr", { test_log_nr } },
	{ "run-len", { test_run_len } },
#ifdef __x86_64__
	{ "pieces", { test_pieces } },
#endif
	{ "window-owner", { test_window_owner_case } },
	{ "window", { test_window_case } },
};

int main(int argc, char **argv)
{
	unsigned int i;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	kvmx_dev = kvmx_open_or_skip();
	guest_setup(kvmx_dev, NR_VCPUS, all, BASE, NPAGES);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (want(argc, argv, cases[i].name))
			cases[i].c.fn(all[0], &cmds[0]);
	kvm_vm_free(vm);
	ksft_finished();
}
