// SPDX-License-Identifier: GPL-2.0
/*
 * Lock order: threads of one VMM that, on the unfixed module, ended in an
 * unkillable deadlock (all in D state, a hung-task panic). Each case runs
 * for KVMX_LOCKS_SECONDS (default 30) and fails if a thread stops making
 * progress for 30 s.
 *
 *   copy-out  REGION_ADD copies its result to a page another thread drops
 *             with MADV_DONTNEED (a fault on the copy), while a third
 *             mmap()s a BANK (mmap_lock, then the module): the unfixed
 *             module copied under regions_lock, which its mmap() took
 *   srcu      REGION_ADD/DEL of regions with their own bus device (an SRCU
 *             grace period of kvm->srcu each), a thread mmap()ing a BANK,
 *             and a vCPU faulting on guest memory the VMM keeps dropping
 *             (inside kvm->srcu, waiting for mmap_lock): the unfixed
 *             module waited for the grace period under regions_lock
 */
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define BASE		0xc0000000ul	/* MMIO, guest-physical = guest-virtual */
#define NPAGES		16
#define PAGE		4096ul
#define DATA		0xd0000000ul	/* guest memory the vCPU touches */
#define DATA_PAGES	64
#define DATA_SLOT	10

#include "kvmx_guest.h"

enum { T_ADD, T_MAP, T_DROP, T_VCPU, T_NR };
static const char *const names[T_NR] = { "add/del", "mmap", "madvise", "vCPU" };
static unsigned long progress[T_NR];
static int stop;
static struct kvmx_region bank;		/* the BANK the mmap thread maps */
static void *drop_page;			/* the page REGION_ADD copies out to */

static void tick(int t)
{
	__atomic_add_fetch(&progress[t], 1, __ATOMIC_RELAXED);
}

/* Remove this session's regions but the bank (ids lost to a dropped page). */
static void cleanup(void)
{
	struct kvmx_region_list *l = region_list(sess);
	__u32 i;

	for (i = 0; i < l->nr_entries; i++)
		if (l->entries[i].id != bank.id)
			ioctl(sess, KVMX_REGION_DEL, l->entries[i].id);
}

static void *adder(void *arg)
{
	struct kvmx_region *r = drop_page;
	bool use_drop_page = arg;
	struct kvmx_region local;
	unsigned int i = 0;

	while (!READ_ONCE(stop)) {
		if (!use_drop_page)
			r = &local;
		/* outside every window: a bus device of its own, an SRCU wait */
		*r = (struct kvmx_region){ .argsz = sizeof(*r), .size = 8,
					   .addr = BASE + 2 * PAGE + (i++ % 8) * 8,
					   .mode = KVMX_MODE_BANK,
					   .access_sizes = KVMX_SIZES_ALL, .eventfd = -1 };
		/* a dropped page reads as zeroes (EINVAL) or faults (EFAULT): fine */
		if (!ioctl(sess, KVMX_REGION_ADD, r)) {
			__u32 id = READ_ONCE(r->id);

			/* the page may have been dropped after the copy: the id is lost */
			if (id && ioctl(sess, KVMX_REGION_DEL, id))
				TEST_ASSERT(errno == ENOENT, "DEL: %s", strerror(errno));
		} else if (errno == EEXIST || errno == ENOSPC) {
			cleanup();
		}
		tick(T_ADD);
	}
	return NULL;
}

static void *mapper(void *arg)
{
	void *p;

	while (!READ_ONCE(stop)) {
		p = mmap(NULL, bank.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, sess,
			 bank.mmap_offset);
		TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
		WRITE_ONCE(*(u8 *)p, 1);
		munmap(p, bank.mmap_size);
		tick(T_MAP);
	}
	return NULL;
}

static void *dropper(void *arg)
{
	size_t len = (size_t)arg;
	void *addr = len == PAGE ? drop_page : addr_gpa2hva(vm, DATA);

	while (!READ_ONCE(stop)) {
		TEST_ASSERT(!madvise(addr, len, MADV_DONTNEED), "madvise: %s", strerror(errno));
		tick(T_DROP);
	}
	return NULL;
}

static void *vcpu_loop(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	while (!READ_ONCE(stop)) {
		do_cmd(vcpu, &cmds[0], (struct guest_op){ .op = OP_WRITE, .addr = DATA, .size = 1,
		       .count = DATA_PAGES, .value = 1, .stride = PAGE });
		tick(T_VCPU);
	}
	return NULL;
}

static unsigned int seconds(void)
{
	const char *s = getenv("KVMX_LOCKS_SECONDS");

	return s ? atoi(s) : 30;
}

/* Run the threads of @use for the test's time; fail on a stall of 30 s. */
static void run(const char *name, void *(*const fn[T_NR])(void *), void *const arg[T_NR])
{
	unsigned long last[T_NR] = {}, stalled[T_NR] = {};
	pthread_t t[T_NR];
	unsigned int s, i;

	memset(progress, 0, sizeof(progress));
	stop = 0;
	for (i = 0; i < T_NR; i++)
		if (fn[i])
			pthread_create(&t[i], NULL, fn[i], arg[i]);
	for (s = 0; s < seconds(); s++) {
		sleep(1);
		for (i = 0; i < T_NR; i++) {
			unsigned long p = __atomic_load_n(&progress[i], __ATOMIC_RELAXED);

			if (!fn[i])
				continue;
			stalled[i] = p == last[i] ? stalled[i] + 1 : 0;
			last[i] = p;
			if (stalled[i] >= 30) {
				/* its threads cannot be joined, nor this process exit */
				printf("not ok - %s: no progress of the %s thread in 30 s\n",
				       name, names[i]);
				fflush(stdout);
				abort();
			}
		}
	}
	WRITE_ONCE(stop, 1);
	for (i = 0; i < T_NR; i++)
		if (fn[i])
			pthread_join(t[i], NULL);
	ksft_test_result_pass("%s: %u s, add/del %lu, mmap %lu, madvise %lu, vCPU passes %lu\n",
			      name, seconds(), progress[T_ADD], progress[T_MAP], progress[T_DROP],
			      progress[T_VCPU]);
}

int main(int argc, char **argv)
{
	struct kvm_vcpu *vcpu;
	int kvmx;

	ksft_print_header();
	ksft_set_plan(2);
	kvmx = kvmx_open_or_skip();
	guest_setup(kvmx, 1, &vcpu, BASE, NPAGES);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, DATA, DATA_SLOT, DATA_PAGES, 0);
	virt_map(vm, DATA, DATA, DATA_PAGES);

	bank = (struct kvmx_region){ .argsz = sizeof(bank), .addr = BASE, .size = 64,
				     .mode = KVMX_MODE_BANK, .access_sizes = KVMX_SIZES_ALL,
				     .eventfd = -1 };
	TEST_ASSERT(!ioctl(sess, KVMX_REGION_ADD, &bank), "add bank: %s", strerror(errno));
	drop_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(drop_page != MAP_FAILED, "mmap: %s", strerror(errno));

	/* with an argument, only that case: a deadlock ends the run */
	if (argc < 2 || !strcmp(argv[1], "copy-out")) {
		void *(*const fn[T_NR])(void *) = { adder, mapper, dropper, NULL };
		void *const arg[T_NR] = { (void *)1, NULL, (void *)PAGE, NULL };

		run("copy-out", fn, arg);
	} else {
		ksft_test_result_skip("copy-out: not asked for\n");
	}
	if (argc < 2 || !strcmp(argv[1], "srcu")) {
		void *(*const fn[T_NR])(void *) = { adder, mapper, dropper, vcpu_loop };
		void *const arg[T_NR] = { NULL, NULL, (void *)(DATA_PAGES * PAGE), vcpu };

		run("srcu", fn, arg);
	} else {
		ksft_test_result_skip("srcu: not asked for\n");
	}
	close(sess);
	kvm_vm_free(vm);
	close(kvmx);
	ksft_finished();
}
