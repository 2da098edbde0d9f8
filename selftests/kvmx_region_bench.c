// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_region_bench REPS ACCESSES [N]: the cost of one guest MMIO access
 * through each path, measured side by side in one VM: the paths alternate
 * REPS times, ACCESSES accesses each, and each result is the median of its
 * runs. Prints one JSON line per path with ns and guest ticks (x86: TSC;
 * under Bochs, instructions) per access and ratios.
 *
 *   write_user      no device: KVM_EXIT_MMIO to this VMM, which returns
 *   write_ioeventfd KVM_IOEVENTFD (8 bytes)
 *   write_ioeventfd0 KVM_IOEVENTFD of length 0 (VMX: the fast MMIO bus)
 *   write_doorbell  kvmx DOORBELL
 *   write_fast      kvmx DOORBELL with KVMX_REGION_FAST_MMIO
 *   write_log       kvmx LOG
 *   read_user       no device: KVM_EXIT_MMIO, the VMM answers
 *   read_bank       kvmx BANK
 *   read_program    kvmx PROGRAM: tools/bpf/kvmx_dev.bpf.o's COUNTER (a map
 *                   lookup, a read, an atomic add); with KVMX_CAP_BPF only
 *   doorbell_N      a DOORBELL hit with N kvmx regions in the VM (1, 100,
 *                   N, default 4096; the others inside one WINDOW):
 *                   one VM per N, the three alternating like the paths
 *   add_N           KVMX_REGION_ADD of the N - 1 regions in the window, and
 *   del_N           KVMX_REGION_DEL of them afterwards, in ms (wall clock)
 */
#include <stdlib.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "kvmx_bpf_load.h"
#include "kvmx_dev.h"

#define BASE		0xc0000000ul
#define WIN		(BASE + 0x10000)
#define NR_WIN		4096

struct bench_cmd {
	u64 addr, count, read;
};

static struct bench_cmd bcmd;

static void guest_code(void)
{
	u64 i, t = 0, t0;

	for (;;) {
		GUEST_SYNC(t);
		t0 = kvmx_guest_ticks();
		for (i = 0; i < bcmd.count; i++) {
			if (bcmd.read)
				(void)READ_ONCE(*(u64 *)bcmd.addr);
			else
				WRITE_ONCE(*(u64 *)bcmd.addr, i);
		}
		t = kvmx_guest_ticks() - t0;
	}
}

struct bvm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	int sess;
};

static int kvmx;
static u64 accesses;
static double last_ticks;	/* per access, of the last run() */

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
		if (get_ucall(b->vcpu, &uc) == UCALL_SYNC) {
			last_ticks = (double)uc.args[1] / accesses;
			break;
		}
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

enum {
	P_USER, P_IOEVENTFD, P_IOEVENTFD0, P_DOORBELL, P_FAST, P_LOG, P_RUSER, P_BANK,
	P_PROGRAM, NR_PATHS
};

static const char * const path_name[] = {
	"write_user", "write_ioeventfd", "write_ioeventfd0", "write_doorbell", "write_fast",
	"write_log", "read_user", "read_bank", "read_program",
};

static bool is_read(int p)
{
	return p == P_RUSER || p == P_BANK || p == P_PROGRAM;
}

/* The example device in a PROGRAM region at @addr, if kvmx has BPF; false if not. */
static bool add_program(struct bvm *b, u64 addr, struct kvmx_bpf *dev, const char *self)
{
	struct kvmx_region r = { .addr = addr, .size = KVMX_DEV_SIZE, .mode = KVMX_MODE_PROGRAM,
				 .access_sizes = 8, .eventfd = -1 };
	char path[512], *slash;
	int ret;

	if (ioctl(kvmx, KVMX_CHECK_EXTENSION, KVMX_CAP_BPF) != 1)
		return false;
	snprintf(path, sizeof(path), "%s", self);
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path, sizeof(path) - (slash ? slash + 1 - path : 0),
		 "bpf/kvmx_dev.bpf.o");
	ret = kvmx_bpf_open(dev, path, NULL);
	TEST_ASSERT(!ret, "loading %s: %s\n%s", path, strerror(-ret), dev->log);
	r.link_fd = dev->link_fd;
	add(b, &r);
	return true;
}

#ifdef __x86_64__
#define ARCH_NAME	"x86_64"
#else
#define ARCH_NAME	"aarch64"
#endif

static void json(const char *path, double ns, double tk, const char *vs, double base,
		 double tbase)
{
	printf("{\"bench\":\"regions\",\"arch\":\"%s\",\"path\":\"%s\",\"ns_per_access\":%.0f",
	       ARCH_NAME, path, ns);
	printf(",\"ticks_per_access\":%.1f", tk);
	if (vs)
		printf(",\"vs\":\"%s\",\"ratio\":%.3f,\"ticks_ratio\":%.3f", vs, ns / base,
		       tk / tbase);
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
	struct kvmx_region fd = { .addr = BASE + 0x6000, .size = 8, .mode = KVMX_MODE_DOORBELL,
				  .access_sizes = KVMX_SIZES_ALL, .flags = KVMX_REGION_FAST_MMIO };
	struct kvmx_region w = { .addr = WIN, .size = NR_WIN * 8, .mode = KVMX_MODE_WINDOW,
				 .eventfd = -1 };
	struct kvm_ioeventfd io = { .addr = BASE + 0x4000, .len = 8 };
	struct kvm_ioeventfd io0 = { .addr = BASE + 0x5000, .len = 0 };
	static const u64 path_addr[NR_PATHS] = {
		[P_USER] = BASE, [P_IOEVENTFD] = BASE + 0x4000, [P_IOEVENTFD0] = BASE + 0x5000,
		[P_DOORBELL] = BASE + 0x1000, [P_FAST] = BASE + 0x6000, [P_LOG] = BASE + 0x2000,
		[P_RUSER] = BASE + 8, [P_BANK] = BASE + 0x3000,
		[P_PROGRAM] = BASE + 0x7000 + KVMX_DEV_COUNTER,
	};
	struct kvmx_bpf *dev = calloc(1, sizeof(*dev));
	int nr_paths = NR_PATHS;
	int nr_at[] = { 1, 100, NR_WIN };
	double *res[NR_PATHS], *tres[NR_PATHS], *hit[3], *thit[3];
	double m[NR_PATHS], tm[NR_PATHS], mh[3], tmh[3];
	struct bvm b, nb[3];
	static __u32 ids[NR_WIN];
	struct kvmx_log_header *h;
	double t_add = 0, t_del;
	int reps, efd, i, p, k, n;

	TEST_ASSERT(argc == 3 || argc == 4, "usage: kvmx_region_bench REPS ACCESSES [N]");
	reps = atoi(argv[1]);
	accesses = strtoull(argv[2], NULL, 0);
	if (argc == 4)
		nr_at[2] = atoi(argv[3]);
	TEST_ASSERT(nr_at[2] > 100 && nr_at[2] <= NR_WIN, "N from 101 to %d", NR_WIN);
	for (p = 0; p < NR_PATHS; p++) {
		res[p] = calloc(reps, sizeof(double));
		tres[p] = calloc(reps, sizeof(double));
	}
	for (k = 0; k < 3; k++) {
		hit[k] = calloc(reps, sizeof(double));
		thit[k] = calloc(reps, sizeof(double));
	}

	kvmx = kvmx_open_or_skip();
	bvm_create(&b);
	efd = eventfd(0, EFD_NONBLOCK);
	io.fd = efd;
	vm_ioctl(b.vm, KVM_IOEVENTFD, &io);
	io0.fd = efd;
	vm_ioctl(b.vm, KVM_IOEVENTFD, &io0);
	db.eventfd = efd;
	fd.eventfd = efd;
	add(&b, &db);
	add(&b, &fd);
	add(&b, &lg);
	add(&b, &bk);
	h = mmap(NULL, lg.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, b.sess, lg.mmap_offset);
	TEST_ASSERT(h != MAP_FAILED, "mmap log");
	/* the last path, only where kvmx runs BPF programs */
	if (!add_program(&b, BASE + 0x7000, dev, argv[0]))
		nr_paths = P_PROGRAM;

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

	/* warm up every path twice: page tables, KVM's MMIO caches */
	for (i = 0; i < 2; i++) {
		for (p = 0; p < nr_paths; p++)
			run(&b, path_addr[p], is_read(p));
		for (k = 0; k < 3; k++)
			run(&nb[k], db.addr, 0);
	}
	for (i = 0; i < reps; i++) {
		/* rotate the order: no path always runs first */
		for (k = 0; k < nr_paths; k++) {
			p = (i + k) % nr_paths;
			if (p == P_LOG)
				__atomic_store_n(&h->tail, h->head, __ATOMIC_RELEASE);
			res[p][i] = run(&b, path_addr[p], is_read(p));
			tres[p][i] = last_ticks;
		}
		for (k = 0; k < 3; k++) {
			n = (i + k) % 3;
			hit[n][i] = run(&nb[n], db.addr, false);
			thit[n][i] = last_ticks;
		}
	}
	TEST_ASSERT(!h->dropped && !h->fallbacks, "log overflowed");
	for (p = 0; p < nr_paths; p++) {
		m[p] = median(res[p], reps);
		tm[p] = median(tres[p], reps);
	}
	for (k = 0; k < 3; k++) {
		mh[k] = median(hit[k], reps);
		tmh[k] = median(thit[k], reps);
	}

	for (p = 0; p < nr_paths; p++) {
		if (p == P_USER || p == P_RUSER)
			json(path_name[p], m[p], tm[p], NULL, 0, 0);
		else if (p == P_BANK || p == P_PROGRAM)
			json(path_name[p], m[p], tm[p], "read_user", m[P_RUSER], tm[P_RUSER]);
		else
			json(path_name[p], m[p], tm[p], "write_user", m[P_USER], tm[P_USER]);
	}
	json("doorbell_vs_ioeventfd", m[P_DOORBELL], tm[P_DOORBELL], "write_ioeventfd",
	     m[P_IOEVENTFD], tm[P_IOEVENTFD]);
	json("fast_vs_ioeventfd0", m[P_FAST], tm[P_FAST], "write_ioeventfd0",
	     m[P_IOEVENTFD0], tm[P_IOEVENTFD0]);
	json("fast_vs_doorbell", m[P_FAST], tm[P_FAST], "write_doorbell",
	     m[P_DOORBELL], tm[P_DOORBELL]);
	json("read_user_vs_bank", m[P_RUSER], tm[P_RUSER], "read_bank", m[P_BANK], tm[P_BANK]);
	/* the goal: a program's read within 1.10x of a bank's */
	if (nr_paths > P_PROGRAM)
		json("program_vs_bank", m[P_PROGRAM], tm[P_PROGRAM], "read_bank", m[P_BANK],
		     tm[P_BANK]);
	for (k = 0; k < 3; k++) {
		char name[32];

		snprintf(name, sizeof(name), "doorbell_%d_regions", nr_at[k]);
		json(name, mh[k], tmh[k], "doorbell_1_regions", mh[0], tmh[0]);
	}
	t_del = now_ns() / 1e6;
	for (n = 1; n < nr_at[2]; n++)
		TEST_ASSERT(!ioctl(nb[2].sess, KVMX_REGION_DEL, ids[n]), "DEL %u", ids[n]);
	t_del = now_ns() / 1e6 - t_del;
	printf("{\"bench\":\"regions\",\"arch\":\"%s\",\"path\":\"add_%d\",\"ms\":%.0f}\n",
	       ARCH_NAME, nr_at[2], t_add);
	printf("{\"bench\":\"regions\",\"arch\":\"%s\",\"path\":\"del_%d\",\"ms\":%.0f}\n",
	       ARCH_NAME, nr_at[2], t_del);
	for (k = 0; k < 3; k++) {
		close(nb[k].sess);
		kvm_vm_free(nb[k].vm);
	}
	close(b.sess);
	kvmx_bpf_close(dev);
	free(dev);
	kvm_vm_free(b.vm);
	return 0;
}
