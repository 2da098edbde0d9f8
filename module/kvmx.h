/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmx internal interfaces.
 */
#ifndef _KVMX_H
#define _KVMX_H

#include <linux/hashtable.h>
#include <linux/math64.h>
#include <linux/poll.h>
#include <linux/sched/clock.h>
#include <linux/seqlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/kvm_host.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "fault_decode.h"

/*
 * symbols.c: KVM symbols that are not exported, found once at load. Of
 * these kvmx calls only what kvmx_check_callable() accepted; the x86 bus
 * functions are only hooked (hook.c), never called.
 */
struct kvmx_syms {
	bool (*file_is_kvm)(struct file *file);
#ifdef CONFIG_X86
	struct kvm_x86_ops *x86_ops;
	unsigned long io_bus_read;
	unsigned long io_bus_write;
#endif
#ifdef CONFIG_ARM64
	struct kvm_vcpu *(*get_running_vcpu)(void);
	int (*io_mem_abort)(struct kvm_vcpu *vcpu, phys_addr_t fault_ipa);
	int (*handle_mmio_return)(struct kvm_vcpu *vcpu);
	kvmx_inject_dabt_t inject_dabt;	/* compat.h */
#endif
};

extern struct kvmx_syms kvmx_syms;
int kvmx_resolve_symbols(void);
int kvmx_check_callable(unsigned long addr, const char *name);
#ifdef CONFIG_X86
int kvmx_check_vendor_ops(void);
#endif

struct kvm_io_device_ops;

/* iobus.c: KVM's buses, changed and read as KVM does */
int kvmx_io_bus_access(struct kvm_vcpu *vcpu, enum kvm_bus bus_idx, gpa_t addr,
		       int len, void *val, bool write);
int kvmx_io_bus_register(struct kvm *kvm, enum kvm_bus bus_idx, gpa_t addr,
			 int len, struct kvm_io_device *dev);
void kvmx_io_bus_unregister(struct kvm *kvm, enum kvm_bus bus_idx,
			    struct kvm_io_device *dev);
bool kvmx_io_bus_busy(struct kvm *kvm, enum kvm_bus bus_idx, u64 addr, u64 size,
		      const struct kvm_io_device_ops *mine);

/* One VM exit as the arch probe saw it. */
struct kvmx_exit {
	u32 raw;
	u16 class;
	u16 flags;		/* KVMX_REC_* */
	u32 slot;		/* kvmx_raw_slot(arch, raw) */
	u64 gpa;
	u64 info[3];
};

struct kvmx_class_stat {
	u64 count;
	u64 lat_count;
	u64 lat_sum;
	u64 lat_min;
	u64 lat_max;
	u64 hist[KVMX_LAT_BUCKETS];
};

#define KVMX_NO_PENDING	0xff

struct kvmx_fault_stat {
	u64 count;
	u64 read;
	u64 write;
	u64 exec;
	u64 to_user;
	u64 level[KVMX_FAULT_LEVELS];
};

/* Hot-page table of one vCPU: space-saving top-k, see fault.c */
#define KVMX_HOT_SLOTS		32
#define KVMX_HOT_4K		0
#define KVMX_HOT_2M		1

struct kvmx_hot_page {
	u64 page;
	u64 count;
	u64 error;
};

/*
 * struct kvmx_pending_fault - a stage-2 fault whose outcome is not known yet
 *
 * Set by the fault probe, consumed at the vCPU's next entry (or by
 * KVMX_GET_FAULTS holding the vCPU's mutex, when the vCPU left KVM_RUN).
 */
struct kvmx_pending_fault {
	bool valid;
	u8 class;		/* kvmx_fault_classify() */
	struct kvmx_fault_info fi;
	u32 raw;
	u64 gpa;
	u64 pc;			/* with @ts, only when a ring may want it */
	u64 ts;
	u64 info[3];
	u64 snap[2];		/* the arch's KVM counters at the fault */
};

/*
 * struct kvmx_vcpu_exits - observe.c's part of a vCPU's state: its exit
 * counters and the exit awaiting its entry. Only observe.c touches it.
 *
 * Written only by the thread running the vCPU, from KVM's exit and entry
 * tracepoints: one writer, so plain (WRITE_ONCE) increments are exact.
 * Readers (KVMX_GET_STATS) use READ_ONCE and ignore the counters when @gen
 * differs from the VM's: a reset is applied by the writer itself, at the
 * vCPU's next exit or entry.
 */
struct kvmx_vcpu_exits {
	u32 gen;
	u8 pending;		/* class of the exit awaiting its entry */
	u64 exit_clock;		/* kvmx_clock() at that exit */
	struct kvmx_class_stat cls[KVMX_EXIT_NR_CLASSES];
	u64 raw[KVMX_RAW_SLOTS];
};

/*
 * struct kvmx_vcpu_faults - fault.c's part of a vCPU's state: its stage-2
 * fault counters, hot pages and the fault awaiting its outcome. Only
 * fault.c writes it (one writer, as for the exit counters: see fault.c);
 * kvmx_fault_wants() below reads @stage2_exit, so that the probes call
 * fault.c only around a stage-2 exit.
 */
struct kvmx_vcpu_faults {
	u32 gen;
	bool stage2_exit;	/* a stage-2 exit awaits its entry: */
	u32 exit_raw;		/* its raw reason */
	u64 exit_info[3];	/* and info words */
	struct kvmx_fault_stat fault[KVMX_FAULT_NR_CLASSES];
	struct kvmx_pending_fault pf;
	seqcount_t hot_seq;	/* the writer is the vCPU: no lock */
	struct kvmx_hot_page hot[2][KVMX_HOT_SLOTS];
	u8 hot_last[2];		/* the entry of each table hit last */
};

/* vcpu.c: the state of one vCPU of an attached VM */
struct kvmx_vcpu {
	struct kvmx_vcpu_exits exits;
	struct kvmx_vcpu_faults faults;
};

/* vCPUs whose state the probes find in an array; the others in the xarray */
#define KVMX_VCPU_FAST		64

/**
 * struct kvmx_vm - kvmx state of one attached VM
 * @hnode:	entry in kvmx_vm_hash (RCU), keyed by @kvm
 * @kvm:	the VM; each session holds a reference on it
 * @id:		kvmx's identifier of the VM, reported to userspace
 * @arch:	KVMX_ARCH_*
 * @nr_sessions: sessions attached; the kvmx_vm is freed when it drops to 0
 * @sessions:	the sessions (RCU), for their event rings
 * @nr_rings:	sessions of @sessions that have an event ring
 * @gen:	stats generation, bumped by KVMX_RESET_STATS
 * @lost:	exits not counted for lack of memory for a vCPU's counters
 * @regions_lock: serializes changes to the VM's regions (region.c)
 * @region_list: every region of the VM, windows included
 * @windows:	the windows among them
 * @zombies:	regions removed but kept until the VM goes (region.c)
 * @regions:	the serving regions per bus, sorted (RCU)
 * @nr_regions:	regions in @region_list
 * @nr_busdevs:	devices kvmx has on the VM's KVM buses
 * @region_ids:	live regions by id, for mmap(); ids are allocated here
 * @next_region_id: where the cyclic id allocation goes on
 * @policy:	the exit policy, NULL for the default (RCU; policy.c)
 * @vcpus:	per-vCPU state (struct kvmx_vcpu) by vcpu_idx, allocated at
 *		attach or first exit (vcpu.c; the xarray's own lock)
 * @vcpu_fast:	the same pointers for the first KVMX_VCPU_FAST vCPUs, for the
 *		exit and entry probes: one load instead of an xarray walk
 * @vcpus_missing: vCPUs whose state a probe could not allocate (atomic bits)
 * @vcpus_work:	allocates those (vcpu.c)
 *
 * @hnode, @nr_sessions and @sessions are changed under kvmx_vms_lock.
 */
struct kvmx_vm {
	struct hlist_node hnode;
	struct kvm *kvm;
	u64 id;
	u32 arch;
	unsigned int nr_sessions;
	struct list_head sessions;
	atomic_t nr_rings;
	u32 gen;
	atomic64_t lost;
	u64 stats_since_ns;	/* WRITE_ONCE; CLOCK_BOOTTIME of attach or reset */
	struct mutex regions_lock;	/* see region.c; before kvm->slots_lock */
	struct list_head region_list;
	struct list_head windows;
	struct list_head zombies;
	struct kvmx_region_set __rcu *regions[2];	/* MMIO, PIO */
	unsigned int nr_regions;
	unsigned int nr_busdevs;
	struct xarray region_ids;	/* its own spinlock; see region.c */
	u32 next_region_id;
	struct kvmx_vm_policy __rcu *policy;
	struct xarray vcpus;
	struct kvmx_vcpu *vcpu_fast[KVMX_VCPU_FAST];	/* set with @vcpus */
	DECLARE_BITMAP(vcpus_missing, KVM_MAX_VCPUS);
	struct work_struct vcpus_work;
};

/*
 * shm.c: pages shared with userspace, mapped into the kernel too;
 * @ref counts the owner and mmap() calls in progress
 */
struct kvmx_shm {
	refcount_t ref;
	unsigned int nr_pages;
	void *vaddr;
	struct page *pages[];
};

struct kvmx_shm *kvmx_shm_alloc(size_t size);
void kvmx_shm_put(struct kvmx_shm *shm);
int kvmx_shm_mmap(struct kvmx_shm *shm, struct vm_area_struct *vma);

/* main.c: live objects, for the "everything freed" check (debugfs) */
enum kvmx_obj {
	KVMX_OBJ_VMS,
	KVMX_OBJ_SESSIONS,
	KVMX_OBJ_REGIONS,
	KVMX_OBJ_RINGS,
	KVMX_OBJ_POLICIES,
	KVMX_OBJ_VCPU_STATS,
	KVMX_OBJ_SHM_PAGES,
	KVMX_OBJ_NR
};

extern atomic_long_t kvmx_objs[KVMX_OBJ_NR];

static inline void kvmx_count_inc(enum kvmx_obj o, long n)
{
	atomic_long_add(n, &kvmx_objs[o]);
}

static inline void kvmx_count_dec(enum kvmx_obj o, long n)
{
	atomic_long_sub(n, &kvmx_objs[o]);
}

struct kvmx_ring;
struct kvmx_region_set;
struct kvmx_vm_policy;

/* mmap offset of a region: its id << this (offset 0 is the event ring) */
#define KVMX_REGION_MMAP_SHIFT	24
#define KVMX_REGION_ID_MAX	U32_MAX

static inline u64 kvmx_region_mmap_offset(u32 id)
{
	return (u64)id << KVMX_REGION_MMAP_SHIFT;
}

struct kvmx_session {
	struct kvmx_vm *vm;
	struct list_head vm_node;	/* in vm->sessions */
	struct kvmx_ring *ring;		/* set once, under ring_lock */
	struct mutex ring_lock;
};

#define KVMX_VM_HASH_BITS	6
extern DECLARE_HASHTABLE(kvmx_vm_hash, KVMX_VM_HASH_BITS);

/*
 * A policy or region set read by a probe or hook: the caller is in an RCU
 * read-side section of some flavour (rcu_read_lock() in the hooks; the
 * preemption-disabled section of a tracepoint probe, kvmx_probe_enter() in
 * compat.h, which an RCU grace period waits for too).
 */
#define kvmx_rcu_dereference(p)	rcu_dereference_check(p, rcu_read_lock_any_held())

/*
 * The kvmx state of @kvm, or NULL if it is not attached: the only work an
 * exit of an unattached VM costs. Caller is in an RCU read-side section
 * (a probe after kvmx_probe_enter(), a hook under rcu_read_lock()).
 */
static inline struct kvmx_vm *kvmx_vm_find(struct kvm *kvm)
{
	struct kvmx_vm *vm;

	hash_for_each_possible_rcu(kvmx_vm_hash, vm, hnode, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/* vcpu.c */
struct kvmx_vcpu *kvmx_vcpu_get_slow(struct kvmx_vm *vm, struct kvm_vcpu *vcpu);

/*
 * The state of vCPU @idx, or NULL. The probes' path: the first
 * KVMX_VCPU_FAST vCPUs' pointers are in an array (acquire: pairs with the
 * release that publishes them), the others in the xarray.
 */
static inline struct kvmx_vcpu *kvmx_vcpu_find(struct kvmx_vm *vm, unsigned int idx)
{
	if (unlikely(idx >= KVMX_VCPU_FAST))
		return xa_load(&vm->vcpus, idx);
	/* pairs with the release in kvmx_vcpu_publish(): the set-up first */
	return smp_load_acquire(&vm->vcpu_fast[idx]);
}

/* At an exit: the vCPU's state, allocated if need be; NULL: counted lost. */
static inline struct kvmx_vcpu *kvmx_vcpu_get(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvmx_vcpu *v = kvmx_vcpu_find(vm, vcpu->vcpu_idx);

	return likely(v) ? v : kvmx_vcpu_get_slow(vm, vcpu);
}

int kvmx_vm_vcpus_init(struct kvmx_vm *vm);
void kvmx_vm_vcpus_free(struct kvmx_vm *vm);
void kvmx_reset_stats(struct kvmx_vm *vm);
bool kvmx_gpa_slot(struct kvm *kvm, u64 gpa, bool *readonly);

/* observe.c */
void kvmx_observe_exit(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		       struct kvmx_vcpu_exits *x, struct kvmx_exit *e);
void kvmx_observe_entry(struct kvmx_vm *vm, struct kvmx_vcpu_exits *x);
long kvmx_get_stats(struct kvmx_vm *vm, struct kvmx_stats __user *uarg);

/* fault.c */
void kvmx_fault_exit(struct kvmx_vm *vm, struct kvmx_vcpu_faults *f,
		     const struct kvmx_exit *e);
void kvmx_fault_entry(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		      struct kvmx_vcpu_faults *f);
void kvmx_fault_probe(struct kvmx_vm *vm, struct kvm_vcpu *vcpu, u64 gpa,
		      u64 syndrome, u64 pc);
long kvmx_get_faults(struct kvmx_vm *vm, struct kvmx_faults __user *uarg);

/*
 * Does fault.c want this exit, or the entry after it? Only around a
 * stage-2 exit: one to remember, or one to forget at the next exit or
 * entry (its fault resolved then). fault.c's own test, kept here so that
 * the other exits cost no call.
 */
static inline bool kvmx_fault_wants(const struct kvmx_vcpu_faults *f,
				    const struct kvmx_exit *e)
{
	return (e && e->class == KVMX_EXIT_STAGE2) || READ_ONCE(f->stage2_exit);
}

/*
 * The arch probes' calls at a vCPU's exit and entry: fault.c and observe.c
 * side by side, each given its part of the vCPU's state. At an exit fault.c
 * goes first: it wants the class the raw reason has, which observe.c may
 * refine (a stage-2 exit on a GPA without a memslot is MMIO).
 */
static inline void kvmx_vcpu_exit(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
				  struct kvmx_exit *e)
{
	struct kvmx_vcpu *v = kvmx_vcpu_get(vm, vcpu);

	if (unlikely(!v))
		return;
	if (kvmx_fault_wants(&v->faults, e))
		kvmx_fault_exit(vm, &v->faults, e);
	kvmx_observe_exit(vm, vcpu, &v->exits, e);
}

static inline void kvmx_vcpu_entry(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvmx_vcpu *v = kvmx_vcpu_find(vm, vcpu->vcpu_idx);

	if (unlikely(!v))
		return;
	if (kvmx_fault_wants(&v->faults, NULL))
		kvmx_fault_entry(vm, vcpu, &v->faults);
	kvmx_observe_entry(vm, &v->exits);
}

/*
 * bpf.c: BPF struct kvmx_ops (KVMX_CAP_BPF), held by PROGRAM regions and
 * policies. A holder's references: the link's file and kvmx's record of
 * the registered ops; both NULL when it holds none.
 */
struct kvmx_prog;
struct kvmx_prog_use {
	struct kvmx_prog *prog;
	struct file *link;
};

/* One access to a PROGRAM region: the program's context and, for the kfuncs, where. */
struct kvmx_io_region;
struct kvmx_mmio_call {
	struct kvmx_mmio_ctx ctx;
	struct kvmx_io_region *r;
	struct kvm_vcpu *vcpu;
};

#ifdef KVMX_HAVE_BPF
struct bpf_prog;
int kvmx_region_kfuncs_register(void);
int kvmx_bpf_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id);
void kvmx_bpf_register(int kfuncs);
bool kvmx_bpf_available(void);
int kvmx_prog_use(struct kvmx_vm *vm, int fd, bool want_exit, struct kvmx_prog_use *use);
void kvmx_prog_unuse(struct kvmx_prog_use *use);
int kvmx_prog_mmio(const struct kvmx_prog_use *use, struct kvmx_mmio_call *c);
int kvmx_prog_exit(const struct kvmx_prog_use *use, struct kvmx_exit_ctx *ctx);
u32 kvmx_prog_classes(const struct kvmx_prog_use *use);
u32 kvmx_prog_link_id(const struct kvmx_prog_use *use);
#else
static inline int kvmx_region_kfuncs_register(void)
{
	return -EOPNOTSUPP;
}

static inline void kvmx_bpf_register(int kfuncs)
{
}

static inline bool kvmx_bpf_available(void)
{
	return false;
}

static inline int kvmx_prog_use(struct kvmx_vm *vm, int fd, bool want_exit,
				struct kvmx_prog_use *use)
{
	return -EOPNOTSUPP;
}

static inline void kvmx_prog_unuse(struct kvmx_prog_use *use)
{
}

static inline int kvmx_prog_mmio(const struct kvmx_prog_use *use, struct kvmx_mmio_call *c)
{
	return KVMX_MMIO_FORWARD;
}

static inline int kvmx_prog_exit(const struct kvmx_prog_use *use, struct kvmx_exit_ctx *ctx)
{
	return KVMX_EXIT_COUNT;
}

static inline u32 kvmx_prog_classes(const struct kvmx_prog_use *use)
{
	return 0;
}

static inline u32 kvmx_prog_link_id(const struct kvmx_prog_use *use)
{
	return 0;
}
#endif

/* policy.c */
long kvmx_set_policy(struct kvmx_session *s, struct kvmx_policy __user *uarg);
long kvmx_get_policy(struct kvmx_session *s, struct kvmx_policy __user *uarg);
void kvmx_policy_release(struct kvmx_session *s);
void kvmx_policy_unload(void);
u32 kvmx_policy_unclaimed(struct kvm_vcpu *vcpu, bool pio, u64 addr);
u32 kvmx_policy_unbacked(struct kvm_vcpu *vcpu);
u32 kvmx_policy_exit(struct kvmx_vm *vm, struct kvm_vcpu *vcpu, const struct kvmx_exit *e,
		     u64 count);

/* hook.c: a KVM function whose callers ftrace sends to @wrapper */
struct kvmx_hook {
	unsigned long addr;
	void *wrapper;
	struct ftrace_ops ops;
};

int kvmx_hook_init(struct kvmx_hook *h);
void kvmx_hook_fini(struct kvmx_hook *h);
int kvmx_hooks_set(struct kvmx_hook *h, unsigned int n, bool on);
int kvmx_hook_enter(void);
void kvmx_hook_leave(int idx);
void kvmx_hooks_exit(void);

#ifdef CONFIG_X86
/* exported by kvm.ko; their declarations live in KVM's private trace.h */
extern struct tracepoint __tracepoint_kvm_exit;
extern struct tracepoint __tracepoint_kvm_entry;
extern struct tracepoint __tracepoint_kvm_page_fault;
#endif

/*
 * The latency clock, read twice per exit: x86 reads the TSC and scales a
 * difference to ns with tsc_khz (what sched_clock() does, without its
 * per-CPU conversion data on every read); arm64 uses sched_clock().
 */
#ifdef CONFIG_X86
extern u32 kvmx_tsc_mult, kvmx_tsc_shift;

static inline u64 kvmx_clock(void)
{
	return rdtsc();
}

static inline u64 kvmx_clock_ns(u64 ticks)
{
	return mul_u64_u32_shr(ticks, kvmx_tsc_mult, kvmx_tsc_shift);
}
#else
static inline u64 kvmx_clock(void)
{
	return sched_clock();
}

static inline u64 kvmx_clock_ns(u64 ticks)
{
	return ticks;
}
#endif

/* observe.c: kvmx_exit_class() of each raw slot, per KVMX_ARCH_* */
extern u8 kvmx_slot_class[KVMX_ARCH_ARM64 + 1][KVMX_RAW_SLOTS];
void kvmx_slot_class_init(void);

/*
 * What the architecture has, for the checks of regions and policies and
 * for KVMX_CHECK_EXTENSION: x86 has port I/O (64 Ki ports) and no bus
 * error to inject; arm64 has no ports and injects an external abort. The
 * host's kind of VM, from the CPU (not from the vendor module, which may
 * come and go).
 */
#ifdef CONFIG_X86
#define KVMX_ARCH_NR_PORTS	0x10000
static inline bool kvmx_arch_has_pio(void)
{
	return true;
}

static inline bool kvmx_arch_can_inject(void)
{
	return false;
}

static inline u32 kvmx_arch_host_id(void)
{
	return boot_cpu_has(X86_FEATURE_SVM) ? KVMX_ARCH_X86_SVM : KVMX_ARCH_X86_VMX;
}
#else
#define KVMX_ARCH_NR_PORTS	0
static inline bool kvmx_arch_has_pio(void)
{
	return false;
}

static inline bool kvmx_arch_can_inject(void)
{
	return true;
}

static inline u32 kvmx_arch_host_id(void)
{
	return KVMX_ARCH_ARM64;
}
#endif

/* describe.c */
long kvmx_check_extension(const struct kvmx_vm *vm, unsigned long cap);
long kvmx_get_names(const struct kvmx_vm *vm, struct kvmx_names __user *uarg);

/* x86.c, arm64.c: the arch's tracepoint probes */
int kvmx_arch_init(void);
void kvmx_arch_exit(void);
int kvmx_arch_policy_hooks(bool on);
int kvmx_arch_probes_register(void);
void kvmx_arch_probes_unregister(void);
u32 kvmx_arch_id(void);
int kvmx_arch_vm_check(struct kvm *kvm);
bool kvmx_arch_vcpu_nested(struct kvm_vcpu *vcpu);
bool kvmx_arch_has_fast_mmio(const struct kvmx_vm *vm);
unsigned long kvmx_arch_guest_pc(struct kvm_vcpu *vcpu);
void kvmx_arch_fault_snap(struct kvm_vcpu *vcpu, u64 snap[2]);
enum kvmx_fault_outcome kvmx_arch_fault_outcome(struct kvm_vcpu *vcpu,
						const u64 snap[2]);

/* ring.c */
long kvmx_ring_setup(struct kvmx_session *s, struct kvmx_ring_setup __user *uarg);
void kvmx_ring_push(struct kvmx_ring *r, const struct kvmx_exit_record *rec);

/*
 * ring.c: the producer side of a ring of records shared with userspace,
 * used by the event ring and by LOG regions. The header (head at offset 0,
 * tail at 64, struct kvmx_ring_header and struct kvmx_log_header) and the
 * slots are in the shared pages; @nr, @size and @next are the kernel's own
 * and are the only values it sizes or indexes with.
 */
struct kvmx_shring {
	u32 *head;		/* shared: written by the kernel only */
	u32 *tail;		/* shared: userspace's; only ever compared */
	void *slots;
	u32 nr;			/* records, a power of two */
	u32 size;		/* bytes per record */
	u32 next;		/* the kernel's head */
};

void kvmx_shring_init(struct kvmx_shring *q, u32 *head, u32 *tail, void *slots,
		      u32 nr, u32 size);
u32 kvmx_shring_push(struct kvmx_shring *q, const void *rec);
u32 kvmx_shring_used(const struct kvmx_shring *q);
void kvmx_sample(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
		 struct kvmx_exit_record *rec, u64 count, u32 policy_n);
void kvmx_push_record(struct kvmx_vm *vm, const struct kvmx_exit_record *rec,
		      u64 count);
void kvmx_ring_detach(struct kvmx_session *s);
int kvmx_ring_mmap(struct kvmx_session *s, struct vm_area_struct *vma);
__poll_t kvmx_ring_poll(struct kvmx_session *s, struct file *file, poll_table *wait);
void kvmx_ring_free(struct kvmx_ring *r);

/* region.c */
long kvmx_region_add(struct kvmx_session *s, struct kvmx_region __user *uarg);
long kvmx_region_del(struct kvmx_session *s, unsigned long id);
long kvmx_region_list(struct kvmx_vm *vm, struct kvmx_session *s,
		      struct kvmx_region_list __user *uarg);
int kvmx_region_mmap(struct kvmx_session *s, struct vm_area_struct *vma);
void kvmx_region_release(struct kvmx_session *s);
void kvmx_region_vm_init(struct kvmx_vm *vm);
void kvmx_region_vm_free(struct kvmx_vm *vm);

/* session.c */
long kvmx_attach_vm(struct kvmx_attach_vm __user *uarg);

/*
 * uaccess.c: the entries of a table ioctl (KVMX_GET_STATS, KVMX_GET_FAULTS,
 * KVMX_REGION_LIST):
 * as many as fit in the caller's buffer are copied, all are counted.
 */
struct kvmx_table_writer {
	void __user *dst;	/* the caller's first entry */
	u32 avail;		/* bytes from @dst the caller has */
	size_t entry_size;
	u32 room;		/* entries that fit in the caller's buffer */
	u32 written;
	u32 total;
};

int kvmx_table_begin(struct kvmx_table_writer *w, void __user *uarg,
		     size_t hdr_size, size_t entry_size, u32 known, u32 *flags);
void kvmx_table_entry_size(struct kvmx_table_writer *w, size_t entry_size);
int kvmx_table_emit(struct kvmx_table_writer *w, const void *e);

/* uaccess.c: argsz structures in and out */
int kvmx_copy_in(void *karg, size_t ksize, size_t minsz, void __user *uarg);
int kvmx_copy_out(void __user *uarg, void *karg, size_t ksize, size_t minsz);

#endif /* _KVMX_H */
