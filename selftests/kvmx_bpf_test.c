// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx's programmable policy (KVMX_CAP_BPF): the example device of
 * tools/bpf/kvmx_dev.bpf.c in a PROGRAM region, and its exit program.
 *
 *   absent    without the capability (6.1), PROGRAM regions and program
 *             policies are refused with EOPNOTSUPP; the rest is skipped
 *   device    4 vCPUs at once: every STATUS read is what that vCPU wrote
 *             last, transformed; COUNTER reads never go back and end at
 *             the number of writes; nothing exits to the VMM
 *   kfuncs    ID reads the bank the VMM wrote; DOORBELL appends to the
 *             region's ring and signals its eventfd
 *   forward   what the program forwards exits to the VMM, counted
 *   exits     the program's per-vCPU MMIO counts equal kvmx's stats; its
 *             every 100th exit is in the event ring, nothing else
 *   decide    each decision of an exit program (kvmx_decide.bpf.c) on
 *             unclaimed MMIO, 8 exits each: COUNT, SAMPLE (in the ring),
 *             NOTIFY (the class's eventfd), INJECT (arm64: the guest's
 *             abort handler; x86: refused, as an unknown value is), all
 *             counted by the policy, and the VMM sees what it should
 *   bad fds   a closed fd, an eventfd, a map, a link serving another VM:
 *             refused, nothing changed
 *   verifier  programs that read past their context, write what they may
 *             not or call mmio()'s kfuncs from exit() are refused at load
 *   detach    BPF_LINK_DETACH while 4 vCPUs read: every access was served
 *             by the program or seen by the VMM, exactly once
 *   unload    kvmx cannot be unloaded while a struct kvmx_ops exists, and
 *             nothing else holds it when it is gone
 */
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "kvmx_guest.h"
#include "kvmx_bpf_load.h"
#include "kvmx_dev.h"
#include "kvmx_decide.h"

#define BASE		0xc0000000ul	/* the device; guest-physical = virtual */
#define NPAGES		2
#define FWD_OFF		0x800		/* an offset the device forwards */
#define NR_VCPUS	4		/* vCPUs 1..4 run at once */
#define ROUNDS		12
#define K		4		/* COUNTER writes per round */
#define LOG_RECORDS	64
#define DEV_ID		0x6b766d78646576ull	/* "kvmxdev" */
#define RING_RECORDS	1024

static int kvmx, region_id, efd;
static struct kvm_vcpu *all[1 + NR_VCPUS];
static struct kvmx_bpf dev;
static char bpf_dir[256];
static void *map;
static struct kvmx_ring_header *ring;
static size_t map_size, ring_size;
static bool have_bpf;

static void bpf_path(char *buf, size_t n, const char *obj)
{
	snprintf(buf, n, "%s/%s", bpf_dir, obj);
}

static struct kvmx_region program_region(int link_fd)
{
	return (struct kvmx_region){
		.argsz = sizeof(struct kvmx_region), .addr = BASE, .size = KVMX_DEV_SIZE,
		.mode = KVMX_MODE_PROGRAM, .access_sizes = 8, .eventfd = -1,
		.link_fd = link_fd,
	};
}

static int region_add(int s, struct kvmx_region *r)
{
	return kvmx_ret(ioctl(s, KVMX_REGION_ADD, r));
}

static struct kvmx_dev_state dev_state(void)
{
	struct kvmx_dev_state st;
	__u32 key = 0;
	int ret = kvmx_bpf_lookup(&dev, "state", &key, &st, sizeof(st));

	TEST_ASSERT(!ret, "state map: %s", strerror(-ret));
	return st;
}

static u64 result(struct guest_cmd *c, unsigned int i)
{
	return ((struct guest_cmd *)addr_gva2hva(vm, (vm_vaddr_t)c))->result[i];
}

static struct kvmx_region_info region_info(int id)
{
	struct kvmx_region_list *l = region_list(sess);
	u32 i;

	for (i = 0; i < l->nr_entries; i++)
		if (l->entries[i].id == (u32)id)
			return l->entries[i];
	TEST_FAIL("no region %d", id);
	return (struct kvmx_region_info){};
}

/* @count accesses of @size bytes at the device's offset @off (+ i * @stride), by @vcpu */
static void dev_access(struct kvm_vcpu *vcpu, u64 op, u64 off, u64 size, u64 count, u64 value,
		       u64 stride)
{
	struct guest_op o = { .op = op, .addr = BASE + off, .size = size, .count = count,
			      .value = value, .stride = stride };

	do_cmd(vcpu, &cmds[vcpu->id], o);
}

/* -- absent ------------------------------------------------------------------ */

static void test_absent(void)
{
	struct kvmx_region r = program_region(0);
	struct kvmx_policy p = { .flags = KVMX_POLICY_PROGRAM };

	TEST_ASSERT_EQ(region_add(sess, &r), -EOPNOTSUPP);
	TEST_ASSERT_EQ(set_policy(sess, &p), -EOPNOTSUPP);
	TEST_ASSERT_EQ(region_list(sess)->nr_total, 0);
	ksft_test_result_pass("absent: PROGRAM and a program policy: EOPNOTSUPP\n");
}

/* -- the device, 4 vCPUs ------------------------------------------------------ */

static u64 status_value(unsigned int id, unsigned int round)
{
	return (u64)id << 40 | (u64)round << 8 | 0x11;
}

static void *device_vcpu(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct guest_cmd *c = &cmds[vcpu->id];
	u64 st = KVMX_DEV_STATUS0 + 8 * vcpu->id;
	u64 last = 0, v;
	unsigned int r, i;

	/* to its first GUEST_SYNC, where it takes commands */
	dev_access(vcpu, OP_WRITE, 0, 8, 0, 0, 0);
	for (r = 0; r < ROUNDS; r++) {
		dev_access(vcpu, OP_WRITE, st, 8, 1, status_value(vcpu->id, r), 0);
		dev_access(vcpu, OP_READ, st, 8, 2, 0, 0);
		for (i = 0; i < 2; i++) {
			v = result(c, i);
			TEST_ASSERT(v == KVMX_DEV_STATUS(status_value(vcpu->id, r)),
				    "vCPU %u round %u: STATUS read 0x%lx, expected 0x%llx (%u exits to the VMM)",
				    vcpu->id, r, v,
				    KVMX_DEV_STATUS(status_value(vcpu->id, r)), user_exits);
		}
		dev_access(vcpu, OP_WRITE, KVMX_DEV_COUNTER, 8, K, 0, 0);
		dev_access(vcpu, OP_READ, KVMX_DEV_COUNTER, 8, 2, 0, 0);
		for (i = 0; i < 2; i++) {
			v = result(c, i);
			/* its own writes are in; never back; never past all writes */
			TEST_ASSERT(v >= (r + 1) * K && v >= last && v <= NR_VCPUS * ROUNDS * K,
				    "vCPU %u round %u: COUNTER read %lu after %lu", vcpu->id, r,
				    v, last);
			last = v;
		}
	}
	return NULL;
}

static void test_device(void)
{
	struct kvmx_region r;
	struct kvmx_policy p = {};
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs), .nr_records = RING_RECORDS,
				      .watermark = 1 };
	char path[300];
	pthread_t th[NR_VCPUS];
	unsigned int i;
	int ret;

	bpf_path(path, sizeof(path), "kvmx_dev.bpf.o");
	ret = kvmx_bpf_open(&dev, path, NULL);
	TEST_ASSERT(!ret, "loading %s: %s\n%s", path, strerror(-ret), dev.log);

	/* the region, its bank (ID), ring and eventfd */
	efd = eventfd(0, EFD_NONBLOCK);
	r = program_region(dev.link_fd);
	r.eventfd = efd;
	r.log_records = LOG_RECORDS;
	r.log_watermark = LOG_RECORDS;
	TEST_ASSERT_EQ(region_add(sess, &r), 0);
	region_id = r.id;
	TEST_ASSERT_EQ(r.mmap_size, 4096 + 4096 + 4096);
	map_size = r.mmap_size;
	map = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess, r.mmap_offset);
	TEST_ASSERT(map != MAP_FAILED, "mmap: %s", strerror(errno));
	*(u64 *)map = DEV_ID;

	/* the exit program (same link), an event ring, counts from zero */
	p.flags = KVMX_POLICY_PROGRAM;
	p.link_fd = dev.link_fd;
	TEST_ASSERT_EQ(set_policy(sess, &p), 0);
	TEST_ASSERT(!ioctl(sess, KVMX_RING_SETUP, &rs), "KVMX_RING_SETUP: %s", strerror(errno));
	ring_size = rs.mmap_size;
	ring = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess, 0);
	TEST_ASSERT(ring != MAP_FAILED, "mmap ring: %s", strerror(errno));
	TEST_ASSERT(!ioctl(sess, KVMX_RESET_STATS, 0), "KVMX_RESET_STATS: %s", strerror(errno));

	user_exits = 0;
	for (i = 0; i < NR_VCPUS; i++)
		pthread_create(&th[i], NULL, device_vcpu, all[1 + i]);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(th[i], NULL);

	dev_access(all[0], OP_READ, KVMX_DEV_COUNTER, 8, 1, 0, 0);
	TEST_ASSERT_EQ(result(&cmds[0], 0), NR_VCPUS * ROUNDS * K);
	TEST_ASSERT_EQ(dev_state().counter, NR_VCPUS * ROUNDS * K);
	expect_user(0, "device");
	ksft_test_result_pass("device: %u vCPUs, %u STATUS and %u COUNTER reads exact\n",
			      NR_VCPUS, NR_VCPUS * ROUNDS * 2, NR_VCPUS * ROUNDS * 2 + 1);
}

static void test_kfuncs(void)
{
	struct kvmx_log_header *log = map + 4096;
	struct kvmx_log_record *rec = map + log->records_offset;
	u64 n = 0;
	u32 i;

	dev_access(all[0], OP_READ, KVMX_DEV_ID, 8, 1, 0, 0);
	TEST_ASSERT_EQ(result(&cmds[0], 0), DEV_ID);
	dev_access(all[0], OP_WRITE, KVMX_DEV_DOORBELL, 8, 3, 0x100, 0);
	TEST_ASSERT_EQ(log->head, 3);
	TEST_ASSERT_EQ(log->records_offset, 4096 + 4096);
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQ(rec[i].data, 0x100 + i);
		TEST_ASSERT_EQ(rec[i].addr, BASE + KVMX_DEV_DOORBELL);
		TEST_ASSERT_EQ(rec[i].size, 8);
		TEST_ASSERT_EQ(rec[i].vcpu, 0);
	}
	TEST_ASSERT_EQ(read(efd, &n, sizeof(n)), sizeof(n));
	TEST_ASSERT_EQ(n, 3);
	TEST_ASSERT_EQ(dev_state().log_full, 0);
	expect_user(0, "kfuncs");
	ksft_test_result_pass("kfuncs: bank read, 3 ring records, 3 signals\n");
}

static void test_forward(void)
{
	struct kvmx_region_info before = region_info(region_id), after;

	dev_access(all[0], OP_WRITE, FWD_OFF, 8, 4, 0, 8);
	dev_access(all[0], OP_READ, FWD_OFF, 8, 4, 0, 8);
	TEST_ASSERT_EQ(result(&cmds[0], 3), 0x5a5a5a5a5a5a5a5aull);
	/* a 4-byte access is not a size the region serves: not even offered */
	dev_access(all[0], OP_READ, KVMX_DEV_COUNTER, 4, 1, 0, 0);
	expect_user(9, "forward");
	after = region_info(region_id);
	TEST_ASSERT_EQ(after.fallbacks - before.fallbacks, 8);
	TEST_ASSERT_EQ(after.link_id != 0, true);
	ksft_test_result_pass("forward: 8 accesses forwarded to the VMM\n");
}

/* -- exits ---------------------------------------------------------------------- */

static __u64 stat_mmio(struct kvmx_stats *st, u32 vcpu)
{
	u32 i;

	for (i = 0; i < st->nr_entries; i++)
		if (st->entries[i].kind == KVMX_STAT_CLASS && st->entries[i].vcpu == vcpu &&
		    st->entries[i].class == KVMX_EXIT_MMIO)
			return st->entries[i].count;
	return 0;
}

static void test_exits(void)
{
	const size_t size = 1 << 20;
	struct kvmx_stats *st = calloc(1, size);
	struct kvmx_exit_record *recs = (void *)ring + ring->records_offset;
	struct kvmx_dev_state ds = dev_state();
	struct kvmx_policy p;
	__u64 sum = 0, in_ring = 0;
	u32 i;

	st->argsz = size;
	TEST_ASSERT(!ioctl(sess, KVMX_GET_STATS, st), "KVMX_GET_STATS: %s", strerror(errno));
	for (i = 0; i <= NR_VCPUS; i++) {
		TEST_ASSERT(ds.exits[i] == stat_mmio(st, i),
			    "vCPU %u: the program counted %llu MMIO exits, kvmx %llu", i,
			    ds.exits[i], stat_mmio(st, i));
		sum += ds.exits[i];
	}
	TEST_ASSERT_EQ(sum, ds.exits_all);
	get_policy(sess, &p);
	TEST_ASSERT_EQ(p.prog_calls, ds.exits_all);
	TEST_ASSERT_EQ(p.prog_refused, 0);
	TEST_ASSERT_EQ(p.prog_classes, 1u << KVMX_EXIT_MMIO);
	TEST_ASSERT_EQ(p.flags, KVMX_POLICY_PROGRAM | KVMX_POLICY_MINE);
	TEST_ASSERT(p.prog_link_id != 0, "no link id");
	TEST_ASSERT_EQ(p.link_fd, -1);
	/* the 1.4 structure is still taken */
	memset(&p, 0, sizeof(p));
	p.argsz = offsetof(struct kvmx_policy, link_fd);
	TEST_ASSERT(!ioctl(sess, KVMX_GET_POLICY, &p), "GET_POLICY of 1.4: %s", strerror(errno));
	TEST_ASSERT_EQ(p.argsz, sizeof(p));
	TEST_ASSERT_EQ(p.link_fd, 0);	/* not written: past the caller's argsz */

	TEST_ASSERT_EQ(ring->overflow, 0);
	for (i = ring->tail; i != ring->head; i++)
		in_ring += recs[i % RING_RECORDS].class == KVMX_EXIT_MMIO;
	TEST_ASSERT(ds.exits_all >= 2 * KVMX_DEV_SAMPLE, "only %llu MMIO exits", ds.exits_all);
	TEST_ASSERT_EQ(ds.sampled, ds.exits_all / KVMX_DEV_SAMPLE);
	TEST_ASSERT_EQ(in_ring, ds.sampled);
	TEST_ASSERT_EQ(ring->head - ring->tail, (u32)in_ring);
	free(st);
	ksft_test_result_pass("exits: %llu MMIO exits counted as kvmx did, %llu sampled\n",
			      ds.exits_all, ds.sampled);
}

/* -- decisions ------------------------------------------------------------------ */

#define DEC_BASE	(BASE + 4096)	/* the second page: no region there */
#define DEC_N		8		/* exits per decision */

static void test_decide(void)
{
	static const __u32 dec[] = { KVMX_EXIT_COUNT, KVMX_EXIT_SAMPLE, KVMX_EXIT_NOTIFY,
				     KVMX_EXIT_INJECT, 0x99 };
	const bool can_inject = ioctl(kvmx, KVMX_CHECK_EXTENSION, KVMX_CAP_POLICY_INJECT) == 1;
	const u64 nd = ARRAY_SIZE(dec);
	struct kvmx_bpf *b = calloc(1, sizeof(*b));
	struct kvmx_decide_table t = { .base = DEC_BASE };
	struct kvmx_exit_record *recs = (void *)ring + ring->records_offset;
	struct kvmx_policy p = {}, q;
	struct kvmx_region r;
	int nfd = eventfd(0, EFD_NONBLOCK), ret;
	u64 n = 0, sampled = 0, calls;
	__u32 key = 0, i, head = ring->head;
	char path[300];

	bpf_path(path, sizeof(path), "kvmx_decide.bpf.o");
	ret = kvmx_bpf_open(b, path, NULL);
	TEST_ASSERT(!ret, "loading %s: %s\n%s", path, strerror(-ret), b->log);
	for (i = 0; i < nd; i++)
		t.decision[i] = dec[i];
	ret = kvmx_bpf_update(b, "table", &key, &t, sizeof(t));
	TEST_ASSERT(!ret, "table: %s", strerror(-ret));
	/* a program without mmio() is no region's */
	r = program_region(b->link_fd);
	r.addr = DEC_BASE;
	TEST_ASSERT_EQ(region_add(sess, &r), -EINVAL);

	p.flags = KVMX_POLICY_PROGRAM;
	p.link_fd = b->link_fd;
	p.classes[KVMX_EXIT_MMIO] = (struct kvmx_class_policy){ .action = KVMX_CLASS_NOTIFY,
								.n = 1, .eventfd = nfd };
	TEST_ASSERT_EQ(set_policy(sess, &p), 0);

	user_exits = 0;
	for (i = 0; i < nd; i++) {
		struct guest_op o = { .op = OP_WRITE, .addr = DEC_BASE + 8 * i, .size = 8,
				      .count = DEC_N, .value = 0x1000 * i };

		do_cmd(all[0], &cmds[0], o);
	}

	/* the VMM: every exit but those injected */
	expect_user((nd - can_inject) * DEC_N, "decisions");
#ifdef __aarch64__
	expect_aborts(DEC_N, DEC_BASE + 8 * 3, "INJECT");
#endif
	for (i = ring->head - head; i; i--) {
		struct kvmx_exit_record *rec = &recs[(ring->head - i) % RING_RECORDS];

		if (rec->class == KVMX_EXIT_MMIO && rec->gpa >= DEC_BASE &&
		    rec->gpa < DEC_BASE + 8 * nd) {
			TEST_ASSERT_EQ(rec->gpa, DEC_BASE + 8 * 1);
			sampled++;
		}
	}
	TEST_ASSERT_EQ(sampled, DEC_N);
	TEST_ASSERT_EQ(read(nfd, &n, sizeof(n)), sizeof(n));
	TEST_ASSERT_EQ(n, DEC_N);
	TEST_ASSERT(!kvmx_bpf_lookup(b, "table", &key, &t, sizeof(t)), "table");
	for (i = 0; i < nd; i++)
		TEST_ASSERT(t.decided[i] == DEC_N, "register %u: %llu exits decided, expected %u",
			    i, t.decided[i], DEC_N);

	/* the policy's counts: every call, the refused, the injected, the notified */
	get_policy(sess, &q);
	calls = nd * DEC_N + t.other;
	TEST_ASSERT_EQ(q.prog_calls, calls);
	TEST_ASSERT_EQ(q.prog_refused, (can_inject ? 1 : 2) * DEC_N);
	TEST_ASSERT_EQ(q.mmio_injected, can_inject ? DEC_N : 0);
	TEST_ASSERT_EQ(q.notified[KVMX_EXIT_MMIO], DEC_N);
	TEST_ASSERT_EQ(q.prog_link_id != 0, true);

	/* the device's program decides again; this one goes with its link */
	p = (struct kvmx_policy){ .flags = KVMX_POLICY_PROGRAM, .link_fd = dev.link_fd };
	TEST_ASSERT_EQ(set_policy(sess, &p), 0);
	kvmx_bpf_close(b);
	free(b);
	close(nfd);
	ksft_test_result_pass("decide: COUNT, SAMPLE, NOTIFY, INJECT (%s), refused: %u each\n",
			      can_inject ? "the guest's abort" : "refused on x86", DEC_N);
}

/* -- bad input ------------------------------------------------------------------- */

static void test_bad_fds(void)
{
	struct kvmx_region_list *l = region_list(sess);
	u32 before = l->nr_total;
	struct kvmx_policy p = { .flags = KVMX_POLICY_PROGRAM }, q;
	struct kvm_vm *other;
	struct kvmx_region r;
	int fd, s2;

	fd = open("/dev/null", O_RDONLY);
	close(fd);
	r = program_region(fd);
	r.addr = BASE + 4096;
	TEST_ASSERT_EQ(region_add(sess, &r), -EBADF);
	r.link_fd = efd;
	TEST_ASSERT_EQ(region_add(sess, &r), -EINVAL);
	r.link_fd = kvmx_bpf_map_fd(&dev, "state");
	TEST_ASSERT_EQ(region_add(sess, &r), -EINVAL);
	r.link_fd = -1;
	TEST_ASSERT_EQ(region_add(sess, &r), -EBADF);
	/* a link only with PROGRAM, and a policy's only with its flag */
	r = program_region(0);
	r.mode = KVMX_MODE_BANK;
	r.link_fd = dev.link_fd;
	TEST_ASSERT_EQ(region_add(sess, &r), -EINVAL);
	get_policy(sess, &q);
	p.link_fd = efd;
	TEST_ASSERT_EQ(set_policy(sess, &p), -EINVAL);
	p.flags = 0;
	p.link_fd = dev.link_fd;
	TEST_ASSERT_EQ(set_policy(sess, &p), -EINVAL);
	p.flags = KVMX_POLICY_PROGRAM;
	p.prog_calls = 1;
	TEST_ASSERT_EQ(set_policy(sess, &p), -EINVAL);
	/* the flag in the 1.4 structure, which has no link_fd (not fd 0) */
	p = (struct kvmx_policy){ .flags = KVMX_POLICY_PROGRAM, .link_fd = dev.link_fd };
	p.argsz = offsetof(struct kvmx_policy, link_fd);
	TEST_ASSERT_EQ(kvmx_ret(ioctl(sess, KVMX_SET_POLICY, &p)), -EINVAL);
	p.argsz = offsetof(struct kvmx_policy, link_fd) + sizeof(p.link_fd) - 1;
	TEST_ASSERT_EQ(kvmx_ret(ioctl(sess, KVMX_SET_POLICY, &p)), -EINVAL);

	/* the link serves this VM: another VM's region and policy may not have it */
	other = vm_create_barebones();
	s2 = kvmx_attach(kvmx, other->fd);
	TEST_ASSERT(s2 >= 0, "KVMX_ATTACH_VM: %s", strerror(-s2));
	r = program_region(dev.link_fd);
	TEST_ASSERT_EQ(region_add(s2, &r), -EBUSY);
	p = (struct kvmx_policy){ .flags = KVMX_POLICY_PROGRAM, .link_fd = dev.link_fd };
	TEST_ASSERT_EQ(set_policy(s2, &p), -EBUSY);
	TEST_ASSERT_EQ(region_list(s2)->nr_total, 0);
	close(s2);
	kvm_vm_free(other);

	/* nothing changed */
	TEST_ASSERT_EQ(region_list(sess)->nr_total, before);
	get_policy(sess, &p);
	TEST_ASSERT_EQ(p.prog_link_id, q.prog_link_id);
	TEST_ASSERT_EQ(p.flags, q.flags);
	ksft_test_result_pass("bad fds: EBADF, EINVAL, EBUSY; nothing changed\n");
}

static void test_verifier(void)
{
	static const struct { const char *obj, *why; } bad[] = {
		{ "kvmx_bad_read.bpf.o", "access beyond struct kvmx_mmio_ctx" },
		{ "kvmx_bad_write.bpf.o", "only kvmx_mmio_ctx.data is written" },
		{ "kvmx_bad_exit.bpf.o", "only struct kvmx_mmio_ctx is written" },
		{ "kvmx_bad_kfunc.bpf.o",
		  "calling kernel function kvmx_region_signal is not allowed" },
	};
	struct kvmx_bpf *b = calloc(1, sizeof(*b));
	char path[300];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		bpf_path(path, sizeof(path), bad[i].obj);
		TEST_ASSERT(kvmx_bpf_open(b, path, NULL) < 0, "%s was loaded", bad[i].obj);
		/* the verifier's reason, not a failure to find the object */
		TEST_ASSERT(strstr(b->log, bad[i].why), "%s: no \"%s\" in:\n%s", bad[i].obj,
			    bad[i].why, b->log);
		printf("# %s: refused: %s\n", bad[i].obj, bad[i].why);
	}
	free(b);
	ksft_test_result_pass("verifier: %zu bad programs refused\n", ARRAY_SIZE(bad));
}

/* -- detach while running --------------------------------------------------------- */

static int detach_stop;

static void *detach_vcpu(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	unsigned long r;

	for (r = 0; !READ_ONCE(detach_stop) || r < 8; r++)
		dev_access(vcpu, OP_READ, KVMX_DEV_COUNTER, 8, 16, 0, 0);
	return (void *)r;
}

static void test_detach(void)
{
	struct kvmx_dev_state before = dev_state(), after;
	struct kvmx_policy p;
	pthread_t th[NR_VCPUS];
	u64 accesses = 0, served;
	unsigned int i;
	void *rounds;

	user_exits = 0;
	WRITE_ONCE(detach_stop, 0);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_create(&th[i], NULL, detach_vcpu, all[1 + i]);
	/* detach once the program has served a few */
	while (dev_state().served - before.served < 64)
		usleep(1000);
	TEST_ASSERT_EQ(kvmx_bpf_detach(&dev), 0);
	WRITE_ONCE(detach_stop, 1);
	for (i = 0; i < NR_VCPUS; i++) {
		pthread_join(th[i], &rounds);
		accesses += (unsigned long)rounds * 16;
	}
	after = dev_state();
	served = after.served - before.served;
	TEST_ASSERT(served + user_exits == accesses,
		    "%lu accesses: %lu served by the program, %u seen by the VMM", accesses,
		    served, user_exits);
	TEST_ASSERT(user_exits >= 8 * 16, "only %u accesses after the detach", user_exits);
	TEST_ASSERT_EQ(region_info(region_id).link_id, 0);
	get_policy(sess, &p);
	TEST_ASSERT_EQ(p.prog_link_id, 0);
	ksft_test_result_pass("detach: %lu accesses, %lu served, %u to the VMM\n", accesses,
			      served, user_exits);
	user_exits = 0;
}

/* -- unload ----------------------------------------------------------------------- */

static long kvmx_refcnt(void)
{
	FILE *f = fopen("/sys/module/kvmx/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Maps and programs go after RCU grace periods (and a session's fput()s): wait for them. */
static void wait_refcnt_zero(const char *when)
{
	int i;

	for (i = 0; i < 200 && kvmx_refcnt() != 0; i++)
		usleep(50 * 1000);
	TEST_ASSERT(kvmx_refcnt() == 0, "kvmx's refcount %ld %s", kvmx_refcnt(), when);
}

static void test_unload(void)
{
	struct kvmx_bpf *b = calloc(1, sizeof(*b));
	char path[300];
	int ret;

	/* no session left (its mappings hold it too): what holds kvmx is the struct_ops maps */
	kvmx_bpf_close(&dev);
	munmap(map, map_size);
	munmap(ring, ring_size);
	close(sess);
	close(kvmx);
	wait_refcnt_zero("with no session");
	bpf_path(path, sizeof(path), "kvmx_dev.bpf.o");
	ret = kvmx_bpf_open(b, path, NULL);
	TEST_ASSERT(!ret, "loading %s: %s\n%s", path, strerror(-ret), b->log);
	ret = syscall(SYS_delete_module, "kvmx", O_NONBLOCK);
	TEST_ASSERT(ret == -1 && (errno == EWOULDBLOCK || errno == EBUSY),
		    "delete_module(kvmx) with a program loaded: %d, %s", ret, strerror(errno));
	kvmx_bpf_close(b);
	free(b);
	wait_refcnt_zero("with the program gone");
	ksft_test_result_pass("unload: refused while a program exists\n");
}

static void (*const cases[])(void) = {
	test_device, test_kfuncs, test_forward, test_exits, test_decide, test_bad_fds,
	test_verifier,
	test_detach, test_unload,
};

#define NR_CASES	ARRAY_SIZE(cases)

int main(int argc, char **argv)
{
	char self[256];
	unsigned int i;

	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(bpf_dir, sizeof(bpf_dir), "%s/bpf", dirname(self));
	ksft_print_header();
	kvmx = kvmx_open_or_skip();
	have_bpf = ioctl(kvmx, KVMX_CHECK_EXTENSION, KVMX_CAP_BPF) == 1;
	ksft_set_plan(have_bpf ? NR_CASES : 1);
	guest_setup(kvmx, 1 + NR_VCPUS, all, BASE, NPAGES);
#ifdef __aarch64__
	guest_catch_aborts(all[0]);
#endif
	TEST_ASSERT(have_bpf == kvmx_kernel_has_bpf(), "KVMX_CAP_BPF %d on a kernel that %s",
		    have_bpf, kvmx_kernel_has_bpf() ? "runs kvmx's programs" : "cannot");
	if (!have_bpf) {
		test_absent();
	} else {
		for (i = 0; i < NR_CASES; i++)
			cases[i]();
	}
	if (!have_bpf) {
		close(sess);
		close(kvmx);
	}
	kvm_vm_free(vm);
	ksft_finished();
}
