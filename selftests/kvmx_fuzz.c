// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_fuzz: a fuzzer of the kvmx uapi in the spirit of syzkaller, for the
 * host-safety issue: nothing a VMM does through /dev/kvmx may WARN, oops or
 * hang the host.
 *
 *   kvmx_fuzz [-s SEED[,SEED...]] [-t SECONDS] [-j THREADS] [-c VCPUS]
 *             [-x WHAT[,WHAT...]]
 *
 * Each seed runs for SECONDS in a child process of its own and gets a TAP
 * line, "ok N - seed S". Within it:
 *
 *   - a VM with 2-4 vCPUs (by the seed, or -c) runs a guest that makes
 *     MMIO accesses of 1, 2, 4 and 8 bytes, some across a page boundary,
 *     in a guest-physical window outside the memslots, and on x86 port I/O,
 *     plain and rep ins/outs: mostly at and around the regions the fuzz
 *     threads added (the host tells it where), the rest anywhere in the
 *     window, where nothing claims them. Each vCPU's thread answers
 *     KVM_EXIT_MMIO and KVM_EXIT_IO as a VMM does;
 *   - a scribbler writes garbage into the kvm_run mmio/io fields of the
 *     running vCPUs (run->mmio.len = 0x3000 and the like);
 *   - THREADS fuzz threads issue every kvmx ioctl with structured random
 *     arguments: valid ones mostly, so that calls get past the input checks
 *     into the code behind them, then mutated (boundary values, reserved
 *     bits, unknown flags and modes, argsz 0/short/old/exact/long/huge, bad
 *     eventfds and fds), placed across a guard page, across an unmapped page,
 *     across a page dropped with MADV_DONTNEED, unaligned, inside a shared
 *     mapping or at addresses that are not user memory; they mmap, munmap
 *     and mremap the session fd at random offsets and lengths (the event
 *     ring, BANK registers, LOG rings), read every shared page and write
 *     garbage into it, header fields included; fork children that touch the
 *     mappings and use the sessions; close sessions other threads are using,
 *     and now and then all of the VM's, and attach again; and run short
 *     programs of calls that build on each other (a LOG ring added, mapped,
 *     its header corrupted, then filled by the guest), as syzkaller does;
 *   - another thread creates a second VM, attaches to it, closes the VM's
 *     own fds while attached so that the sessions tear it down, in a loop.
 *
 * Seeds are deterministic in what each thread and vCPU chooses, not in how
 * the threads interleave.
 *
 * A WARN, an oops or a hang is the harness's to catch (tools/vm/run boots
 * with panic_on_warn and hung_task_panic). The fuzzer fails a seed itself if
 * a thread is stuck in a call (it names the threads in calls, with their
 * kernel stacks: the seed's process does, or its parent if a deadlock on
 * mmap_lock stops the process itself), if a vCPU stops, if the guest
 * never hit a region, or if an ioctl never succeeded or succeeded in fewer
 * than MIN_OK_PCT percent of its calls: a fuzzer that only feeds the input
 * checks tests nothing behind them. It prints, per ioctl, the calls, how
 * many succeeded and the commonest errors.
 *
 * -x leaves something out, to get past a known crash of the module and test
 * the rest (the default exercises everything):
 *   log-nr    no writes to nr_records in a LOG header (the kernel trusts it)
 *   pieces    no guest access across a page (x86 splits one into pieces of
 *             3, 5, 6 or 7 bytes, which a region then serves)
 *   mmio-len  the scribbler leaves run->mmio.len alone (arm64's DISCARD
 *             policy sizes a memset by it)
 *   window    windows only from slot 0's session, which is never closed, and
 *             nothing of another session inside them (a window whose session
 *             closes before the inner regions' is used after it is freed)
 *   lock      no mmap of a region while another kvmx call runs (mmap takes
 *             regions_lock under mmap_lock; REGION_LIST and REGION_ADD fault
 *             under regions_lock, and regions_lock is held across KVM's
 *             synchronize_srcu, which waits for vCPUs faulting on mmap_lock)
 * and, to narrow a failure down: fork, cycle, scribble, policy (no
 * unclaimed-access actions), vm2.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "syndrome.h"

#define PAGE		4096ul
#define WIN_GPA		0xc0000000ul	/* the MMIO window; guest-physical = virtual */
#define WIN_PAGES	32
#define WIN_SIZE	(WIN_PAGES * PAGE)
#define WSUB_GPA	(WIN_GPA + WIN_SIZE - WSUB_SIZE)	/* -x window: the windows */
#define WSUB_SIZE	(8 * PAGE)
#define PORT_BASE	0x5000		/* where port regions go (x86) */
#define PORT_SIZE	0x400
#define NR_TARGETS	64
#define MAX_VCPUS	4
#define MAX_FUZZERS	16
#define NR_SLOTS	6		/* sessions: 0-3 on the VM, 4-5 on the second VM */
#define NR_MAIN_SLOTS	4
#define MAX_REGIONS	128		/* tracked; beyond, REGION_ADD turns into DEL */
#define MAX_MAPS	48
#define NR_EFDS		4
#define ARENA_PAGES	48
#define EDGE_PAGES	2
#define EDGE_BASE	0x3000000000ul	/* far below where mmap() puts things */
#define MIN_OK_PCT	5
#define STUCK_SECS	45		/* a call this long is a hang */
#define TICKS_PER_SEC	5		/* of the main thread's watch */
#define NR_ERRNO	134

#ifdef __x86_64__
#define IS_X86		1
#else
#define IS_X86		0
#endif

/* -- the guest -------------------------------------------------------------- */

struct fz_target {
	u64 addr;
	u32 size;
	u32 pio;
};

/* a page of the guest image, shared: the host writes it through fz.sh */
struct fz_shared {
	u64 no_cross;			/* -x pieces */
	struct fz_target t[NR_TARGETS];	/* where the regions are */
	u64 iters[MAX_VCPUS];		/* accesses made, per vCPU */
	u64 exc[64];			/* arm64: exceptions taken, by EC */
	u8 buf[MAX_VCPUS][64];		/* rep ins/outs */
};

static struct fz_shared gsh __aligned(4096);

static inline u64 xorshift(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void guest_mmio(u64 addr, u64 size, bool write, u64 v)
{
	switch (size) {
	case 1:
		if (write)
			WRITE_ONCE(*(u8 *)addr, v);
		else
			(void)READ_ONCE(*(u8 *)addr);
		break;
	case 2:
		if (write)
			WRITE_ONCE(*(u16 *)addr, v);
		else
			(void)READ_ONCE(*(u16 *)addr);
		break;
	case 4:
		if (write)
			WRITE_ONCE(*(u32 *)addr, v);
		else
			(void)READ_ONCE(*(u32 *)addr);
		break;
	default:
		if (write)
			WRITE_ONCE(*(u64 *)addr, v);
		else
			(void)READ_ONCE(*(u64 *)addr);
		break;
	}
}

/* An offset into a target of @tsize bytes: inside, at and across its edges. */
static u64 guest_offset(u64 r, u64 tsize, u64 size)
{
	switch (r % 8) {
	case 0:
		return 0;
	case 1:
		return tsize - size;
	case 2:
		return tsize - size + 1 + (r >> 8) % size;
	case 3:
		return -(1 + (r >> 8) % size);
	case 4:
		return tsize;
	case 5:
		return (r >> 8) % tsize;
	default:
		return ((r >> 8) % tsize) & ~(size - 1);
	}
}

/* Aimed at a region, an access is repeated: served in the kernel, that is cheap. */
static u64 guest_do_mmio(u64 r, u64 size, bool write, struct fz_target *t, bool aimed)
{
	u64 addr, i, reps = 1, tsize = READ_ONCE(t->size);
	bool no_cross = READ_ONCE(gsh.no_cross);

	if (aimed && tsize && !READ_ONCE(t->pio)) {
		addr = READ_ONCE(t->addr) + guest_offset(r, tsize, size);
		reps = 1 + (r >> 44) % 8;
	} else {
		addr = WIN_GPA + r % WIN_SIZE;
	}
	/* across the next page boundary, 1 to size - 1 bytes before it */
	if (size > 1 && !no_cross && !((r >> 56) & 7))
		addr = (addr | (PAGE - 1)) + 1 - (1 + (r >> 40) % (size - 1));
	if (addr < WIN_GPA || addr > WIN_GPA + WIN_SIZE - size)
		addr = WIN_GPA + addr % (WIN_SIZE - 8);
	/* an aligned access never crosses a page */
	if (no_cross && ((addr ^ (addr + size - 1)) & ~(PAGE - 1)))
		addr &= ~(size - 1);
	for (i = 0; i < reps; i++)
		guest_mmio(addr, size, write, r + i);
	return reps;
}

#ifdef __x86_64__
static void guest_pio(u16 port, u64 size, bool out, u64 v)
{
	u32 r;

	switch (size) {
	case 1:
		if (out)
			asm volatile("outb %b0, %w1" : : "a"(v), "d"(port));
		else
			asm volatile("inb %w1, %b0" : "=a"(r) : "d"(port));
		break;
	case 2:
		if (out)
			asm volatile("outw %w0, %w1" : : "a"(v), "d"(port));
		else
			asm volatile("inw %w1, %w0" : "=a"(r) : "d"(port));
		break;
	default:
		if (out)
			asm volatile("outl %k0, %w1" : : "a"(v), "d"(port));
		else
			asm volatile("inl %w1, %k0" : "=a"(r) : "d"(port));
		break;
	}
}

/* string I/O: KVM emulates it, n accesses at once */
static void guest_pio_rep(u16 port, u64 size, bool out, u8 *buf, u64 n)
{
	if (out) {
		if (size == 1)
			asm volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
		else if (size == 2)
			asm volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
		else
			asm volatile("rep outsl" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
	} else {
		if (size == 1)
			asm volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
		else if (size == 2)
			asm volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
		else
			asm volatile("rep insl" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
	}
}

static u64 guest_do_pio(u64 r, u64 size, bool out, struct fz_target *t, bool aimed,
			u8 *buf)
{
	u64 port, i, reps = 1, tsize = READ_ONCE(t->size);

	if (size == 8)
		size = 4;
	if (aimed && tsize && READ_ONCE(t->pio)) {
		port = READ_ONCE(t->addr) + guest_offset(r, tsize, size);
		reps = 1 + (r >> 44) % 8;
	} else if ((r >> 60) == 0) {
		port = 0x500 + (r >> 8) % (0x10000 - 0x500);	/* past the PIC's ports */
	} else {
		port = PORT_BASE + (r >> 8) % PORT_SIZE;
	}
	if (port < 0x500 || port > 0x10000 - size)
		port = PORT_BASE;
	if (!((r >> 52) & 15)) {
		reps = 1 + (r >> 32) % (64 / size);
		guest_pio_rep(port, size, out, buf, reps);
		return reps;
	}
	for (i = 0; i < reps; i++)
		guest_pio(port, size, out, r + i);
	return reps;
}
#endif

static void guest_code(u64 seed, u64 id)
{
	u64 s = seed | 1, n = 0;

	for (;;) {
		u64 r = xorshift(&s), r2 = xorshift(&s), r3 = xorshift(&s);
		struct fz_target *t = &gsh.t[r3 % NR_TARGETS];
		u64 size = 1ull << (r & 3), pick = (r >> 3) % 100, k;
		bool write = r & 4;

		/* the host clears the targets of regions that are gone */
		for (k = 1; k < 8 && !READ_ONCE(t->size); k++)
			t = &gsh.t[(r3 >> (6 * k)) % NR_TARGETS];

#ifdef __x86_64__
		if (pick < 10 || (pick < 40 && READ_ONCE(t->pio))) {
			n += guest_do_pio(r2, size, write, t, pick >= 10, gsh.buf[id]);
			WRITE_ONCE(gsh.iters[id], n);
			continue;
		}
#endif
		n += guest_do_mmio(r2, size, write, t, pick < 75);
		WRITE_ONCE(gsh.iters[id], n);
	}
}

#ifdef __aarch64__
/* INJECT aborts, and anything else: count it by EC and step over it */
static void guest_sync(struct ex_regs *regs)
{
	u64 esr;

	asm volatile("mrs %0, esr_el1" : "=r"(esr));
	WRITE_ONCE(gsh.exc[KVMX_ESR_EC(esr)], gsh.exc[KVMX_ESR_EC(esr)] + 1);
	regs->pc += 4;
}
#endif

/* -- the run's state -------------------------------------------------------- */

enum {
	X_LOG_NR, X_PIECES, X_MMIO_LEN, X_WINDOW, X_LOCK, X_FORK, X_CYCLE, X_SCRIBBLE,
	X_POLICY, X_VM2, NR_X
};

static const char *const x_names[NR_X] = {
	"log-nr", "pieces", "mmio-len", "window", "lock", "fork", "cycle", "scribble",
	"policy", "vm2",
};

/* what is counted: the ioctls first, whose success share is checked */
enum {
	C_API, C_ATTACH, C_INFO, C_STATS, C_RESET, C_RING, C_FAULTS, C_RADD, C_RDEL,
	C_RLIST, C_SETPOL, C_GETPOL, NR_IOCTLS,
	C_BAD = NR_IOCTLS, C_MMAP, C_MUNMAP, C_MREMAP, C_MADVISE, C_TOUCH, C_FORK,
	C_CLOSE, C_CYCLE, C_VM2, C_RUN, NR_CALLS
};

static const char *const call_names[NR_CALLS] = {
	"KVMX_GET_API_VERSION", "KVMX_ATTACH_VM", "KVMX_SESSION_INFO", "KVMX_GET_STATS",
	"KVMX_RESET_STATS", "KVMX_RING_SETUP", "KVMX_GET_FAULTS", "KVMX_REGION_ADD",
	"KVMX_REGION_DEL", "KVMX_REGION_LIST", "KVMX_SET_POLICY", "KVMX_GET_POLICY",
	"unknown ioctls", "mmap", "munmap", "mremap", "madvise", "touch mappings", "fork",
	"close session", "close all", "second VM", "KVM_RUN",
};

static unsigned long nr_calls[NR_CALLS], nr_ok[NR_CALLS], nr_err[NR_CALLS][NR_ERRNO];

struct fz_thread {
	pthread_t th;
	pid_t tid;
	pid_t child;		/* a fork child it waits for */
	char name[16];
	u64 rng;
	/* READ_ONCE/WRITE_ONCE: another thread or the parent reads them */
	int op;			/* the call it is in (-1: none), for the watchdog */
	u64 since;		/* since when, ns */
	u64 since_tick;		/* and in fz.ticks */
	int done;
	u8 *arena;		/* ARENA_PAGES, then a PROT_NONE page */
	u8 *edge;		/* EDGE_PAGES, then an unmapped page; or NULL */
	struct kvm_vcpu *vcpu;	/* vCPU threads: theirs */
	unsigned int vcpu_idx;
	unsigned long exits_mmio, exits_pio, nisv;
	const char *failed;	/* vCPU threads: why they stopped */
};

struct slot {
	pthread_mutex_t lock;	/* fd, gen, ring_* */
	int fd;			/* -1: closed */
	unsigned int gen;	/* bumped at every close */
	u32 ring_nr;		/* its ring's nr_records, 0 before KVMX_RING_SETUP */
	u64 ring_size;
};

struct region {
	bool used;
	int slot;
	int target;		/* its entry in the guest's targets, or -1 */
	unsigned int gen;
	u32 id, mode, flags;
	u64 addr, size, mmap_offset, mmap_size;
};

enum { MK_RING, MK_BANK, MK_LOG, MK_OTHER };

struct map {
	bool used;
	u8 *addr;
	size_t len;
	size_t obj_off;		/* offset of addr in what was mapped */
	int kind, prot, slot;
	bool zapped;		/* pages dropped: accesses may SIGBUS */
};

static struct {
	u64 seed;
	int secs, nr_fuzzers, nr_vcpus;
	unsigned long excl;
	int kvmx_fd, kvm_fd, efd[NR_EFDS], pipe[2];
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	struct fz_shared *sh;		/* gsh, seen from the host */
	/* stop, ticks, vm2_fd, last_cycle and last_fork: READ_ONCE/WRITE_ONCE */
	int stop;
	/*
	 * Counted by the main thread as it watches: the time the fuzzer ran. A
	 * VM frozen by a loaded host (real time goes on) makes no call hang.
	 */
	u64 ticks;
	pthread_rwlock_t excl_lock;	/* -x lock: region mmaps write, the rest read */
	struct slot slot[NR_SLOTS];
	int vm2_fd;			/* the second VM's fd, -1 while closed */
	pthread_mutex_t regions_lock;	/* regions[], next_target; a leaf lock */
	struct region regions[MAX_REGIONS];
	unsigned int next_target;
	pthread_rwlock_t maps_lock;	/* maps[]: read to touch, write to change */
	struct map maps[MAX_MAPS];
	u64 served;			/* the most region hits one REGION_LIST showed */
	unsigned long caught;		/* faults the guards caught */
	unsigned long orphans;		/* windows left with others' regions inside */
	u64 discarded, injected;	/* by the policies SET_POLICY replaced */
	u64 last_cycle, last_fork;
	const char *anomaly;
	u8 sink;			/* what touches read */
} fz;

/* The threads, in memory shared with the parent: it reports a hang from it. */
static struct {
	int nr_thr;
	struct fz_thread thr[MAX_FUZZERS + MAX_VCPUS + 2];
} *board;

static bool ex(int x)
{
	return fz.excl & (1ul << x);
}

/* -x lock: a region mmap runs alone (@write), every other kvmx call shares */
static void excl(bool write)
{
	if (!ex(X_LOCK))
		return;
	if (write)
		pthread_rwlock_wrlock(&fz.excl_lock);
	else
		pthread_rwlock_rdlock(&fz.excl_lock);
}

static void unexcl(void)
{
	if (ex(X_LOCK))
		pthread_rwlock_unlock(&fz.excl_lock);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void count(int c, int err)
{
	__atomic_add_fetch(&nr_calls[c], 1, __ATOMIC_RELAXED);
	if (!err)
		__atomic_add_fetch(&nr_ok[c], 1, __ATOMIC_RELAXED);
	else if (err > 0 && err < NR_ERRNO)
		__atomic_add_fetch(&nr_err[c][err], 1, __ATOMIC_RELAXED);
}

static void op_begin(struct fz_thread *t, int c)
{
	WRITE_ONCE(t->since, now_ns());
	WRITE_ONCE(t->since_tick, READ_ONCE(fz.ticks));
	WRITE_ONCE(t->op, c);
}

static void op_end(struct fz_thread *t)
{
	WRITE_ONCE(t->op, -1);
}

/* ioctl(), counted; -errno on failure */
static long fz_ioctl(struct fz_thread *t, int c, int fd, unsigned long cmd, unsigned long arg)
{
	long ret;
	int err;

	op_begin(t, c);
	ret = ioctl(fd, cmd, arg);
	err = ret < 0 ? errno : 0;
	op_end(t);
	count(c, err);
	return ret < 0 ? -err : ret;
}

/* -- values ----------------------------------------------------------------- */

static u64 rnd(struct fz_thread *t)
{
	return xorshift(&t->rng);
}

static u64 below(struct fz_thread *t, u64 n)
{
	return n ? rnd(t) % n : 0;
}

static bool pct(struct fz_thread *t, unsigned int p)
{
	return below(t, 100) < p;
}

static const u64 boundaries[] = {
	0, 1, 2, 3, 7, 8, 0xff, 0x100, 0xfff, 0x1000, 0x1001, 0xffff, 0x10000, 0x100000,
	0x7fffffff, 0x80000000, 0xffffffff, 1ull << 32, (1ull << 32) + 1, 1ull << 30,
	(1ull << 30) + 1, 1ull << 63, (1ull << 63) - 1, ~0ull, ~0ull - 0xfff,
};

static u64 boundary(struct fz_thread *t)
{
	u64 v = boundaries[below(t, ARRAY_SIZE(boundaries))];

	return pct(t, 20) ? v + below(t, 3) - 1 : v;
}

static u64 anyval(struct fz_thread *t)
{
	switch (below(t, 4)) {
	case 0:
		return boundary(t);
	case 1:
		return below(t, 64);
	case 2:
		return 1ull << below(t, 64);
	default:
		return rnd(t);
	}
}

/* An fd that is no session and no eventfd, or no fd at all. */
static int pick_bad_fd(struct fz_thread *t)
{
	static const int odd[] = { -1, -2, INT_MIN, INT_MAX, 999 };

	switch (below(t, 6)) {
	case 0:
		return fz.kvmx_fd;
	case 1:
		return fz.vm->fd;
	case 2:
		return fz.kvm_fd;
	case 3:
		return fz.pipe[0];
	default:
		return odd[below(t, ARRAY_SIZE(odd))];
	}
}

static int pick_efd(struct fz_thread *t)
{
	return pct(t, 90) ? fz.efd[below(t, NR_EFDS)] : pick_bad_fd(t);
}

/* -- faults in our own accesses --------------------------------------------- */

struct guard {
	sigjmp_buf jb;
};

static __thread struct guard *guard_cur;	/* the thread's guarded access, if any */
static __thread struct fz_thread *self;		/* the thread's own entry */

static void put_str(const char *s);

static void guard_sig(int sig, siginfo_t *si, void *ctx)
{
	struct guard *g = guard_cur;
	char msg[] = "# FAIL: the fuzzer faulted (signal ..) at 0x................\n";
	unsigned long addr = (unsigned long)si->si_addr;
	int i;

	if (g) {
		guard_cur = NULL;
		siglongjmp(g->jb, 1);
	}
	/* not in a guarded access: the fuzzer's own bug; say where, die of it */
	msg[35] = '0' + sig / 10;
	msg[36] = '0' + sig % 10;
	for (i = 0; i < 16; i++)
		msg[44 + i] = "0123456789abcdef"[(addr >> (60 - 4 * i)) & 15];
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(5);
	if (self) {
		int op = READ_ONCE(self->op);

		put_str("#   in ");
		put_str(self->name);
		put_str(op >= 0 ? ", in " : "");
		put_str(op >= 0 ? call_names[op] : "");
		put_str("\n");
	}
	signal(sig, SIG_DFL);
}

/*
 * @fn on @m, catching SIGSEGV and SIGBUS: a mapping may be gone from under
 * the kernel's side (MADV_DONTNEED on a ring leaves nothing to fault in).
 */
static bool guarded(void (*fn)(struct fz_thread *, struct map *), struct fz_thread *t,
		    struct map *m)
{
	struct guard g;

	if (sigsetjmp(g.jb, 1)) {
		__atomic_add_fetch(&fz.caught, 1, __ATOMIC_RELAXED);
		return false;
	}
	guard_cur = &g;
	fn(t, m);
	guard_cur = NULL;
	return true;
}

/* memcpy() that survives a mapping emptied under it */
static bool guarded_copy(void *dst, const void *src, size_t n)
{
	struct guard g;

	if (sigsetjmp(g.jb, 1)) {
		__atomic_add_fetch(&fz.caught, 1, __ATOMIC_RELAXED);
		return false;
	}
	guard_cur = &g;
	memcpy(dst, src, n);
	guard_cur = NULL;
	return true;
}

/* -- where arguments go ----------------------------------------------------- */

enum { AT_ARENA, AT_GUARD, AT_EDGE, AT_DROPPED, AT_MAP, AT_BAD };

struct arg {
	u8 *p;		/* what the ioctl gets */
	size_t room;	/* bytes of ours from p on */
	int at;
	bool bounded;	/* past room is memory of ours: the kernel must not write there */
	bool maps_locked;
	u8 *drop;	/* a page to drop once the argument is written */
};

/* not user memory, or not ours, on either arch */
static const unsigned long bad_ptrs[] = {
	0, 1, 16, 0xfff, ~0ul, ~0ul - 0xfff, 1ul << 63, 0xffff800000000000ul,
	0x0000800000000000ul,
};

/* Inside a live shared mapping: the kernel reads and writes registers and headers. */
static bool arg_in_map(struct fz_thread *t, size_t len, struct arg *a)
{
	unsigned int i, start = below(t, MAX_MAPS);

	pthread_rwlock_rdlock(&fz.maps_lock);
	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &fz.maps[(start + i) % MAX_MAPS];
		size_t off;

		if (!m->used || m->zapped || m->prot != (PROT_READ | PROT_WRITE) || m->len < len ||
		    (ex(X_LOG_NR) && m->kind != MK_RING))
			continue;
		off = below(t, m->len - len + 1) & ~7ul;
		a->p = m->addr + off;
		a->room = m->len - off;
		a->bounded = true;
		a->maps_locked = true;
		a->at = AT_MAP;
		return true;
	}
	pthread_rwlock_unlock(&fz.maps_lock);
	return false;
}

/*
 * Where an argument of @len bytes goes: mostly the start of the thread's
 * arena, else so that it runs into the guard page after the arena or the
 * unmapped page after the edge pages (the kernel faults on its tail), across
 * a page dropped after the argument is written (the kernel reads zeroes there,
 * or faults a page in), unaligned, inside a shared mapping, or at an address
 * that is not user memory. Bounded: the caller keeps the kernel's writes
 * within room.
 */
static void arg_place(struct fz_thread *t, struct arg *a, size_t len)
{
	u8 *end = t->arena + ARENA_PAGES * PAGE;
	size_t cut;

	memset(a, 0, sizeof(*a));
	switch (below(t, 20)) {
	case 0:
	case 1:
		cut = below(t, len + 1);
		a->p = end - cut;
		a->room = cut;
		a->at = AT_GUARD;
		return;
	case 2:
	case 3:
		if (!t->edge)
			break;
		cut = below(t, len + 1);
		a->p = t->edge + EDGE_PAGES * PAGE - cut;
		a->room = cut;
		a->at = AT_EDGE;
		return;
	case 4:
	case 5:
		cut = below(t, len < PAGE ? len + 1 : PAGE);
		a->p = t->arena + 2 * PAGE - cut;
		a->room = end - a->p;
		a->drop = t->arena + 2 * PAGE;
		a->at = AT_DROPPED;
		return;
	case 6:
		if (arg_in_map(t, len, a))
			return;
		break;
	case 7:
		a->p = (u8 *)bad_ptrs[below(t, ARRAY_SIZE(bad_ptrs))];
		a->at = AT_BAD;
		return;
	case 8:
		a->p = t->arena + 1 + below(t, 7);
		a->room = end - a->p;
		a->at = AT_ARENA;
		return;
	}
	a->p = t->arena;
	a->room = end - a->p;
	a->at = AT_ARENA;
}

/* Write what fits of @buf; drop the page the placement said to. */
static void arg_write(struct arg *a, const void *buf, size_t len)
{
	guarded_copy(a->p, buf, len < a->room ? len : a->room);
	if (a->drop)
		madvise(a->drop, PAGE, MADV_DONTNEED);
}

static void arg_done(struct arg *a)
{
	if (a->maps_locked)
		pthread_rwlock_unlock(&fz.maps_lock);
	a->maps_locked = false;
}

/* Can the result be read back from where it went? */
static bool arg_readable(const struct arg *a, size_t len)
{
	return a->at != AT_BAD && a->room >= len;
}

/*
 * argsz of an input structure of @size bytes whose first version had
 * @minsz; the caller makes the bytes past @size zero, or not (tail_fill).
 */
static u32 pick_argsz(struct fz_thread *t, u32 size, u32 minsz)
{
	switch (below(t, 20)) {
	case 0:
		return 0;
	case 1:
		return below(t, minsz);
	case 2:
		return minsz;
	case 3:
	case 4:
		return size + 1 + below(t, 64);
	case 5:
		return boundary(t);
	default:
		return size;
	}
}

/* The bytes of @buf past @size and within @argsz: zero mostly, else one is not. */
static void tail_fill(struct fz_thread *t, u8 *buf, size_t size, u32 argsz, size_t bufsz)
{
	memset(buf + size, 0, bufsz - size);
	if (argsz > size && pct(t, 25)) {
		size_t n = argsz - size < bufsz - size ? argsz - size : bufsz - size;

		if (n)
			buf[size + below(t, n)] = 1 + below(t, 255);
	}
}

/* argsz of an output buffer: a header of @hdr bytes, then @entry-byte entries */
static u32 pick_out_argsz(struct fz_thread *t, u32 hdr, u32 entry, size_t room)
{
	switch (below(t, 16)) {
	case 0:
		return 0;
	case 1:
		return below(t, hdr);
	case 2:
		return hdr;
	case 3:
		return hdr + below(t, 8) * entry + below(t, entry);
	case 4:
		return boundary(t);
	default:
		return room < UINT_MAX ? room : UINT_MAX;
	}
}

/* -- sessions --------------------------------------------------------------- */

/* Attach slot @s again (its lock held); the second VM's are the vm2 thread's. */
static void slot_attach(struct fz_thread *t, struct slot *s)
{
	struct kvmx_attach_vm a = { .argsz = sizeof(a), .vm_fd = fz.vm->fd };
	long fd;

	if (s - fz.slot >= NR_MAIN_SLOTS)
		return;
	fd = fz_ioctl(t, C_ATTACH, fz.kvmx_fd, KVMX_ATTACH_VM, (unsigned long)&a);
	if (fd >= 0) {
		s->fd = fd;
		s->ring_nr = 0;
	}
}

/*
 * A session fd of slot @i for one call: a dup, so that another thread may
 * close the slot meanwhile (the session then lives until the dup goes). A
 * closed slot is attached again first. -1 if there is none.
 */
static int slot_get(struct fz_thread *t, int i, unsigned int *gen)
{
	struct slot *s = &fz.slot[i];
	int fd = -1;

	pthread_mutex_lock(&s->lock);
	if (s->fd < 0)
		slot_attach(t, s);
	if (s->fd >= 0)
		fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
	*gen = s->gen;
	pthread_mutex_unlock(&s->lock);
	return fd;
}

static void untrack_slot(int i);

static void slot_close(int i)
{
	struct slot *s = &fz.slot[i];

	pthread_mutex_lock(&s->lock);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
		s->gen++;
		s->ring_nr = 0;
	}
	pthread_mutex_unlock(&s->lock);
	untrack_slot(i);
}

static int pick_slot(struct fz_thread *t)
{
	if (ex(X_VM2) || pct(t, 80))
		return below(t, NR_MAIN_SLOTS);
	return NR_MAIN_SLOTS + below(t, NR_SLOTS - NR_MAIN_SLOTS);
}

/* what a session ioctl goes to: a live session mostly, else a bad fd */
struct target {
	int fd;
	int slot;		/* -1: no slot's */
	unsigned int gen;
	bool dup;
};

static void pick_target(struct fz_thread *t, struct target *g)
{
	g->slot = pick_slot(t);
	g->fd = -1;
	if (pct(t, 96)) {
		g->fd = slot_get(t, g->slot, &g->gen);
		if (g->fd < 0 && g->slot >= NR_MAIN_SLOTS) {
			g->slot = below(t, NR_MAIN_SLOTS);
			g->fd = slot_get(t, g->slot, &g->gen);
		}
	}
	g->dup = g->fd >= 0;
	if (g->fd < 0) {
		g->fd = pick_bad_fd(t);
		g->slot = -1;
	}
}

static void put_target(struct target *g)
{
	if (g->dup)
		close(g->fd);
}

/* -- what we know of the regions -------------------------------------------- */

static int set_target(const struct kvmx_region *r)
{
	int i = fz.next_target++ % NR_TARGETS;
	struct fz_target *gt = &fz.sh->t[i];

	WRITE_ONCE(gt->size, 0);
	WRITE_ONCE(gt->addr, r->addr);
	WRITE_ONCE(gt->pio, !!(r->flags & KVMX_REGION_PIO));
	WRITE_ONCE(gt->size, r->size > 1ul << 30 ? 1u << 30 : r->size);
	return i;
}

/* A region went: the guest aims elsewhere (unless its entry was reused). */
static void region_gone(struct region *e)
{
	if (e->target >= 0 && fz.sh->t[e->target].addr == e->addr)
		WRITE_ONCE(fz.sh->t[e->target].size, 0);
	e->used = false;
}

static void track_region(int slot, unsigned int gen, const struct kvmx_region *r)
{
	int target = -1;
	unsigned int i;

	pthread_mutex_lock(&fz.regions_lock);
	/* the guest aims at the VM's regions */
	if (slot < NR_MAIN_SLOTS)
		target = set_target(r);
	for (i = 0; i < MAX_REGIONS; i++) {
		struct region *e = &fz.regions[i];

		if (e->used && e->gen == READ_ONCE(fz.slot[e->slot].gen))
			continue;
		*e = (struct region){ .used = true, .slot = slot, .target = target,
				      .gen = gen, .id = r->id,
				      .mode = r->mode, .flags = r->flags, .addr = r->addr,
				      .size = r->size, .mmap_offset = r->mmap_offset,
				      .mmap_size = r->mmap_size };
		break;
	}
	pthread_mutex_unlock(&fz.regions_lock);
}

static void untrack_region(int slot, u64 id)
{
	unsigned int i;

	pthread_mutex_lock(&fz.regions_lock);
	for (i = 0; i < MAX_REGIONS; i++)
		if (fz.regions[i].used && fz.regions[i].slot == slot && fz.regions[i].id == id)
			region_gone(&fz.regions[i]);
	pthread_mutex_unlock(&fz.regions_lock);
}

/*
 * Closing @slot's session orphans its windows that hold another session's
 * regions (the kernel keeps such a window): count how often the fuzzer gets
 * there. Caller holds regions_lock.
 */
static void count_orphans(int slot)
{
	unsigned int i, j;

	for (i = 0; i < MAX_REGIONS; i++) {
		struct region *w = &fz.regions[i];

		if (!w->used || w->slot != slot || w->mode != KVMX_MODE_WINDOW)
			continue;
		for (j = 0; j < MAX_REGIONS; j++) {
			struct region *e = &fz.regions[j];

			/* of the same VM, on the same bus, inside */
			if (e->used && e->slot != slot &&
			    e->slot / NR_MAIN_SLOTS == slot / NR_MAIN_SLOTS &&
			    (e->flags & KVMX_REGION_PIO) == (w->flags & KVMX_REGION_PIO) &&
			    e->addr >= w->addr && e->addr + e->size <= w->addr + w->size) {
				fz.orphans++;
				break;
			}
		}
	}
}

static void untrack_slot(int slot)
{
	unsigned int i;

	pthread_mutex_lock(&fz.regions_lock);
	count_orphans(slot);
	for (i = 0; i < MAX_REGIONS; i++)
		if (fz.regions[i].used && fz.regions[i].slot == slot)
			region_gone(&fz.regions[i]);
	pthread_mutex_unlock(&fz.regions_lock);
}

static unsigned int nr_regions(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_REGIONS; i++)
		n += READ_ONCE(fz.regions[i].used);
	return n;
}

/* A region we know of: of @slot (-1: any) with a mapping if @mapped. */
static bool pick_region(struct fz_thread *t, int slot, bool mapped, struct region *out)
{
	unsigned int i, start = below(t, MAX_REGIONS);
	bool found = false;

	pthread_mutex_lock(&fz.regions_lock);
	for (i = 0; i < MAX_REGIONS && !found; i++) {
		struct region *e = &fz.regions[(start + i) % MAX_REGIONS];

		if (!e->used || (slot >= 0 && e->slot != slot) || (mapped && !e->mmap_size))
			continue;
		*out = *e;
		found = true;
	}
	pthread_mutex_unlock(&fz.regions_lock);
	return found;
}

/* -- generators ------------------------------------------------------------- */

static u64 gen_mmio_addr(struct fz_thread *t, u64 size)
{
	u64 page = WIN_GPA + below(t, WIN_PAGES) * PAGE;

	switch (below(t, 10)) {
	case 0:
	case 1:
	case 2:
		return page;
	case 3:
	case 4:
	case 5:
		return page + (below(t, PAGE) & ~7ul);
	case 6:
	case 7:
		return page + PAGE - size;		/* ends at a page boundary */
	case 8:
		return page + PAGE - below(t, size);	/* across one */
	default:
		return page + below(t, PAGE);
	}
}

static u64 gen_size(struct fz_thread *t, u32 mode)
{
	static const u64 bank[] = { 8, 64, 256, PAGE, 2 * PAGE };
	static const u64 window[] = { PAGE, 2 * PAGE, 4 * PAGE, 256 };
	static const u64 other[] = { 1, 2, 4, 8, 16, 64, PAGE };

	if (pct(t, 15))
		return 1 + below(t, mode == KVMX_MODE_WINDOW ? 4 * PAGE : 128);
	if (mode == KVMX_MODE_BANK)
		return bank[below(t, ARRAY_SIZE(bank))];
	if (mode == KVMX_MODE_WINDOW)
		return window[below(t, ARRAY_SIZE(window))];
	return other[below(t, ARRAY_SIZE(other))];
}

static void mutate_region(struct fz_thread *t, struct kvmx_region *r)
{
	switch (below(t, 12)) {
	case 0:
		r->flags |= 1u << below(t, 32);
		break;
	case 1:
		r->reserved = anyval(t);
		break;
	case 2:
		r->mode = anyval(t);
		break;
	case 3:
		r->size = boundary(t);
		break;
	case 4:
		r->addr = boundary(t);
		break;
	case 5:
		r->access_sizes = anyval(t);
		break;
	case 6:
		r->eventfd = pick_bad_fd(t);
		break;
	case 7:
		r->log_records = boundary(t);
		break;
	case 8:
		r->log_watermark = boundary(t);
		break;
	case 9:
		r->flags ^= KVMX_REGION_DATAMATCH | KVMX_REGION_LOG_DROP;
		break;
	case 10:
		/* out fields: the kernel ignores them */
		r->id = anyval(t);
		r->mmap_offset = anyval(t);
		r->mmap_size = anyval(t);
		break;
	default:
		r->flags ^= KVMX_REGION_PIO;
		break;
	}
}

/*
 * -x window: windows only from slot 0 (never closed) and in the top of the
 * window, no other session's region inside it.
 */
static void window_rule(struct fz_thread *t, int slot, struct kvmx_region *r)
{
	bool inside = !(r->flags & KVMX_REGION_PIO) && r->addr >= WSUB_GPA &&
		      r->addr + r->size > r->addr && r->addr + r->size <= WSUB_GPA + WSUB_SIZE;

	if (!ex(X_WINDOW))
		return;
	if (slot == 0) {
		if (r->mode == KVMX_MODE_WINDOW) {
			r->flags &= ~KVMX_REGION_PIO;
			r->addr = WSUB_GPA + below(t, WSUB_SIZE / PAGE) * PAGE;
			r->size = PAGE;
		}
		return;
	}
	if (r->mode == KVMX_MODE_WINDOW) {
		r->mode = KVMX_MODE_DISCARD;
		r->access_sizes = KVMX_SIZES_ALL;
	}
	if (inside)
		r->addr -= WSUB_SIZE;
}

static void gen_region(struct fz_thread *t, int slot, struct kvmx_region *r)
{
	bool pio = IS_X86 && pct(t, 25);

	memset(r, 0, sizeof(*r));
	r->mode = pct(t, 97) ? 1 + below(t, KVMX_MODE_WINDOW) : anyval(t);
	r->flags = pio ? KVMX_REGION_PIO : 0;
	r->size = gen_size(t, r->mode);
	if (pio) {
		r->size = 1 + below(t, 16);
		r->addr = PORT_BASE + below(t, PORT_SIZE);
	} else {
		r->addr = gen_mmio_addr(t, r->size);
	}
	r->access_sizes = r->mode == KVMX_MODE_WINDOW ? 0 :
			  pct(t, 60) ? KVMX_SIZES_ALL : 1 + below(t, KVMX_SIZES_ALL);
	r->eventfd = -1;
	switch (r->mode) {
	case KVMX_MODE_DOORBELL:
		r->eventfd = pick_efd(t);
		if (pct(t, 30)) {
			r->flags |= KVMX_REGION_DATAMATCH;
			r->datamatch = pct(t, 50) ? below(t, 4) : anyval(t);
		}
		break;
	case KVMX_MODE_BANK:
		if (pct(t, 50))
			r->eventfd = pick_efd(t);
		break;
	case KVMX_MODE_LOG:
		if (pct(t, 50))
			r->eventfd = pick_efd(t);
		if (pct(t, 50))
			r->flags |= KVMX_REGION_LOG_DROP;
		r->log_records = 1u << (1 + below(t, 8));
		r->log_watermark = 1 + below(t, r->log_records);
		break;
	}
	if (pct(t, 15))
		mutate_region(t, r);
	window_rule(t, slot, r);
}

static void gen_policy(struct fz_thread *t, struct kvmx_policy *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	if (pct(t, 15))
		return;		/* the default */
	if (!ex(X_POLICY)) {
		p->mmio = below(t, IS_X86 ? 2 : 3);
		p->pio = IS_X86 ? below(t, 2) : 0;
		p->unbacked = IS_X86 ? 0 : below(t, 2) * KVMX_POLICY_INJECT;
	}
	p->nr_ranges = pct(t, 30) ? 0 : 1 + below(t, 4);
	for (i = 0; i < p->nr_ranges; i++) {
		struct kvmx_policy_range *r = &p->ranges[i];

		/* a quarter of the window or of the ports each: no overlaps */
		if (IS_X86 && pct(t, 40)) {
			r->flags = KVMX_RANGE_PIO;
			r->addr = PORT_BASE + i * (PORT_SIZE / 4) + below(t, PORT_SIZE / 8);
			r->size = 1 + below(t, PORT_SIZE / 8);
		} else {
			r->addr = WIN_GPA + i * (WIN_SIZE / 4) + below(t, WIN_SIZE / 8);
			r->size = 1 + below(t, WIN_SIZE / 8);
		}
	}
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		struct kvmx_class_policy *c = &p->classes[i];

		switch (below(t, 10)) {
		case 0:
			c->action = KVMX_CLASS_SAMPLE;
			c->n = 1 + below(t, 8);
			break;
		case 1:
			c->action = KVMX_CLASS_NOTIFY;
			c->n = 1 + below(t, 16);
			c->eventfd = fz.efd[below(t, NR_EFDS)];
			break;
		}
	}
}

static void mutate_policy(struct fz_thread *t, struct kvmx_policy *p)
{
	unsigned int i = below(t, KVMX_POLICY_MAX_RANGES), c = below(t, KVMX_EXIT_CLASSES_MAX);

	switch (below(t, 14)) {
	case 0:
		p->flags = anyval(t);
		break;
	case 1:
		p->mmio = anyval(t);
		break;
	case 2:
		p->pio = 1 + below(t, 2);
		break;
	case 3:
		p->unbacked = anyval(t);
		break;
	case 4:
		p->nr_ranges = pct(t, 50) ? KVMX_POLICY_MAX_RANGES + 1 : anyval(t);
		break;
	case 5:
		p->ranges[1] = p->ranges[0];	/* an overlap, if both are in use */
		break;
	case 6:
		p->ranges[i].reserved = anyval(t);
		break;
	case 7:
		p->ranges[i].size = boundary(t);
		p->ranges[i].addr = boundary(t);
		break;
	case 8:
		p->ranges[i].flags = anyval(t);
		break;
	case 9:
		p->mmio_discarded = anyval(t);
		p->notified[c] = anyval(t);
		break;
	case 10:
		p->classes[c].reserved = anyval(t);
		break;
	case 11:
		p->classes[c].action = anyval(t);
		break;
	case 12:
		p->classes[c].n = pct(t, 50) ? 0 : anyval(t);
		break;
	default:
		p->classes[c].action = KVMX_CLASS_NOTIFY;
		p->classes[c].n = 1;
		p->classes[c].eventfd = pick_bad_fd(t);
		break;
	}
}

/* -- the ioctls ------------------------------------------------------------- */

static void op_api(struct fz_thread *t, struct target *g)
{
	int fd = pct(t, 95) ? fz.kvmx_fd : pick_bad_fd(t);

	fz_ioctl(t, C_API, fd, KVMX_GET_API_VERSION, pct(t, 85) ? 0 : anyval(t));
}

/* A session attached by op_attach: into a free slot if it is the VM's, else closed. */
static void adopt(struct fz_thread *t, int fd, bool main_vm)
{
	struct kvmx_session_info info = { .argsz = sizeof(info) };
	int i = below(t, NR_MAIN_SLOTS);

	if (ioctl(fd, KVMX_SESSION_INFO, &info)) {
		fz.anomaly = "KVMX_ATTACH_VM returned an fd that is not a session";
		return;
	}
	if (main_vm) {
		pthread_mutex_lock(&fz.slot[i].lock);
		if (fz.slot[i].fd < 0) {
			fz.slot[i].fd = fd;
			fz.slot[i].ring_nr = 0;
			fd = -1;
		}
		pthread_mutex_unlock(&fz.slot[i].lock);
	}
	if (fd >= 0)
		close(fd);
}

static void op_attach(struct fz_thread *t, struct target *unused)
{
	struct kvmx_attach_vm a = { .vm_fd = fz.vm->fd };
	int fd = fz.kvmx_fd, fresh = -1;
	u8 buf[128];
	struct arg ar;
	long ret;

	switch (below(t, 12)) {
	case 0:
		a.vm_fd = READ_ONCE(fz.vm2_fd);
		break;
	case 1:
		a.vm_fd = pick_bad_fd(t);
		break;
	case 2:
		a.vm_fd = fz.vcpus[0]->fd;
		break;
	case 3:
		fd = pick_bad_fd(t);
		break;
	case 4:
		/* through a /dev/kvmx of its own, closed before the session is */
		fresh = open("/dev/kvmx", O_RDWR | O_CLOEXEC);
		if (fresh >= 0)
			fd = fresh;
		break;
	}
	if (pct(t, 8))
		a.flags = anyval(t);
	if (pct(t, 8))
		a.reserved = anyval(t);
	a.argsz = pick_argsz(t, sizeof(a), sizeof(a));
	memcpy(buf, &a, sizeof(a));
	tail_fill(t, buf, sizeof(a), a.argsz, sizeof(buf));
	arg_place(t, &ar, sizeof(a));
	arg_write(&ar, buf, sizeof(buf));
	ret = fz_ioctl(t, C_ATTACH, fd, KVMX_ATTACH_VM, (unsigned long)ar.p);
	arg_done(&ar);
	if (fresh >= 0)
		close(fresh);
	if (ret >= 0 && (fd == fz.kvmx_fd || fd == fresh))
		adopt(t, ret, a.vm_fd == fz.vm->fd);
}

/* SESSION_INFO and GET_POLICY: a fixed structure out */
static long fixed_out(struct fz_thread *t, int c, struct target *g, unsigned long cmd,
		      u32 size, u32 minsz)
{
	struct arg a;
	u32 hdr[2];
	long ret;

	arg_place(t, &a, size);
	hdr[0] = pct(t, 70) ? size : pick_argsz(t, size, minsz);
	hdr[1] = pct(t, 92) ? 0 : anyval(t);
	arg_write(&a, hdr, sizeof(hdr));
	ret = fz_ioctl(t, c, g->fd, cmd, (unsigned long)a.p);
	arg_done(&a);
	return ret;
}

static void op_info(struct fz_thread *t, struct target *g)
{
	fixed_out(t, C_INFO, g, KVMX_SESSION_INFO, sizeof(struct kvmx_session_info), 8);
}

static void op_get_policy(struct fz_thread *t, struct target *g)
{
	fixed_out(t, C_GETPOL, g, KVMX_GET_POLICY, sizeof(struct kvmx_policy),
		  sizeof(struct kvmx_policy));
}

/* GET_STATS, GET_FAULTS, REGION_LIST: a header, then entries, out */
static long table_out(struct fz_thread *t, int c, struct target *g, unsigned long cmd,
		      u32 hdr, u32 entry, struct arg *a)
{
	u32 h[2];

	arg_place(t, a, hdr);
	h[0] = pick_out_argsz(t, hdr, entry, a->room);
	if (a->bounded && h[0] > a->room)
		h[0] = a->room;
	h[1] = pct(t, 92) ? 0 : anyval(t);
	arg_write(a, h, sizeof(h));
	return fz_ioctl(t, c, g->fd, cmd, (unsigned long)a->p);
}

static void op_stats(struct fz_thread *t, struct target *g)
{
	struct arg a;

	table_out(t, C_STATS, g, KVMX_GET_STATS, sizeof(struct kvmx_stats),
		  sizeof(struct kvmx_stat_entry), &a);
	arg_done(&a);
}

static void op_faults(struct fz_thread *t, struct target *g)
{
	struct arg a;

	table_out(t, C_FAULTS, g, KVMX_GET_FAULTS, sizeof(struct kvmx_faults),
		  sizeof(struct kvmx_fault_entry), &a);
	arg_done(&a);
}

static void op_region_list(struct fz_thread *t, struct target *g)
{
	struct kvmx_region_list *l;
	struct kvmx_region_info e;
	struct arg a;
	u64 hits = 0;
	u32 i, n;

	if (!table_out(t, C_RLIST, g, KVMX_REGION_LIST, sizeof(*l),
		       sizeof(l->entries[0]), &a) && arg_readable(&a, sizeof(*l))) {
		/* how many accesses the regions served: proof the guest hits them */
		l = (void *)a.p;
		n = (a.room - sizeof(*l)) / sizeof(l->entries[0]);
		if (!guarded_copy(&i, &l->nr_entries, sizeof(i)))
			n = 0;
		if (n > i)
			n = i;
		for (i = 0; i < n && guarded_copy(&e, &l->entries[i], sizeof(e)); i++)
			hits += e.reads + e.writes;
		if (hits > fz.served)
			fz.served = hits;
	}
	arg_done(&a);
}

static void op_reset(struct fz_thread *t, struct target *g)
{
	fz_ioctl(t, C_RESET, g->fd, KVMX_RESET_STATS, pct(t, 90) ? 0 : anyval(t));
}

static void op_ring(struct fz_thread *t, struct target *g)
{
	struct kvmx_ring_setup rs = {};
	u8 buf[sizeof(rs) + 64];
	u32 nr = 0;
	unsigned int i;
	struct arg a;

	if (g->slot >= 0)
		nr = READ_ONCE(fz.slot[g->slot].ring_nr);
	rs.nr_records = nr && pct(t, 85) ? nr : 1u << (1 + below(t, 10));
	rs.watermark = 1 + below(t, rs.nr_records);
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (pct(t, 30))
			rs.sample[i] = 1 + below(t, 16);
	for (i = 0; i < KVMX_FAULT_NR_CLASSES; i++)
		if (pct(t, 30))
			rs.fault_sample[i] = 1 + below(t, 8);
	if (pct(t, 15)) {
		switch (below(t, 6)) {
		case 0:
			rs.flags = anyval(t);
			break;
		case 1:
			rs.nr_records = boundary(t);
			break;
		case 2:
			rs.watermark = pct(t, 50) ? 0 : rs.nr_records + 1;
			break;
		case 3:
			i = KVMX_EXIT_NR_CLASSES +
			    below(t, KVMX_EXIT_CLASSES_MAX - KVMX_EXIT_NR_CLASSES);
			rs.sample[i] = anyval(t);
			break;
		case 4:
			i = KVMX_FAULT_NR_CLASSES +
			    below(t, KVMX_FAULT_CLASSES_MAX - KVMX_FAULT_NR_CLASSES);
			rs.fault_sample[i] = anyval(t);
			break;
		default:
			rs.mmap_size = anyval(t);	/* ignored on input */
			break;
		}
	}
	/* API 1.1's structure ended at mmap_size */
	rs.argsz = pick_argsz(t, sizeof(rs), offsetof(struct kvmx_ring_setup, fault_sample));
	memcpy(buf, &rs, sizeof(rs));
	tail_fill(t, buf, sizeof(rs), rs.argsz, sizeof(buf));
	arg_place(t, &a, sizeof(rs));
	arg_write(&a, buf, sizeof(buf));
	if (!fz_ioctl(t, C_RING, g->fd, KVMX_RING_SETUP, (unsigned long)a.p) && g->slot >= 0) {
		struct slot *s = &fz.slot[g->slot];

		pthread_mutex_lock(&s->lock);
		if (s->gen == g->gen) {
			s->ring_nr = rs.nr_records;
			s->ring_size = PAGE + ((rs.nr_records * sizeof(struct kvmx_exit_record) +
						PAGE - 1) & ~(PAGE - 1));
		}
		pthread_mutex_unlock(&s->lock);
	}
	arg_done(&a);
}

static void op_region_del(struct fz_thread *t, struct target *g);

static void op_region_add(struct fz_thread *t, struct target *g)
{
	struct kvmx_region r, out;
	u8 buf[sizeof(r) + 64];
	struct arg a;

	if (nr_regions() >= MAX_REGIONS - 8) {
		op_region_del(t, g);
		return;
	}
	gen_region(t, g->slot, &r);
	r.argsz = pick_argsz(t, sizeof(r), sizeof(r));
	memcpy(buf, &r, sizeof(r));
	tail_fill(t, buf, sizeof(r), r.argsz, sizeof(buf));
	arg_place(t, &a, sizeof(r));
	arg_write(&a, buf, sizeof(buf));
	if (!fz_ioctl(t, C_RADD, g->fd, KVMX_REGION_ADD, (unsigned long)a.p) && g->slot >= 0 &&
	    arg_readable(&a, sizeof(r))) {
		/* the kernel wrote id and mmap_offset back: all of it was ours */
		if (!guarded_copy(&out, a.p, sizeof(out)))
			out.id = 0;
		out.mode = r.mode;
		out.flags = r.flags;
		out.addr = r.addr;
		out.size = r.size;
		if (out.id)
			track_region(g->slot, g->gen, &out);
	}
	arg_done(&a);
}

static void op_region_del(struct fz_thread *t, struct target *g)
{
	struct region e;
	u64 id;

	if (g->slot >= 0 && pct(t, 85) && pick_region(t, g->slot, false, &e))
		id = e.id;
	else
		id = pct(t, 50) ? anyval(t) : below(t, 256);
	if (pct(t, 3))
		id |= 1ull << 32;
	if (!fz_ioctl(t, C_RDEL, g->fd, KVMX_REGION_DEL, id) && g->slot >= 0)
		untrack_region(g->slot, id);
}

static void op_set_policy(struct fz_thread *t, struct target *g)
{
	struct kvmx_policy p;
	u8 buf[sizeof(p) + 64];
	struct arg a;

	gen_policy(t, &p);
	if (pct(t, 20))
		mutate_policy(t, &p);
	p.argsz = pick_argsz(t, sizeof(p), sizeof(p));
	memcpy(buf, &p, sizeof(p));
	tail_fill(t, buf, sizeof(p), p.argsz, sizeof(buf));
	arg_place(t, &a, sizeof(p));
	arg_write(&a, buf, sizeof(buf));
	/* the replaced policy's final counters: what the policies did */
	if (!fz_ioctl(t, C_SETPOL, g->fd, KVMX_SET_POLICY, (unsigned long)a.p) &&
	    arg_readable(&a, sizeof(p)) && guarded_copy(&p, a.p, sizeof(p))) {
		__atomic_add_fetch(&fz.discarded, p.mmio_discarded + p.pio_discarded,
				   __ATOMIC_RELAXED);
		__atomic_add_fetch(&fz.injected, p.mmio_injected + p.unbacked_injected,
				   __ATOMIC_RELAXED);
	}
	arg_done(&a);
}

/* ioctl numbers kvmx does not have, and KVM's, on kvmx's fds */
static void op_bad(struct fz_thread *t, struct target *g)
{
	static const unsigned long cmds[] = {
		_IO(KVMX_TYPE, KVMX_BASE + 12), _IO(KVMX_TYPE, KVMX_BASE + 31),
		_IO(KVMX_TYPE, 0), _IOWR(KVMX_TYPE, KVMX_BASE + 7, struct kvmx_region),
		_IOR(KVMX_TYPE, KVMX_BASE + 2, struct kvmx_session_info),
		_IO(KVMIO, 0x00), _IO(KVMIO, 0x41), _IO(KVMIO, 0x80),
	};
	unsigned long cmd = cmds[below(t, ARRAY_SIZE(cmds))];
	int fd = pct(t, 20) ? fz.kvmx_fd : g->fd;

	if (pct(t, 30))
		cmd = _IO(KVMX_TYPE, KVMX_BASE + 12 + below(t, 256 - KVMX_BASE - 12));
	fz_ioctl(t, C_BAD, fd, cmd, (unsigned long)t->arena);
}

/* -- mappings --------------------------------------------------------------- */

static bool track_map(u8 *p, size_t len, size_t obj_off, int kind, int prot, int slot,
		      bool zapped)
{
	unsigned int i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &fz.maps[i];

		if (m->used)
			continue;
		*m = (struct map){ .used = true, .addr = p, .len = len, .obj_off = obj_off,
				   .kind = kind, .prot = prot, .slot = slot, .zapped = zapped };
		return true;
	}
	return false;
}

static struct map *pick_map(struct fz_thread *t)
{
	unsigned int i, start = below(t, MAX_MAPS);

	for (i = 0; i < MAX_MAPS; i++)
		if (fz.maps[(start + i) % MAX_MAPS].used)
			return &fz.maps[(start + i) % MAX_MAPS];
	return NULL;
}

static void op_mmap(struct fz_thread *t, struct target *g)
{
	static const int prots[] = { PROT_READ, PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC };
	int kind = MK_OTHER, prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, err = 0;
	u64 off = 0, size = PAGE, len;
	struct region e;
	void *p;

	switch (below(t, 10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		kind = MK_RING;
		if (g->slot >= 0 && READ_ONCE(fz.slot[g->slot].ring_size))
			size = READ_ONCE(fz.slot[g->slot].ring_size);
		break;
	case 4:
	case 5:
	case 6:
	case 7:
	case 8:
		if (!pick_region(t, pct(t, 80) ? g->slot : -1, true, &e))
			break;
		off = e.mmap_offset;
		size = e.mmap_size;
		kind = e.mode == KVMX_MODE_BANK ? MK_BANK : MK_LOG;
		break;
	default:
		off = pct(t, 50) ? below(t, 256) << 24 | below(t, 4) * PAGE :
				   boundary(t) & ~(PAGE - 1);
		break;
	}
	switch (below(t, 10)) {
	case 0:
		len = PAGE;
		break;
	case 1:
		len = size + PAGE;
		break;
	case 2:
		len = (1 + below(t, 8)) * PAGE;
		break;
	case 3:
		len = pct(t, 50) ? 0 : boundary(t);
		break;
	default:
		len = size;
	}
	if (pct(t, 10))
		prot = prots[below(t, ARRAY_SIZE(prots))];
	if (pct(t, 10))
		flags = MAP_PRIVATE;
	if (pct(t, 10))
		flags |= MAP_POPULATE;
	if (off) {
		unexcl();
		excl(true);
	}
	op_begin(t, C_MMAP);
	p = mmap(NULL, len, prot, flags, g->fd, off);
	if (p == MAP_FAILED)
		err = errno;
	op_end(t);
	if (off) {
		unexcl();
		excl(false);
	}
	count(C_MMAP, err);
	if (err)
		return;
	pthread_rwlock_wrlock(&fz.maps_lock);
	if (!track_map(p, len, 0, kind, prot, g->slot, false))
		munmap(p, len);
	pthread_rwlock_unlock(&fz.maps_lock);
}

/* All of a mapping, its head, its tail or its middle. */
static void op_munmap(struct fz_thread *t, struct target *unused)
{
	size_t pages, a, b;
	struct map *m;
	int err = 0;

	pthread_rwlock_wrlock(&fz.maps_lock);
	m = pick_map(t);
	if (!m)
		goto out;
	pages = (m->len + PAGE - 1) / PAGE;
	a = 0;
	b = pages;
	if (pages > 1 && pct(t, 50)) {
		a = below(t, pages);
		b = a + 1 + below(t, pages - a);
		if (a == 0 && b == pages)
			b--;
	}
	op_begin(t, C_MUNMAP);
	if (munmap(m->addr + a * PAGE, (b - a) * PAGE))
		err = errno;
	op_end(t);
	count(C_MUNMAP, err);
	if (err)
		goto out;
	if (a == 0 && b == pages) {
		m->used = false;
	} else if (a == 0) {
		m->addr += b * PAGE;
		m->obj_off += b * PAGE;
		m->len = (pages - b) * PAGE;
	} else {
		/* the tail after the hole, if there is one, is a mapping of its own */
		if (b < pages && !track_map(m->addr + b * PAGE, (pages - b) * PAGE,
					    m->obj_off + b * PAGE, m->kind, m->prot, m->slot,
					    m->zapped))
			munmap(m->addr + b * PAGE, (pages - b) * PAGE);
		m->len = a * PAGE;
	}
out:
	pthread_rwlock_unlock(&fz.maps_lock);
}

static void op_mremap(struct fz_thread *t, struct target *unused)
{
	size_t pages, len;
	struct map *m;
	int flags = MREMAP_MAYMOVE, err = 0;
	void *p;

	pthread_rwlock_wrlock(&fz.maps_lock);
	m = pick_map(t);
	if (!m)
		goto out;
	pages = (m->len + PAGE - 1) / PAGE;
	switch (below(t, 5)) {
	case 0:
	case 1:
		len = (1 + below(t, pages)) * PAGE;
		break;
	case 2:
		len = pages * PAGE;
		break;
	default:
		len = (pages + 1 + below(t, 4)) * PAGE;
		break;
	}
	if (pct(t, 20))
		flags = 0;
	else if (pct(t, 10))
		flags |= MREMAP_DONTUNMAP, len = pages * PAGE;
	op_begin(t, C_MREMAP);
	p = mremap(m->addr, pages * PAGE, len, flags);
	if (p == MAP_FAILED)
		err = errno;
	op_end(t);
	count(C_MREMAP, err);
	if (err)
		goto out;
	/* MREMAP_DONTUNMAP leaves the old range mapped, empty: keep it to fault on */
	if ((flags & MREMAP_DONTUNMAP) &&
	    !track_map(m->addr, m->len, m->obj_off, m->kind, m->prot, m->slot, true))
		munmap(m->addr, m->len);
	m->addr = p;
	m->len = len;
out:
	pthread_rwlock_unlock(&fz.maps_lock);
}

/* 4..7 of a LOG header is nr_records; -x log-nr keeps off it in all but rings */
static bool nr_field(const struct map *m, size_t off, size_t size)
{
	return ex(X_LOG_NR) && m->kind != MK_RING && m->obj_off + off < 8 &&
	       m->obj_off + off + size > 4;
}

/* A ring or LOG header: a reader that keeps up, or garbage in its fields. */
static void touch_header(struct fz_thread *t, struct map *m)
{
	const size_t tail = offsetof(struct kvmx_ring_header, tail);
	u32 *w = (u32 *)m->addr;

	if (m->len < PAGE)
		return;
	switch (below(t, 8)) {
	case 0:
	case 1:
	case 2:
	case 3:
		__atomic_store_n(&w[tail / 4], __atomic_load_n(&w[0], __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		break;
	case 4:
		WRITE_ONCE(w[tail / 4], anyval(t));
		break;
	case 5:
		WRITE_ONCE(w[0], anyval(t));
		break;
	case 6:
		if (!nr_field(m, 4, 4))
			WRITE_ONCE(w[1], pct(t, 50) ? boundary(t) : w[1] * 2);
		break;
	default:
		WRITE_ONCE(w[2 + below(t, 6)], anyval(t));
		break;
	}
}

/* Read every page of @m, write garbage into some of it. */
static void touch_map(struct fz_thread *t, struct map *m)
{
	size_t off;
	u8 sum = 0;
	int n;

	if (m->prot & PROT_READ)
		for (off = 0; off < m->len; off += PAGE)
			sum += READ_ONCE(m->addr[off]) + READ_ONCE(m->addr[off + below(t, PAGE)]);
	WRITE_ONCE(fz.sink, sum);
	if (!(m->prot & PROT_WRITE))
		return;
	if (m->obj_off == 0 && (m->kind == MK_RING || m->kind == MK_LOG))
		touch_header(t, m);
	for (n = below(t, 8); n >= 0; n--) {
		size_t size = 1ul << below(t, 4);
		u64 v = anyval(t);

		off = below(t, m->len) & ~(size - 1);
		if (nr_field(m, off, size))
			continue;
		memcpy(m->addr + off, &v, size);
	}
}

static void op_touch(struct fz_thread *t, struct target *unused)
{
	struct map *m;
	bool ok;

	pthread_rwlock_rdlock(&fz.maps_lock);
	m = pick_map(t);
	if (m) {
		op_begin(t, C_TOUCH);
		ok = guarded(touch_map, t, m);
		op_end(t);
		count(C_TOUCH, ok ? 0 : EFAULT);
	}
	pthread_rwlock_unlock(&fz.maps_lock);
}

/* Drop pages: of a fuzz thread's arena (not its first page), or of a mapping. */
static void op_madvise(struct fz_thread *t, struct target *unused)
{
	static const int advice[] = { MADV_DONTNEED, MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT,
				      MADV_WILLNEED };
	struct fz_thread *o = &board->thr[below(t, fz.nr_fuzzers)];
	size_t page = 1 + below(t, ARENA_PAGES - 4);
	struct map *m;
	int err = 0;

	if (pct(t, 80)) {
		if (madvise(o->arena + page * PAGE, (1 + below(t, 3)) * PAGE, MADV_DONTNEED))
			err = errno;
		count(C_MADVISE, err);
		return;
	}
	pthread_rwlock_rdlock(&fz.maps_lock);
	m = pick_map(t);
	if (m) {
		int adv = advice[below(t, ARRAY_SIZE(advice))];

		if (madvise(m->addr + below(t, m->len / PAGE) * PAGE, PAGE, adv))
			err = errno;
		else if (adv == MADV_DONTNEED)
			m->zapped = true;
		count(C_MADVISE, err);
	}
	pthread_rwlock_unlock(&fz.maps_lock);
}

/*
 * The child of a fork: the mappings and the sessions from another process.
 * It takes no lock (another thread may have held one at the fork) and calls
 * nothing that allocates.
 */
static void __noreturn fork_child(struct fz_thread *t)
{
	struct kvmx_session_info info = { .argsz = sizeof(info) };
	struct kvmx_region r;
	unsigned int i;
	void *p;

	alarm(10);
	for (i = 0; i < MAX_MAPS; i++)
		if (fz.maps[i].used)
			guarded(touch_map, t, &fz.maps[i]);
	for (i = 0; i < NR_SLOTS; i++) {
		int fd = fz.slot[i].fd;

		if (fd < 0)
			continue;
		ioctl(fd, KVMX_SESSION_INFO, &info);
		gen_region(t, i, &r);
		r.argsz = sizeof(r);
		ioctl(fd, KVMX_REGION_ADD, &r);
		*(u32 *)t->arena = ARENA_PAGES * PAGE;
		((u32 *)t->arena)[1] = 0;
		ioctl(fd, KVMX_REGION_LIST, t->arena);
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p != MAP_FAILED) {
			WRITE_ONCE(((u32 *)p)[16], rnd(t));
			munmap(p, PAGE);
		}
		if (pct(t, 30))
			close(fd);	/* the child's copy */
	}
	_exit(0);
}

static void op_fork(struct fz_thread *t, struct target *unused)
{
	u64 now = now_ns();
	int st = 0, i;
	pid_t pid;

	/* a fork copies the page tables of the whole process: now and then */
	if (ex(X_FORK) || now - READ_ONCE(fz.last_fork) < 200000000ull)
		return;
	WRITE_ONCE(fz.last_fork, now);
	pthread_rwlock_rdlock(&fz.maps_lock);	/* the child's maps[] is whole */
	op_begin(t, C_FORK);
	pid = fork();
	if (!pid)
		fork_child(t);
	WRITE_ONCE(t->child, pid > 0 ? pid : 0);
	pthread_rwlock_unlock(&fz.maps_lock);
	if (pid < 0) {
		op_end(t);
		count(C_FORK, errno);
		return;
	}
	for (i = 0; i < 2000 && waitpid(pid, &st, WNOHANG) != pid; i++)
		usleep(5000);
	if (i == 2000) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	WRITE_ONCE(t->child, 0);
	op_end(t);
	count(C_FORK, WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : ECHILD);
}

static void op_close(struct fz_thread *t, struct target *unused)
{
	int i = pick_slot(t);

	/* -x window: slot 0 holds the windows for all the run */
	if (ex(X_WINDOW) && !i)
		i = 1;
	slot_close(i);
	count(C_CLOSE, 0);
}

/*
 * Close all of the VM's sessions and unmap their mappings, with the slots
 * held a while: once the calls in flight are done, the VM's last session is
 * gone and kvmx's state of the VM with it, while its vCPUs run. Then the
 * slots are attached again as they are used.
 */
static void op_cycle(struct fz_thread *t, struct target *unused)
{
	u64 now = now_ns();
	int i, j, first = ex(X_WINDOW) ? 1 : 0, order[NR_MAIN_SLOTS];

	if (ex(X_CYCLE) || now - READ_ONCE(fz.last_cycle) < 4000000000ull)
		return;
	WRITE_ONCE(fz.last_cycle, now);
	op_begin(t, C_CYCLE);
	/*
	 * maps_lock before the slot locks: a call whose argument lies in a
	 * mapping holds maps_lock (read) until it has recorded its result,
	 * under a slot lock.
	 */
	pthread_rwlock_wrlock(&fz.maps_lock);
	for (i = first; i < NR_MAIN_SLOTS; i++)
		pthread_mutex_lock(&fz.slot[i].lock);
	/* in a random order: the order decides which windows are orphaned */
	for (i = 0; i < NR_MAIN_SLOTS; i++) {
		j = below(t, i + 1);
		order[i] = order[j];
		order[j] = i;
	}
	for (i = 0; i < NR_MAIN_SLOTS; i++) {
		struct slot *s = &fz.slot[order[i]];

		if (s - fz.slot < first || s->fd < 0)
			continue;
		close(s->fd);
		s->fd = -1;
		s->gen++;
		untrack_slot(s - fz.slot);
	}
	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &fz.maps[i];

		if (m->used && m->slot >= first && m->slot < NR_MAIN_SLOTS) {
			munmap(m->addr, m->len);
			m->used = false;
		}
	}
	pthread_rwlock_unlock(&fz.maps_lock);
	usleep(20000);
	for (i = NR_MAIN_SLOTS - 1; i >= first; i--)
		pthread_mutex_unlock(&fz.slot[i].lock);
	op_end(t);
	count(C_CYCLE, 0);
}

/* -- sequences: calls that build on each other ------------------------------ */

/*
 * Single random calls seldom reach a deep state: a LOG ring mapped, its header
 * corrupted, and then hit hundreds of times. These are short programs of
 * valid calls, in the spirit of syzkaller's, after which the random calls
 * carry on with what they left.
 */

/* REGION_ADD of a valid @r through @g, tracked; the guest aims at it @aim times */
static bool seq_add(struct fz_thread *t, struct target *g, struct kvmx_region *r, int aim)
{
	int i;

	window_rule(t, g->slot, r);
	r->argsz = sizeof(*r);
	if (g->slot < 0 || fz_ioctl(t, C_RADD, g->fd, KVMX_REGION_ADD, (unsigned long)r))
		return false;
	track_region(g->slot, g->gen, r);
	pthread_mutex_lock(&fz.regions_lock);
	for (i = 1; i < aim && g->slot < NR_MAIN_SLOTS; i++)
		set_target(r);
	pthread_mutex_unlock(&fz.regions_lock);
	return true;
}

/* mmap a region just added, counted; -x lock: alone */
static void *seq_map(struct fz_thread *t, struct target *g, struct kvmx_region *r)
{
	int err = 0;
	void *p;

	unexcl();
	excl(true);
	op_begin(t, C_MMAP);
	p = mmap(NULL, r->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, r->mmap_offset);
	if (p == MAP_FAILED)
		err = errno;
	op_end(t);
	unexcl();
	excl(false);
	count(C_MMAP, err);
	return err ? NULL : p;
}

/* A LOG ring, mapped, its header scribbled on, aimed at: the guest fills it. */
static void seq_log(struct fz_thread *t, struct target *g)
{
	struct kvmx_region r = {
		.mode = KVMX_MODE_LOG, .addr = gen_mmio_addr(t, 8), .size = 8 << below(t, 4),
		.access_sizes = KVMX_SIZES_ALL, .log_records = 1u << (1 + below(t, 8)),
		.log_watermark = 1, .flags = pct(t, 50) ? KVMX_REGION_LOG_DROP : 0,
		.eventfd = pct(t, 50) ? pick_efd(t) : -1,
	};
	struct map m;
	int i;

	if (!seq_add(t, g, &r, 4))
		return;
	m = (struct map){ .addr = seq_map(t, g, &r), .len = r.mmap_size, .kind = MK_LOG,
			  .prot = PROT_READ | PROT_WRITE, .slot = g->slot };
	if (!m.addr)
		return;
	for (i = 0; i < 3; i++)
		guarded(touch_header, t, &m);
	pthread_rwlock_wrlock(&fz.maps_lock);
	if (!track_map(m.addr, m.len, 0, MK_LOG, m.prot, m.slot, false))
		munmap(m.addr, m.len);
	pthread_rwlock_unlock(&fz.maps_lock);
}

/* A BANK that ends at a page boundary: the guest's accesses across it split there. */
static void seq_bank_edge(struct fz_thread *t, struct target *g)
{
	struct kvmx_region r = {
		.mode = KVMX_MODE_BANK, .size = PAGE << below(t, 2),
		.access_sizes = pct(t, 50) ? KVMX_SIZES_ALL : 1 + below(t, KVMX_SIZES_ALL),
		.eventfd = -1,
	};

	r.addr = WIN_GPA + below(t, WIN_PAGES - 1) * PAGE;
	seq_add(t, g, &r, 3);
}

/* A window, and a region of another session inside it. */
static void seq_window(struct fz_thread *t, struct target *g)
{
	struct kvmx_region w = { .mode = KVMX_MODE_WINDOW, .size = PAGE << below(t, 3),
				 .eventfd = -1 }, r;
	struct target h = { .slot = ex(X_WINDOW) ? 0 : below(t, NR_MAIN_SLOTS) };

	w.addr = WIN_GPA + below(t, WIN_PAGES - 4) * PAGE;
	if (!seq_add(t, g, &w, 2))
		return;
	h.fd = slot_get(t, h.slot, &h.gen);
	if (h.fd < 0)
		return;
	gen_region(t, h.slot, &r);
	r.flags &= ~KVMX_REGION_PIO;
	r.addr = w.addr + (below(t, w.size) & ~7ul);
	if (r.addr + r.size > w.addr + w.size)
		r.size = w.addr + w.size - r.addr;
	seq_add(t, &h, &r, 2);
	close(h.fd);
}

static void op_seq(struct fz_thread *t, struct target *g)
{
	switch (below(t, 3)) {
	case 0:
		seq_log(t, g);
		break;
	case 1:
		seq_bank_edge(t, g);
		break;
	default:
		seq_window(t, g);
		break;
	}
}

/* -- the threads ------------------------------------------------------------ */

struct op {
	void (*fn)(struct fz_thread *t, struct target *g);
	unsigned int weight;
	bool session;		/* gets a target */
};

static const struct op ops[] = {
	{ op_api, 3, false },		{ op_attach, 3, false },
	{ op_info, 5, true },		{ op_stats, 5, true },
	{ op_reset, 3, true },		{ op_ring, 5, true },
	{ op_faults, 5, true },		{ op_region_add, 24, true },
	{ op_region_del, 9, true },	{ op_region_list, 6, true },
	{ op_set_policy, 4, true },	{ op_get_policy, 5, true },
	{ op_bad, 2, true },		{ op_mmap, 9, true },
	{ op_munmap, 4, false },	{ op_mremap, 2, false },
	{ op_touch, 12, false },	{ op_madvise, 3, false },
	{ op_fork, 1, false },		{ op_close, 1, false },
	{ op_cycle, 1, false },		{ op_seq, 4, true },
};

static void *fuzz_thread(void *arg)
{
	struct fz_thread *t = arg;
	unsigned int i, total = 0;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;
	t->tid = gettid();
	self = t;
	while (!READ_ONCE(fz.stop)) {
		unsigned int r = below(t, total);
		struct target g;

		for (i = 0; r >= ops[i].weight; i++)
			r -= ops[i].weight;
		excl(false);
		if (ops[i].session) {
			pick_target(t, &g);
			ops[i].fn(t, &g);
			put_target(&g);
		} else {
			ops[i].fn(t, NULL);
		}
		unexcl();
	}
	WRITE_ONCE(t->done, 1);
	return NULL;
}

#ifdef __aarch64__
/* KVM cannot emulate an access without a valid syndrome: step over it */
static void vcpu_skip(struct kvm_vcpu *vcpu)
{
	u64 pc;

	vcpu_get_reg(vcpu, ARM64_CORE_REG(regs.pc), &pc);
	vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.pc), pc + 4);
}
#endif

/*
 * The VMM of one vCPU. It trusts nothing in kvm_run beyond exit_reason: the
 * scribbler writes the rest.
 */
static void vmm_exit(struct fz_thread *t, struct kvm_run *run)
{
	u64 v = rnd(t);

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		t->exits_mmio++;
		memcpy(run->mmio.data, &v, sizeof(run->mmio.data));
		break;
	case KVM_EXIT_IO: {
		u32 size = READ_ONCE(run->io.size), n = READ_ONCE(run->io.count);
		u64 off = READ_ONCE(run->io.data_offset);

		t->exits_pio++;
		if (off == PAGE && (size == 1 || size == 2 || size == 4) && n <= PAGE / size)
			memset((u8 *)run + off, v, size * n);
		break;
	}
	default:
		t->failed = "unexpected exit";
	}
}

static void *vcpu_thread(void *arg)
{
	struct fz_thread *t = arg;
	struct kvm_run *run = t->vcpu->run;
	static char why[MAX_VCPUS][64];
	int ret, err;

	t->tid = gettid();
	self = t;

	while (!READ_ONCE(fz.stop) && !t->failed) {
		op_begin(t, C_RUN);
		ret = ioctl(t->vcpu->fd, KVM_RUN, NULL);
		err = ret < 0 ? errno : 0;
		op_end(t);
		if (err == EINTR)
			continue;
#ifdef __aarch64__
		/* ENOSYS, KVM's answer to an access without a syndrome */
		if (err == 38) {
			t->nisv++;
			vcpu_skip(t->vcpu);
			continue;
		}
#endif
		if (err) {
			snprintf(why[t->vcpu_idx], sizeof(why[0]), "KVM_RUN: %s", strerror(err));
			t->failed = why[t->vcpu_idx];
			break;
		}
		vmm_exit(t, run);
		if (t->failed) {
			snprintf(why[t->vcpu_idx], sizeof(why[0]), "exit reason %u",
				 run->exit_reason);
			t->failed = why[t->vcpu_idx];
		}
	}
	WRITE_ONCE(t->done, 1);
	return NULL;
}

/* Garbage into the kvm_run mmio/io fields of running vCPUs, in bursts. */
static void *scribble_thread(void *arg)
{
	static const u32 lens[] = { 0x3000, 0, 9, 16, 0x1000, ~0u, 0x7fffffff, 8, 4 };
	struct fz_thread *t = arg;
	unsigned int n = 0;

	t->tid = gettid();
	self = t;

	while (!READ_ONCE(fz.stop)) {
		struct kvm_run *run = fz.vcpus[below(t, fz.nr_vcpus)]->run;

		switch (below(t, 8)) {
		case 0:
		case 1:
		case 2:
			if (!ex(X_MMIO_LEN))
				WRITE_ONCE(run->mmio.len, lens[below(t, ARRAY_SIZE(lens))]);
			break;
		case 3:
			WRITE_ONCE(run->mmio.phys_addr, anyval(t));
			break;
		case 4:
			WRITE_ONCE(run->mmio.is_write, rnd(t));
			break;
		case 5:
			WRITE_ONCE(*(u64 *)run->mmio.data, rnd(t));
			break;
		case 6:
			WRITE_ONCE(run->io.count, anyval(t));
			break;
		default:
			WRITE_ONCE(run->io.size, rnd(t));
			break;
		}
		if (!(++n % 4096))
			usleep(1000);
	}
	WRITE_ONCE(t->done, 1);
	return NULL;
}

/* A region of a session of the second VM, not tracked. */
static void vm2_region(struct fz_thread *t, int fd, u32 mode, u64 addr, u64 size)
{
	struct kvmx_region r = { .argsz = sizeof(r), .mode = mode, .addr = addr, .size = size,
				 .access_sizes = mode == KVMX_MODE_WINDOW ? 0 : KVMX_SIZES_ALL,
				 .eventfd = mode == KVMX_MODE_DOORBELL ? fz.efd[0] : -1 };

	fz_ioctl(t, C_RADD, fd, KVMX_REGION_ADD, (unsigned long)&r);
}

/*
 * The second VM: created, attached, its own fds closed while attached, so
 * that its sessions tear it down when they go: one into a slot where the
 * fuzz threads use it (and close it), another here.
 */
static void vm2_round(struct fz_thread *t)
{
	struct kvmx_attach_vm a = { .argsz = sizeof(a) };
	int vm, vcpu = -1, s1, s2 = -1, k = NR_MAIN_SLOTS + below(t, 2);
	struct slot *s = &fz.slot[k];

	excl(false);
	vm = ioctl(fz.kvm_fd, KVM_CREATE_VM, 0);
	count(C_VM2, vm < 0 ? errno : 0);
	if (vm < 0) {
		unexcl();
		usleep(10000);
		return;
	}
	if (pct(t, 50))
		vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	a.vm_fd = vm;
	s1 = fz_ioctl(t, C_ATTACH, fz.kvmx_fd, KVMX_ATTACH_VM, (unsigned long)&a);
	if (pct(t, 60))
		s2 = fz_ioctl(t, C_ATTACH, fz.kvmx_fd, KVMX_ATTACH_VM, (unsigned long)&a);
	WRITE_ONCE(fz.vm2_fd, vm);
	if (s1 >= 0) {
		slot_close(k);
		pthread_mutex_lock(&s->lock);
		s->fd = s1;
		pthread_mutex_unlock(&s->lock);
	}
	if (s2 >= 0) {
		/* a window of this session, a doorbell in it of the slot's */
		if (!ex(X_WINDOW) && s1 >= 0 && pct(t, 50)) {
			vm2_region(t, s2, KVMX_MODE_WINDOW, WIN_GPA, PAGE);
			vm2_region(t, s1, KVMX_MODE_DOORBELL, WIN_GPA + 8 * below(t, 8), 8);
		}
		vm2_region(t, s2, KVMX_MODE_BANK, WIN_GPA + PAGE * (1 + below(t, 4)), PAGE);
	}
	unexcl();
	usleep(below(t, 20000));
	WRITE_ONCE(fz.vm2_fd, -1);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);		/* the VM lives on in its sessions */
	usleep(below(t, 20000));
	excl(false);
	if (s2 >= 0)
		close(s2);
	unexcl();
}

static void *vm2_thread(void *arg)
{
	struct fz_thread *t = arg;

	t->tid = gettid();
	self = t;

	while (!READ_ONCE(fz.stop)) {
		op_begin(t, C_VM2);
		vm2_round(t);
		op_end(t);
	}
	WRITE_ONCE(t->done, 1);
	return NULL;
}

/* -- setting up, watching, reporting ---------------------------------------- */

static u64 splitmix(u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (x ^ (x >> 31)) | 1;
}

static struct fz_thread *new_thread(const char *name, int i)
{
	struct fz_thread *t = &board->thr[board->nr_thr];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s%d", name, i);
	t->rng = splitmix(fz.seed * 1000 + board->nr_thr);
	t->op = -1;
	board->nr_thr++;
	return t;
}

/* the arenas arguments go into; the edge pages at a fixed address, if free */
static void arenas_init(struct fz_thread *t, int i)
{
	u8 *e;

	t->arena = mmap(NULL, (ARENA_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(t->arena != MAP_FAILED, "mmap arena");
	mprotect(t->arena + ARENA_PAGES * PAGE, PAGE, PROT_NONE);
	/* the page after the edge pages was ours, and is unmapped now */
	e = mmap((void *)(EDGE_BASE + i * 0x100000ul), (EDGE_PAGES + 1) * PAGE,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (e != MAP_FAILED && e == (void *)(EDGE_BASE + i * 0x100000ul)) {
		munmap(e + EDGE_PAGES * PAGE, PAGE);
		t->edge = e;
	}
}

/* A thread in one call for STUCK_SECS of ticks, and the call; or NULL. */
static struct fz_thread *stuck(int *call)
{
	u64 ticks = READ_ONCE(fz.ticks);
	int i;

	for (i = 0; i < board->nr_thr; i++) {
		struct fz_thread *t = &board->thr[i];
		int op = READ_ONCE(t->op);

		/* a guest served in the kernel may stay in KVM_RUN while running */
		if (op >= 0 && op != C_RUN &&
		    ticks - READ_ONCE(t->since_tick) > STUCK_SECS * TICKS_PER_SEC &&
		    READ_ONCE(t->op) == op) {
			*call = op;
			return t;
		}
	}
	return NULL;
}

/* The top of a task's kernel stack, on one line (/proc/PID/task/TID/stack). */
static void print_kstack(pid_t pid, pid_t tid)
{
	char path[64], line[160], out[480] = "";
	size_t len = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return;
	for (n = 0; n < 7 && fgets(line, sizeof(line), f); n++) {
		char *fn = strchr(line, ']');

		fn = fn ? fn + 2 : line;
		fn[strcspn(fn, "\t\n ")] = 0;
		len += snprintf(out + len, sizeof(out) - len, "%s%s", n ? " < " : "", fn);
		if (len >= sizeof(out))
			break;
	}
	fclose(f);
	if (*out)
		printf("#     kernel: %s\n", out);
}

/*
 * What the threads of @pid are doing, from the board: for a hang, reported
 * by the seed's process itself or, if its memory is locked up too (a
 * deadlock on mmap_lock), by the parent.
 */
static void report_threads(pid_t pid)
{
	u64 now = now_ns();
	int i;

	for (i = 0; i < board->nr_thr; i++) {
		struct fz_thread *t = &board->thr[i];
		u64 since = READ_ONCE(t->since);
		int op = READ_ONCE(t->op);
		pid_t child = READ_ONCE(t->child);

		if (op < 0)
			continue;
		/* the thread may have begun a call since @now was taken */
		printf("#   %s (tid %d): in %s for %llu s\n", t->name, t->tid, call_names[op],
		       (unsigned long long)(since < now ? (now - since) / 1000000000ull : 0));
		print_kstack(pid, t->tid);
		if (child) {
			printf("#   its fork child (pid %d):\n", child);
			print_kstack(child, child);
		}
	}
	fflush(stdout);
}

static void put_str(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		return;
}

/* the last resort: a thread that does not return; say where they all are */
static void watchdog_sig(int sig)
{
	int i;

	put_str("# watchdog: the fuzzer did not finish; threads in calls:\n");
	for (i = 0; i < board->nr_thr; i++) {
		int op = READ_ONCE(board->thr[i].op);

		if (op < 0)
			continue;
		put_str("#   ");
		put_str(board->thr[i].name);
		put_str(": ");
		put_str(call_names[op]);
		put_str("\n");
	}
	_exit(3);
}

static void kick(int sig)
{
}

static void setup(void)
{
	struct sigaction sa = { .sa_sigaction = guard_sig, .sa_flags = SA_SIGINFO };
	int i;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = kick, .sa_flags = SA_RESTART },
		  NULL);
	signal(SIGALRM, watchdog_sig);
	signal(SIGPIPE, SIG_IGN);

	fz.kvmx_fd = kvmx_open_or_skip();
	fz.kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(fz.kvm_fd >= 0, "open /dev/kvm");
	for (i = 0; i < NR_EFDS; i++)
		fz.efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	TEST_ASSERT(!pipe(fz.pipe), "pipe");
	fz.vm2_fd = -1;

	fz.vm = vm_create_with_vcpus(fz.nr_vcpus, guest_code, fz.vcpus);
	virt_map(fz.vm, WIN_GPA, WIN_GPA, WIN_PAGES);
#ifdef __aarch64__
	vm_init_descriptor_tables(fz.vm);
	for (i = 0; i < fz.nr_vcpus; i++)
		vcpu_init_descriptor_tables(fz.vcpus[i]);
	for (i = 0; i < ESR_EC_NUM; i++)
		vm_install_sync_handler(fz.vm, VECTOR_SYNC_CURRENT, i, guest_sync);
#endif
	fz.sh = addr_gva2hva(fz.vm, (vm_vaddr_t)&gsh);
	fz.sh->no_cross = ex(X_PIECES);
	for (i = 0; i < fz.nr_vcpus; i++)
		vcpu_args_set(fz.vcpus[i], 2, splitmix(fz.seed ^ (0xabcd0000ull + i)), i);

	for (i = 0; i < NR_SLOTS; i++) {
		pthread_mutex_init(&fz.slot[i].lock, NULL);
		fz.slot[i].fd = -1;
	}
	pthread_mutex_init(&fz.regions_lock, NULL);
	{
		pthread_rwlockattr_t ra;

		/* touches take it for reading all the time: let munmap in */
		pthread_rwlockattr_init(&ra);
		pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&fz.maps_lock, &ra);
		/* likewise, or a region mmap would wait for ever */
		pthread_rwlock_init(&fz.excl_lock, &ra);
	}
}

static void print_stats(void)
{
	int c, e, i;

	printf("# %-22s %9s %9s %6s  errors\n", "calls", "made", "ok", "ok%");
	for (c = 0; c < NR_CALLS; c++) {
		int top[3] = { 0, 0, 0 };
		char errs[96] = "";

		if (!nr_calls[c])
			continue;
		for (e = 1; e < NR_ERRNO; e++) {
			for (i = 0; i < 3; i++) {
				if (nr_err[c][e] > nr_err[c][top[i]]) {
					memmove(&top[i + 1], &top[i], (2 - i) * sizeof(top[0]));
					top[i] = e;
					break;
				}
			}
		}
		for (i = 0; i < 3 && top[i] && nr_err[c][top[i]]; i++) {
			const char *name = strerrorname_np(top[i]);
			size_t len = strlen(errs);

			snprintf(errs + len, sizeof(errs) - len, " %s %lu",
				 name ? name : "?", nr_err[c][top[i]]);
		}
		printf("# %-22s %9lu %9lu %5.1f%% %s\n", call_names[c], nr_calls[c], nr_ok[c],
		       100.0 * nr_ok[c] / nr_calls[c], errs);
	}
}

/* The seed's verdict: 0 if it passes; the reasons it does not are printed. */
static int verdict(void)
{
	int c, i, bad = 0;
	u64 iters = 0;

	for (c = 0; c < NR_IOCTLS; c++) {
		if (!nr_ok[c]) {
			printf("# FAIL: %s never succeeded in %lu calls\n", call_names[c],
			       nr_calls[c]);
			bad = 1;
		} else if (nr_ok[c] * 100 < nr_calls[c] * MIN_OK_PCT) {
			printf("# FAIL: %s succeeded in %lu of %lu calls, under %d%%\n",
			       call_names[c], nr_ok[c], nr_calls[c], MIN_OK_PCT);
			bad = 1;
		}
	}
	for (i = 0; i < board->nr_thr; i++) {
		struct fz_thread *t = &board->thr[i];

		if (!t->vcpu)
			continue;
		iters += fz.sh->iters[t->vcpu_idx];
		printf("# %s: %lu guest accesses; to the VMM %lu MMIO, %lu port exits; ",
		       t->name, (unsigned long)fz.sh->iters[t->vcpu_idx], t->exits_mmio,
		       t->exits_pio);
		printf("%lu unemulated\n", t->nisv);
		if (t->failed) {
			printf("# FAIL: %s stopped: %s\n", t->name, t->failed);
			bad = 1;
		}
		if (!fz.sh->iters[t->vcpu_idx]) {
			printf("# FAIL: %s made no guest access\n", t->name);
			bad = 1;
		}
	}
	for (i = 0; i < 64; i++)
		if (fz.sh->exc[i])
			printf("# guest exceptions of EC 0x%x: %lu\n", i,
			       (unsigned long)fz.sh->exc[i]);
	printf("# regions served up to %lu accesses (one REGION_LIST); ",
	       (unsigned long)fz.served);
	printf("%lu faults caught; %lu windows orphaned\n", fz.caught, fz.orphans);
	printf("# policies discarded %llu accesses, injected %llu aborts\n",
	       (unsigned long long)fz.discarded, (unsigned long long)fz.injected);
	if (!fz.served) {
		printf("# FAIL: no guest access was served by a region\n");
		bad = 1;
	}
	if (fz.anomaly) {
		printf("# FAIL: %s\n", fz.anomaly);
		bad = 1;
	}
	return bad;
}

/* Stop everything; 0 if every thread did, within STUCK_SECS of ticks. */
static int stop_all(void)
{
	int i, left, n = 0;

	WRITE_ONCE(fz.stop, 1);
	do {
		left = 0;
		for (i = 0; i < board->nr_thr; i++) {
			if (READ_ONCE(board->thr[i].done))
				continue;
			left++;
			if (board->thr[i].vcpu)
				pthread_kill(board->thr[i].th, SIGUSR1);
		}
		usleep(1000);
		if (!(++n % (1000 / TICKS_PER_SEC)))
			WRITE_ONCE(fz.ticks, fz.ticks + 1);
	} while (left && n < STUCK_SECS * 1000);
	for (i = 0; i < board->nr_thr; i++) {
		struct fz_thread *t = &board->thr[i];

		if (!READ_ONCE(t->done)) {
			printf("# FAIL: %s does not stop: in %s; threads in calls:\n", t->name,
			       t->op >= 0 ? call_names[t->op] : "no call");
			report_threads(getpid());
			return 1;
		}
		pthread_join(t->th, NULL);
	}
	return 0;
}

static int run_seed(void)
{
	struct fz_thread *t;
	u64 end;
	int i, bad;

	setup();
	/* the fuzz threads first: op_madvise picks arenas among thr[0..nr_fuzzers) */
	for (i = 0; i < fz.nr_fuzzers; i++)
		arenas_init(new_thread("fuzz", i), i);
	for (i = 0; i < NR_MAIN_SLOTS; i++) {
		pthread_mutex_lock(&fz.slot[i].lock);
		slot_attach(&board->thr[0], &fz.slot[i]);
		pthread_mutex_unlock(&fz.slot[i].lock);
	}
	TEST_ASSERT(fz.slot[0].fd >= 0, "KVMX_ATTACH_VM failed");
	for (i = 0; i < fz.nr_vcpus; i++) {
		t = new_thread("vcpu", i);
		t->vcpu = fz.vcpus[i];
		t->vcpu_idx = i;
		pthread_create(&t->th, NULL, vcpu_thread, t);
	}
	for (i = 0; i < fz.nr_fuzzers; i++)
		pthread_create(&board->thr[i].th, NULL, fuzz_thread, &board->thr[i]);
	if (!ex(X_SCRIBBLE)) {
		t = new_thread("scribble", 0);
		pthread_create(&t->th, NULL, scribble_thread, t);
	}
	if (!ex(X_VM2)) {
		t = new_thread("vm2-", 0);
		pthread_create(&t->th, NULL, vm2_thread, t);
	}
	/* SIGALRM: the fuzzer itself must end, even if a thread does not return */
	alarm(fz.secs + 2 * STUCK_SECS + 15);

	end = now_ns() + fz.secs * 1000000000ull;
	while (now_ns() < end) {
		int call;

		t = stuck(&call);
		if (t) {
			printf("# FAIL: %s stuck for %d s in %s; threads in calls:\n", t->name,
			       STUCK_SECS, call_names[call]);
			report_threads(getpid());
			_exit(1);
		}
		usleep(1000000 / TICKS_PER_SEC);
		WRITE_ONCE(fz.ticks, fz.ticks + 1);
	}
	if (stop_all()) {
		fflush(stdout);
		_exit(1);
	}
	alarm(0);
	print_stats();
	bad = verdict();
	fflush(stdout);
	return bad;
}

/*
 * The seed's process, reaped; -1 if it does not die. Past its own
 * watchdog's time it is stuck where that cannot run: its threads are
 * reported from the board, with their kernel stacks, and it is killed.
 */
static int wait_seed(pid_t pid)
{
	u64 start = now_ns(), limit = (fz.secs + 2 * STUCK_SECS + 25) * 1000000000ull;
	bool killed = false;
	int st;

	while (waitpid(pid, &st, WNOHANG) != pid) {
		u64 waited = now_ns() - start;

		if (!killed && waited > limit) {
			printf("# FAIL: the seed's process hangs; threads in calls:\n");
			report_threads(pid);
			kill(pid, SIGKILL);
			killed = true;
		}
		if (waited > limit + 30 * 1000000000ull) {
			printf("# FAIL: it does not die: stuck in the kernel\n");
			report_threads(pid);
			return -1;
		}
		usleep(100000);
	}
	return st;
}

static void bad_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED[,SEED...]] [-t SECONDS] [-j THREADS] [-c VCPUS]\n",
		prog);
	fprintf(stderr, "       [-x WHAT[,WHAT...]]; WHAT: log-nr pieces mmio-len window lock\n");
	fprintf(stderr, "       fork cycle scribble policy vm2\n");
	exit(2);
}

static unsigned long parse_excl(const char *arg, const char *prog)
{
	unsigned long excl = 0;
	char *s = strdup(arg), *tok, *save;
	int i;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_X && strcmp(tok, x_names[i]); i++)
			;
		if (i == NR_X)
			bad_usage(prog);
		excl |= 1ul << i;
	}
	free(s);
	return excl;
}

int main(int argc, char **argv)
{
	u64 seeds[64];
	int nr_seeds = 0, opt, i, vcpus = 0, failed = 0;
	char *p;

	fz.secs = 20;
	fz.nr_fuzzers = 4;
	seeds[nr_seeds++] = 1;
	while ((opt = getopt(argc, argv, "s:t:j:c:x:h")) != -1) {
		switch (opt) {
		case 's':
			nr_seeds = 0;
			for (p = optarg; *p && nr_seeds < 64; p += *p == ',')
				seeds[nr_seeds++] = strtoull(p, &p, 0);
			break;
		case 't':
			fz.secs = atoi(optarg);
			break;
		case 'j':
			fz.nr_fuzzers = atoi(optarg);
			break;
		case 'c':
			vcpus = atoi(optarg);
			break;
		case 'x':
			fz.excl = parse_excl(optarg, argv[0]);
			break;
		default:
			bad_usage(argv[0]);
		}
	}
	if (fz.nr_fuzzers < 1 || fz.nr_fuzzers > MAX_FUZZERS || vcpus < 0 ||
	    vcpus > MAX_VCPUS || fz.secs < 1 || !nr_seeds)
		bad_usage(argv[0]);
	TEST_ASSERT(getpagesize() == PAGE, "a page size of 4 KiB");
	board = mmap(NULL, sizeof(*board), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		     -1, 0);
	TEST_ASSERT(board != MAP_FAILED, "mmap");

	printf("TAP version 13\n1..%d\n", nr_seeds);
	for (i = 0; i < nr_seeds; i++) {
		pid_t pid;
		int st;

		fz.seed = seeds[i];
		fz.nr_vcpus = vcpus ? vcpus : 2 + fz.seed % 3;
		printf("# seed %llu: %d vCPUs, %d fuzz threads, %d s", (unsigned long long)fz.seed,
		       fz.nr_vcpus, fz.nr_fuzzers, fz.secs);
		for (opt = 0; opt < NR_X; opt++)
			if (ex(opt))
				printf(" -x %s", x_names[opt]);
		printf("\n");
		fflush(stdout);
		/* a process per seed: a fresh VM, and a fuzzer crash is the seed's */
		memset(board, 0, sizeof(*board));
		pid = fork();
		TEST_ASSERT(pid >= 0, "fork");
		if (!pid)
			exit(run_seed());
		st = wait_seed(pid);
		if (st != -1 && WIFEXITED(st) && !WEXITSTATUS(st)) {
			printf("ok %d - seed %llu\n", i + 1, (unsigned long long)fz.seed);
		} else {
			failed++;
			if (st != -1 && WIFSIGNALED(st))
				printf("not ok %d - seed %llu # killed by signal %d\n", i + 1,
				       (unsigned long long)fz.seed, WTERMSIG(st));
			else
				printf("not ok %d - seed %llu\n", i + 1,
				       (unsigned long long)fz.seed);
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
