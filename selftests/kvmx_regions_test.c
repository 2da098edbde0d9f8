// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx in-kernel regions: a guest performs the accesses the host asks for
 * (size, address, count, value) and the host checks what the regions did
 * and that the VMM saw exactly the accesses no region served:
 *
 *   DOORBELL  eventfd counts, datamatch hit and miss, reads not served;
 *             FAST_MMIO: on VMX served from KVM's fast MMIO bus, no decode
 *   BANK      guest reads what userspace wrote and the reverse, sizes 1-8
 *   LOG       records with payload, size, vCPU; wrap-around; full ring
 *             under both policies (exit to the VMM, or drop and count)
 *   DISCARD   reads return all ones, writes vanish, no exit
 *   edges     accesses straddling a region's edge go to the VMM
 *   WINDOW    4096 regions behind one bus device, each hit exactly
 *   PIO       x86 port-I/O doorbell and bank
 *   4 vCPUs hammer regions while a thread adds and removes others
 */
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define BASE		0xc0000000ul	/* guest-physical = guest-virtual */
#define NPAGES		16
#define PAGE		4096ul

#include "kvmx_guest.h"

static int region_add(struct kvmx_region *r)
{
	r->argsz = sizeof(*r);
	return kvmx_ret(ioctl(sess, KVMX_REGION_ADD, r));
}

static struct kvmx_region_info *region_info(__u32 id)
{
	struct kvmx_region_list *buf = region_list(sess);
	__u32 i;

	for (i = 0; i < buf->nr_entries; i++)
		if (buf->entries[i].id == id)
			return &buf->entries[i];
	TEST_FAIL("region %u not listed", id);
	return NULL;
}

static u64 efd_read(int efd)
{
	u64 v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

#define EXPECT_USER(n, what) expect_user(n, what)

static void test_doorbell(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region r = { .addr = BASE, .size = 8, .mode = KVMX_MODE_DOORBELL,
				 .access_sizes = KVMX_SIZES_ALL };
	struct kvmx_region m = { .addr = BASE + 8, .size = 4, .mode = KVMX_MODE_DOORBELL,
				 .access_sizes = 4, .flags = KVMX_REGION_DATAMATCH,
				 .datamatch = 7 };
	int efd = eventfd(0, EFD_NONBLOCK), efd2 = eventfd(0, EFD_NONBLOCK);
	unsigned int sz;

	r.eventfd = efd;
	m.eventfd = efd2;
	TEST_ASSERT(!region_add(&r) && !region_add(&m), "add doorbells: %s", strerror(errno));
	user_exits = 0;
	for (sz = 1; sz <= 8; sz <<= 1)
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = sz,
		       .count = 10 });
	EXPECT_USER(0, "doorbell writes");
	TEST_ASSERT(efd_read(efd) == 40, "doorbell: eventfd not at 40");
	/* reads are the VMM's */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE, .size = 4, .count = 3 });
	EXPECT_USER(3, "doorbell reads");
	/* datamatch: value 7 hits, 8 goes to the VMM; 2-byte writes too */
	/* 7, 8, 9, 10, 11 */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 8, .size = 4, .count = 5,
	       .value = 7 });
	EXPECT_USER(4, "datamatch");
	TEST_ASSERT(efd_read(efd2) == 1, "datamatch: eventfd not at 1");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 8, .size = 2, .count = 1,
	       .value = 7 });
	EXPECT_USER(1, "doorbell of another size");
	TEST_ASSERT(region_info(r.id)->writes == 40 && region_info(m.id)->writes == 1,
		    "doorbell writes counted %llu, %llu", region_info(r.id)->writes,
		    region_info(m.id)->writes);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, r.id) && !ioctl(sess, KVMX_REGION_DEL, m.id),
		    "del");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE, .size = 8, .count = 2 });
	EXPECT_USER(2, "writes after KVMX_REGION_DEL");
	close(efd);
	close(efd2);
	ksft_test_result_pass("doorbell: 40 writes signalled; reads, misses to the VMM\n");
}

/*
 * A fast doorbell: any write signals. On VMX every access after the page's
 * first (an EPT violation, emulated) is an EPT misconfiguration that KVM's
 * fast MMIO bus completes without decoding the instruction: no length, so
 * no bytes counted, and a read is taken for a write. Elsewhere it is an
 * ordinary doorbell of every size.
 */
static void test_fast_doorbell(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region r = { .addr = BASE + 5 * PAGE, .size = 8,
				 .mode = KVMX_MODE_DOORBELL, .access_sizes = KVMX_SIZES_ALL,
				 .flags = KVMX_REGION_FAST_MMIO };
	bool vmx = KVMX_HOST_ARCH() == KVMX_ARCH_X86_VMX;
	int efd = eventfd(0, EFD_NONBLOCK);
	struct kvmx_region_info *i;
	unsigned int sz;

	r.eventfd = efd;
	TEST_ASSERT(!region_add(&r), "add a fast doorbell: %s", strerror(errno));
	user_exits = 0;
	for (sz = 1; sz <= 8; sz <<= 1)
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 5 * PAGE,
		       .size = sz, .count = 10 });
	EXPECT_USER(0, "fast doorbell writes");
	TEST_ASSERT_EQ(efd_read(efd), 40);
	i = region_info(r.id);
	TEST_ASSERT_EQ(i->writes, 40);
	/* VMX: only the page's first write (1 byte) was decoded */
	TEST_ASSERT(i->bytes == (vmx ? 1 : 10 * (1 + 2 + 4 + 8)),
		    "fast doorbell: %llu bytes counted (%s)", i->bytes, vmx ? "VMX" : "not VMX");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + 5 * PAGE, .size = 4,
	       .count = 3 });
	EXPECT_USER(vmx ? 0 : 3, "fast doorbell reads");
	TEST_ASSERT_EQ(efd_read(efd), (u64)(vmx ? 3 : 0));
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, r.id), "del");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 5 * PAGE, .size = 8,
	       .count = 2 });
	EXPECT_USER(2, "writes after KVMX_REGION_DEL");
	TEST_ASSERT_EQ(efd_read(efd), 0);
	close(efd);
	ksft_test_result_pass("fast doorbell: 40 writes signalled, %s\n",
			      vmx ? "39 from KVM's fast MMIO bus, reads taken for writes" :
			      "reads to the VMM");
}

static void test_bank(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region r = { .addr = BASE + PAGE, .size = 64, .mode = KVMX_MODE_BANK,
				 .access_sizes = KVMX_SIZES_ALL, .eventfd = -1 };
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	unsigned int sz, i;
	u8 *bank;

	TEST_ASSERT(!region_add(&r), "add bank: %s", strerror(errno));
	TEST_ASSERT(r.mmap_size == PAGE && r.mmap_offset, "bank mmap %llu at 0x%llx",
		    r.mmap_size, r.mmap_offset);
	bank = mmap(NULL, r.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess, r.mmap_offset);
	TEST_ASSERT(bank != MAP_FAILED, "mmap bank: %s", strerror(errno));
	for (i = 0; i < 64; i++)
		bank[i] = i * 3;
	user_exits = 0;
	for (sz = 1; sz <= 8; sz <<= 1) {
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + PAGE, .size = sz,
		       .count = 64 / sz, .stride = sz });
		for (i = 0; i < 64 / sz; i++) {
			u64 want = 0;

			memcpy(&want, bank + i * sz, sz);
			TEST_ASSERT(gc->result[i] == want, "bank read size %u at %u: 0x%llx",
				    sz, i * sz, (unsigned long long)gc->result[i]);
		}
	}
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + PAGE + 8, .size = 8,
	       .count = 1, .value = 0x1122334455667788ull });
	TEST_ASSERT(*(u64 *)(bank + 8) == 0x1122334455667788ull, "bank write not seen");
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + PAGE + 2, .size = 2,
	       .count = 1, .value = 0xbeef });
	TEST_ASSERT(*(u16 *)(bank + 2) == 0xbeef, "bank 2-byte write not seen");
	EXPECT_USER(0, "bank");
	/* straddling the end, or just outside: the VMM's */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + PAGE + 60, .size = 8,
	       .count = 1 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + PAGE + 62, .size = 4,
	       .count = 1 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + PAGE + 64, .size = 1,
	       .count = 1 });
	EXPECT_USER(3, "accesses across the bank's end");
	TEST_ASSERT(region_info(r.id)->reads == 64 + 32 + 16 + 8 &&
		    region_info(r.id)->writes == 2 && region_info(r.id)->bytes == 4 * 64 + 10,
		    "bank counters r %llu w %llu b %llu", region_info(r.id)->reads,
		    region_info(r.id)->writes, region_info(r.id)->bytes);
	munmap(bank, r.mmap_size);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, r.id), "del");
	ksft_test_result_pass("bank: sizes 1-8 read and written, edge accesses to the VMM\n");
}

static void test_log(struct kvm_vcpu *vcpu, struct guest_cmd *c, bool drop)
{
	struct kvmx_region r = { .addr = BASE + 2 * PAGE, .size = 16, .mode = KVMX_MODE_LOG,
				 .access_sizes = KVMX_SIZES_ALL, .log_records = 8,
				 .log_watermark = 4,
				 .flags = drop ? KVMX_REGION_LOG_DROP : 0 };
	int efd = eventfd(0, EFD_NONBLOCK);
	struct kvmx_log_header *h;
	struct kvmx_log_record *rec;
	__u32 tail = 0, i, round;

	r.eventfd = efd;
	TEST_ASSERT(!region_add(&r), "add log: %s", strerror(errno));
	h = mmap(NULL, r.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess, r.mmap_offset);
	TEST_ASSERT(h != MAP_FAILED, "mmap log: %s", strerror(errno));
	rec = (void *)h + h->records_offset;
	user_exits = 0;
	/* wrap-around: 3 rounds of 6 writes through an 8-record ring */
	for (round = 0; round < 3; round++) {
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 2 * PAGE + 8,
		       .size = 4, .count = 6, .value = round * 100 });
		TEST_ASSERT(__atomic_load_n(&h->head, __ATOMIC_ACQUIRE) == tail + 6,
			    "log head %u, expected %u", h->head, tail + 6);
		for (i = 0; i < 6; i++, tail++) {
			struct kvmx_log_record *l = &rec[tail % 8];

			TEST_ASSERT(l->addr == BASE + 2 * PAGE + 8 && l->size == 4 &&
				    l->data == round * 100 + i && l->vcpu == 0 && l->timestamp_ns,
				    "log record %u: addr 0x%llx size %u data %llu vcpu %u", tail,
				    l->addr, l->size, l->data, l->vcpu);
		}
		__atomic_store_n(&h->tail, tail, __ATOMIC_RELEASE);
		TEST_ASSERT(efd_read(efd) == 1, "log: watermark eventfd not signalled once");
	}
	EXPECT_USER(0, "log within its size");
	/* full: 8 fit, 4 more are dropped or go to the VMM */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 2 * PAGE, .size = 8,
	       .count = 12 });
	EXPECT_USER(drop ? 0 : 4, "log full");
	TEST_ASSERT(h->head == tail + 8 && (drop ? h->dropped : h->fallbacks) == 4 &&
		    (drop ? region_info(r.id)->dropped : region_info(r.id)->fallbacks) == 4,
		    "log full: head +%u dropped %llu fallbacks %llu", h->head - tail,
		    h->dropped, h->fallbacks);
	/* a dropped write was served (by dropping it); a fallback was not */
	TEST_ASSERT(region_info(r.id)->writes == 18 + 8 + (drop ? 4 : 0), "log writes %llu",
		    region_info(r.id)->writes);
	munmap(h, r.mmap_size);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, r.id), "del");
	close(efd);
	ksft_test_result_pass("log (%s): 18 records via an 8-record ring; full: %s 4\n",
			      drop ? "drop" : "fallback",
			      drop ? "dropped and counted" : "left to the VMM");
}

static void test_discard(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region r = { .addr = BASE + 3 * PAGE, .size = PAGE,
				 .mode = KVMX_MODE_DISCARD, .access_sizes = KVMX_SIZES_ALL,
				 .eventfd = -1 };
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	unsigned int sz, i;

	TEST_ASSERT(!region_add(&r), "add discard: %s", strerror(errno));
	user_exits = 0;
	for (sz = 1; sz <= 8; sz <<= 1) {
		do_cmd(vcpu, c, (struct guest_op){ .op = OP_READ, .addr = BASE + 3 * PAGE,
		       .size = sz, .count = 8, .stride = 64 });
		for (i = 0; i < 8; i++)
			TEST_ASSERT(gc->result[i] == (sz == 8 ? ~0ull : (1ull << (8 * sz)) - 1),
				    "discard read size %u: 0x%llx", sz,
				    (unsigned long long)gc->result[i]);
	}
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = BASE + 3 * PAGE, .size = 4,
	       .count = 16, .stride = 4 });
	EXPECT_USER(0, "discard");
	TEST_ASSERT(region_info(r.id)->reads == 32 && region_info(r.id)->dropped == 16,
		    "discard: reads %llu dropped %llu", region_info(r.id)->reads,
		    region_info(r.id)->dropped);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, r.id), "del");
	ksft_test_result_pass("discard: 32 reads returned all ones, 16 writes dropped, no exit\n");
}

/* 4096 doorbells of 8 bytes behind one window: every one hit exactly once */
#define NR_WIN_REGIONS	4096
static void test_window(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region w = { .addr = BASE + 4 * PAGE, .size = NR_WIN_REGIONS * 8,
				 .mode = KVMX_MODE_WINDOW, .eventfd = -1 };
	__u32 *ids = calloc(NR_WIN_REGIONS, sizeof(*ids));
	int efd = eventfd(0, EFD_NONBLOCK);
	unsigned int i;

	TEST_ASSERT(!region_add(&w), "add window: %s", strerror(errno));
	for (i = 0; i < NR_WIN_REGIONS; i++) {
		struct kvmx_region r = { .addr = w.addr + i * 8, .size = 8,
					 .mode = KVMX_MODE_DOORBELL, .access_sizes = 8,
					 .eventfd = efd };

		TEST_ASSERT(!region_add(&r), "add doorbell %u in the window: %s", i,
			    strerror(errno));
		ids[i] = r.id;
	}
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_WRITE, .addr = w.addr, .size = 8,
	       .count = NR_WIN_REGIONS, .stride = 8 });
	EXPECT_USER(0, "window doorbells");
	TEST_ASSERT(efd_read(efd) == NR_WIN_REGIONS, "window: eventfd count");
	for (i = 0; i < NR_WIN_REGIONS; i += 511)
		TEST_ASSERT(region_info(ids[i])->writes == 1, "region %u: %llu writes", i,
			    region_info(ids[i])->writes);
	TEST_ASSERT(kvmx_ret(ioctl(sess, KVMX_REGION_DEL, w.id)) == -EBUSY,
		    "a window with regions was removed");
	for (i = 0; i < NR_WIN_REGIONS; i++)
		TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, ids[i]), "del %u", i);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, w.id), "del window");
	free(ids);
	close(efd);
	ksft_test_result_pass("window: %u doorbells behind one bus device, each hit once\n",
			      NR_WIN_REGIONS);
}

#ifdef __x86_64__
static void test_pio(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	struct kvmx_region d = { .addr = 0x510, .size = 4, .mode = KVMX_MODE_DOORBELL,
				 .access_sizes = KVMX_SIZES_ALL, .flags = KVMX_REGION_PIO };
	struct kvmx_region b = { .addr = 0x520, .size = 8, .mode = KVMX_MODE_BANK,
				 .access_sizes = 1 | 2 | 4, .flags = KVMX_REGION_PIO,
				 .eventfd = -1 };
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	int efd = eventfd(0, EFD_NONBLOCK);
	u8 *bank;

	d.eventfd = efd;
	TEST_ASSERT(!region_add(&d) && !region_add(&b), "add PIO regions: %s", strerror(errno));
	bank = mmap(NULL, b.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess, b.mmap_offset);
	TEST_ASSERT(bank != MAP_FAILED, "mmap");
	memcpy(bank, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	user_exits = 0;
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_OUT, .addr = 0x510, .size = 1, .count = 5 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_OUT, .addr = 0x510, .size = 4, .count = 5 });
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_IN, .addr = 0x524, .size = 4, .count = 1 });
	TEST_ASSERT(gc->result[0] == 0x88776655, "PIO bank in: 0x%llx",
		    (unsigned long long)gc->result[0]);
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_OUT, .addr = 0x520, .size = 2, .count = 1,
	       .value = 0xabcd });
	TEST_ASSERT(*(u16 *)bank == 0xabcd, "PIO bank out not seen");
	EXPECT_USER(0, "PIO regions");
	TEST_ASSERT(efd_read(efd) == 10, "PIO doorbell count");
	/* across the end */
	do_cmd(vcpu, c, (struct guest_op){ .op = OP_IN, .addr = 0x526, .size = 4, .count = 1 });
	EXPECT_USER(1, "PIO across the bank's end");
	munmap(bank, b.mmap_size);
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, d.id) && !ioctl(sess, KVMX_REGION_DEL, b.id),
		    "del");
	close(efd);
	ksft_test_result_pass("port I/O: doorbell x10, bank in/out, edge to the VMM\n");
}
#endif

/* -- 4 vCPUs against regions coming and going ----------------------------- */

#define NR_HAMMER	4
#define HAMMER_ROUNDS	16
#define HAMMER_N	64

static struct guest_cmd *hcmd[NR_HAMMER];
static struct kvm_vcpu *all[1 + NR_HAMMER];
static int hammer_stop;

static void *hammer(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	unsigned int id = vcpu->id - 1, r;

	for (r = 0; r < HAMMER_ROUNDS; r++)
		do_cmd(vcpu, hcmd[id], (struct guest_op){ .op = OP_WRITE,
		       .addr = BASE + 8 * PAGE + id * PAGE, .size = 8, .count = HAMMER_N,
		       .value = r * HAMMER_N });
	return NULL;
}

static void *churn(void *arg)
{
	unsigned long n = 0;

	/* inside a window (set updates, cheap) and outside (a bus device each) */
	while (!READ_ONCE(hammer_stop)) {
		struct kvmx_region r = { .addr = BASE + (14 + n % 2) * PAGE + (n % 64) * 8,
					 .size = 8,
					 .mode = KVMX_MODE_DISCARD, .access_sizes = 8,
					 .eventfd = -1 };

		TEST_ASSERT(!region_add(&r), "add: %s", strerror(errno));
		TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, r.id), "del");
		n++;
	}
	return (void *)n;
}

static void test_hammer(void)
{
	struct kvmx_region win = { .addr = BASE + 14 * PAGE, .size = PAGE,
				   .mode = KVMX_MODE_WINDOW, .eventfd = -1 };
	struct kvmx_region lg[NR_HAMMER];
	struct kvm_vcpu *vcpus[NR_HAMMER];
	pthread_t th[NR_HAMMER], ch;
	struct kvmx_log_header *h[NR_HAMMER];
	void *churned;
	unsigned int i, j;

	for (i = 0; i < NR_HAMMER; i++) {
		vcpus[i] = all[i + 1];
		hcmd[i] = &cmds[i + 1];
		lg[i] = (struct kvmx_region){ .addr = BASE + 8 * PAGE + i * PAGE, .size = 8,
					      .mode = KVMX_MODE_LOG, .access_sizes = 8,
					      .log_records = 1024, .log_watermark = 1024,
					      .eventfd = -1 };
		TEST_ASSERT(!region_add(&lg[i]), "add log %u: %s", i, strerror(errno));
		h[i] = mmap(NULL, lg[i].mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess,
			    lg[i].mmap_offset);
		TEST_ASSERT(h[i] != MAP_FAILED, "mmap");
		/* to the first sync */
		do_cmd(vcpus[i], hcmd[i], (struct guest_op){ .op = OP_WRITE });
	}
	TEST_ASSERT(!region_add(&win), "add churn window: %s", strerror(errno));
	user_exits = 0;
	pthread_create(&ch, NULL, churn, NULL);
	for (i = 0; i < NR_HAMMER; i++)
		pthread_create(&th[i], NULL, hammer, vcpus[i]);
	for (i = 0; i < NR_HAMMER; i++)
		pthread_join(th[i], NULL);
	WRITE_ONCE(hammer_stop, 1);
	pthread_join(ch, &churned);
	TEST_ASSERT(!user_exits, "%u writes went to the VMM", user_exits);
	for (i = 0; i < NR_HAMMER; i++) {
		struct kvmx_log_record *rec = (void *)h[i] + h[i]->records_offset;

		TEST_ASSERT(h[i]->head == HAMMER_ROUNDS * HAMMER_N && !h[i]->dropped &&
			    !h[i]->fallbacks, "vCPU %u: %u records", i + 1, h[i]->head);
		for (j = 0; j < HAMMER_ROUNDS * HAMMER_N; j++)
			TEST_ASSERT(rec[j].data == j && rec[j].vcpu == i + 1,
				    "vCPU %u record %u: data %llu vcpu %u", i + 1, j,
				    rec[j].data, rec[j].vcpu);
		TEST_ASSERT(region_info(lg[i].id)->writes == HAMMER_ROUNDS * HAMMER_N,
			    "log %u writes", i);
		munmap(h[i], lg[i].mmap_size);
		TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, lg[i].id), "del");
	}
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_DEL, win.id), "del churn window");
	ksft_test_result_pass("%u vCPUs x %u writes logged once, in order; %lu regions churned\n",
			      NR_HAMMER,
			      HAMMER_ROUNDS * HAMMER_N, (unsigned long)churned);
}

static void test_log_fallback(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_log(vcpu, c, false);
}

static void test_log_drop(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_log(vcpu, c, true);
}

static void test_hammer_all(struct kvm_vcpu *vcpu, struct guest_cmd *c)
{
	test_hammer();
}

static const struct guest_case cases[] = {
	{ test_doorbell }, { test_fast_doorbell }, { test_bank }, { test_log_fallback },
	{ test_log_drop }, { test_discard }, { test_window },
#ifdef __x86_64__
	{ test_pio },
#endif
	{ test_hammer_all },
};

int main(void)
{
	unsigned int i;
	int kvmx;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	kvmx = kvmx_open_or_skip();
	/* vCPU 0 runs the mode tests, 1-4 the hammer */
	guest_setup(kvmx, 1 + NR_HAMMER, all, BASE, NPAGES);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cases[i].fn(all[0], &cmds[0]);

	close(sess);
	kvm_vm_free(vm);
	close(kvmx);
	ksft_finished();
}
