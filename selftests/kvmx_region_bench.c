// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_region_bench REPS ACCESSES: the cost of one guest MMIO access
 * through each path, measured side by side in one VM: the paths alternate
 * REPS times, ACCESSES accesses each, and each result is the median of its
 * runs. Prints one JSON line per path with ns per access and ratios.
 *
 *   write_user      no device: KVM_EXIT_MMIO to this VMM, which returns
 *   write_ioeventfd KVM_IOEVENTFD (8 bytes)
 *   write_doorbell  kvmx DOORBELL
 *   write_log       kvmx LOG
 *   read_user       no device: KVM_EXIT_MMIO, the VMM answers
 *   read_bank       kvmx BANK
 *   doorbell_N      a DOORBELL hit with N kvmx regions in the VM (1, 100,
 *                   4096; the N - 1 besides the doorbell inside one WINDOW):
 *                   one VM per N, the three alternating like the paths
 *   add_4096        KVMX_REGION_ADD of the 4095 regions in the window, and
 *   del_4096        KVMX_REGION_DEL of them afterwards, in ms (wall clock)
 */
#include <stdlib.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define BASE		0xc0000000ul
#define WIN		(BASE + 0x10000)
#define NR_WIN		4096

struct bench_cmd {
	u64 addr, count, read;
};

static struct bench_cmd bcmd;

static void guest_code(void)
{
	u64 i;

	for (;;) {
		GUEST_SYNC(0);
		for (i = 0; i < bcmd.count; i++) {
			if (bcmd.read)
				(void)READ_ONCE(*(u64 *)bcmd.addr);
			else
				WRITE_ONCE(*(u64 *)bcmd.addr, i);
		}
	}
}

struct bvm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int sess;
};

static int kvmx;
static u64 accesses;

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* A VM with one vCPU at its first GUEST_SYNC, attached to kvmx. */
static void bvm_create(struct bvm *b)
{
	b->vm = vm_create_with_one_vcpu(&b->vcpu, guest_code);
	ucall_init(b->vm, NULL);
	virt_map(b->vm, BASE, BASE, 0x10000 / 4096 + NR_WIN * 8 / 4096);
	b->sess = kvmx_attach(kvmx, b->vm->fd);
	TEST_ASSERT(b->sess >= 0, "KVMX_ATTACH_VM: %s", strerror(-b->sess));
	vcpu_run(b->vcpu);
}

/* ns per access of @count accesses at @addr */
static double run(struct bvm *b, u64 addr, bool read)
{
	struct bench_cmd *c = addr_gva2hva(b->vm, (vm_vaddr_t)&bcmd);
	struct ucall uc;
	double t0;

	*c = (struct bench_cmd){ .addr = addr, .count = accesses, .read = read };
	t0 = now_ns();
	for (;;) {
		vcpu_run(b->vcpu);
		if (get_ucall(b->vcpu, &uc) == UCALL_SYNC)
			break;
		TEST_ASSERT(b->vcpu->run->exit_reason == KVM_EXIT_MMIO,
			    "exit %u", b->vcpu->run->exit_reason);
	}
	return (now_ns() - t0) / accesses;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

static __u32 add(struct bvm *b, struct kvmx_region *r)
{
	r->argsz = sizeof(*r);
	TEST_ASSERT(!ioctl(b->sess, KVMX_REGION_ADD, r), "KVMX_REGION_ADD at 0x%llx: %s",
		    r->addr, strerror(errno));
	return r->id;
}

enum { P_USER, P_IOEVENTFD, P_DOORBELL, P_LOG, P_RUSER, P_BANK, NR_PATHS };
static const char * const path_name[] = {
	"write_user", "write_ioeventfd", "write_doorbell", "write_log", "read_user",
	"read_bank",
};

#ifdef __x86_64__
#define ARCH_NAME	"x86_64"
#else
#define ARCH_NAME	"aarch64"
#endif

static void json(const char *path, double ns, const char *vs, double base)
{
	printf("{\"bench\":\"regions\",\"arch\":\"%s\",\"path\":\"%s\",\"ns_per_access\":%.0f",
	       ARCH_NAME, path, ns);
	if (vs)
		printf(",\"vs\":\"%s\",\"ratio\":%.3f", vs, ns / base);
	printf(",\"accesses\":%llu}\n", (unsigned long long)accesses);
}

int main(int argc, char **argv)
{
	struct kvmx_region db = { .addr = BASE + 0x1000, .size = 8, .mode = KVMX_MODE_DOORBELL,
				  .access_sizes = 8 };
	struct kvmx_region lg = { .addr = BASE + 0x2000, .size = 8, .mode = KVMX_MODE_LOG,
				  .access_sizes = 8, .log_records = 65536,
				  .log_watermark = 65536, .eventfd = -1 };
	struct kvmx_region bk = { .addr = BASE + 0x3000, .size = 8, .mode = KVMX_MODE_BANK,
				  .access_sizes = 8, .eventfd = -1 };
	struct kvmx_region w = { .addr = WIN, .size = NR_WIN * 8, .mode = KVMX_MODE_WINDOW,
				 .eventfd = -1 };
	struct kvm_ioeventfd io = { .addr = BASE + 0x4000, .len = 8 };
	static const int nr_at[] = { 1, 100, NR_WIN };
	double *res[NR_PATHS], *hit[3], m[NR_PATHS], mh[3];
	struct bvm b, nb[3];
	static __u32 ids[NR_WIN];
	struct kvmx_log_header *h;
	double t_add = 0, t_del;
	int reps, efd, i, p, k, n;

	TEST_ASSERT(argc == 3, "usage: kvmx_region_bench REPS ACCESSES");
	reps = atoi(argv[1]);
	accesses = strtoull(argv[2], NULL, 0);
	for (p = 0; p < NR_PATHS; p++)
		res[p] = calloc(reps, sizeof(double));
	for (k = 0; k < 3; k++)
		hit[k] = calloc(reps, sizeof(double));

	kvmx = kvmx_open();
	TEST_ASSERT(kvmx >= 0, "open /dev/kvmx: %s", strerror(-kvmx));
	bvm_create(&b);
	efd = eventfd(0, EFD_NONBLOCK);
	io.fd = efd;
	vm_ioctl(b.vm, KVM_IOEVENTFD, &io);
	db.eventfd = efd;
	add(&b, &db);
	add(&b, &lg);
	add(&b, &bk);
	h = mmap(NULL, lg.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, b.sess, lg.mmap_offset);
	TEST_ASSERT(h != MAP_FAILED, "mmap log");

	/* the hit cost against the number of regions: one VM per count */
	for (k = 0; k < 3; k++) {
		bvm_create(&nb[k]);
		add(&nb[k], &db);
		if (nr_at[k] > 1)
			add(&nb[k], &w);
		t_add = now_ns() / 1e6;
		for (n = 1; n < nr_at[k]; n++) {
			struct kvmx_region r = { .addr = WIN + (n - 1) * 8, .size = 8,
						 .mode = KVMX_MODE_DISCARD, .access_sizes = 8,
						 .eventfd = -1 };

			add(&nb[k], &r);
			ids[n] = r.id;
		}
		t_add = now_ns() / 1e6 - t_add;
	}

	/* warm up every path once: page tables, KVM's MMIO caches */
	for (p = 0; p < 2; p++) {
		run(&b, BASE, p);
		run(&b, db.addr, 0);
		run(&b, lg.addr, 0);
		run(&b, bk.addr, 1);
		run(&b, io.addr, 0);
		for (k = 0; k < 3; k++)
			run(&nb[k], db.addr, 0);
	}
	for (i = 0; i < reps; i++) {
		/* rotate the order: no path always runs first */
		for (k = 0; k < NR_PATHS; k++) {
			p = (i + k) % NR_PATHS;
			switch (p) {
			case P_USER:
				res[p][i] = run(&b, BASE, false);
				break;
			case P_IOEVENTFD:
				res[p][i] = run(&b, io.addr, false);
				break;
			case P_DOORBELL:
				res[p][i] = run(&b, db.addr, false);
				break;
			case P_LOG:
				__atomic_store_n(&h->tail, h->head, __ATOMIC_RELEASE);
				res[p][i] = run(&b, lg.addr, false);
				break;
			case P_RUSER:
				res[p][i] = run(&b, BASE + 8, true);
				break;
			case P_BANK:
				res[p][i] = run(&b, bk.addr, true);
				break;
			}
		}
		for (k = 0; k < 3; k++) {
			n = (i + k) % 3;
			hit[n][i] = run(&nb[n], db.addr, false);
		}
	}
	TEST_ASSERT(!h->dropped && !h->fallbacks, "log overflowed");
	for (p = 0; p < NR_PATHS; p++)
		m[p] = median(res[p], reps);
	for (k = 0; k < 3; k++)
		mh[k] = median(hit[k], reps);

	for (p = 0; p < NR_PATHS; p++) {
		if (p == P_USER || p == P_RUSER)
			json(path_name[p], m[p], NULL, 0);
		else if (p == P_BANK)
			json(path_name[p], m[p], "read_user", m[P_RUSER]);
		else
			json(path_name[p], m[p], "write_user", m[P_USER]);
	}
	json("doorbell_vs_ioeventfd", m[P_DOORBELL], "write_ioeventfd", m[P_IOEVENTFD]);
	json("read_user_vs_bank", m[P_RUSER], "read_bank", m[P_BANK]);
	for (k = 0; k < 3; k++) {
		char name[32];

		snprintf(name, sizeof(name), "doorbell_%d_regions", nr_at[k]);
		json(name, mh[k], "doorbell_1_regions", mh[0]);
	}
	t_del = now_ns() / 1e6;
	for (n = 1; n < NR_WIN; n++)
		TEST_ASSERT(!ioctl(nb[2].sess, KVMX_REGION_DEL, ids[n]), "DEL %u", ids[n]);
	t_del = now_ns() / 1e6 - t_del;
	printf("{\"bench\":\"regions\",\"arch\":\"%s\",\"path\":\"add_%d\",\"ms\":%.0f}\n",
	       ARCH_NAME, NR_WIN, t_add);
	printf("{\"bench\":\"regions\",\"arch\":\"%s\",\"path\":\"del_%d\",\"ms\":%.0f}\n",
	       ARCH_NAME, NR_WIN, t_del);
	for (k = 0; k < 3; k++) {
		close(nb[k].sess);
		kvm_vm_free(nb[k].vm);
	}
	close(b.sess);
	kvm_vm_free(b.vm);
	return 0;
}
