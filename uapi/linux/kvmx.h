/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvmx: exit observation and exit policy for KVM.
 *
 * The control device is /dev/kvmx. Its ioctls follow VFIO's conventions:
 * the ioctl number carries no size, and every structure starts with an
 * argsz field (the size userspace passed) and a flags field, so a structure
 * can grow at its end without a new ioctl number.
 *
 * Input structures: the kernel reads argsz bytes. argsz smaller than the
 * structure's first version is -EINVAL; bytes the kernel does not know
 * about must be zero (-E2BIG otherwise). Unknown flags and non-zero
 * reserved fields are -EINVAL.
 *
 * Output structures: the kernel writes min(argsz, its size) bytes and sets
 * argsz to its full size, so a short buffer is reported, not overrun.
 *
 * See Documentation/api.rst.
 */
#ifndef _UAPI_LINUX_KVMX_H
#define _UAPI_LINUX_KVMX_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* 0xAF 00-1F is fsl_hypervisor (Documentation/userspace-api/ioctl) */
#define KVMX_TYPE	0xAF
#define KVMX_BASE	0xe0

/*
 * API version: the major number changes when an existing ioctl changes
 * incompatibly; the minor number when something is added. What a module
 * has is asked with KVMX_CHECK_EXTENSION (API 1.7), not read off the minor.
 */
#define KVMX_API_MAJOR		1
#define KVMX_API_MINOR		8
#define KVMX_API_VERSION	((KVMX_API_MAJOR << 16) | KVMX_API_MINOR)
#define KVMX_API_VERSION_MAJOR(v)	(((v) >> 16) & 0xffff)
#define KVMX_API_VERSION_MINOR(v)	((v) & 0xffff)

/* ioctls on /dev/kvmx */

/**
 * KVMX_GET_API_VERSION - _IO(KVMX_TYPE, KVMX_BASE + 0)
 *
 * Takes no argument; returns KVMX_API_VERSION of the loaded module.
 */
#define KVMX_GET_API_VERSION	_IO(KVMX_TYPE, KVMX_BASE + 0)

/*
 * Capabilities, for KVMX_CHECK_EXTENSION. A feature answers 1 if the
 * module (or, on a session, the session's VM) has it; a limit answers
 * its value; anything the module does not know answers 0.
 */
#define KVMX_CAP_STATS			1	/* GET_STATS, RESET_STATS, RING_SETUP */
#define KVMX_CAP_FAULTS			2	/* GET_FAULTS, fault records (1.2) */
#define KVMX_CAP_REGIONS		3	/* REGION_* on MMIO (1.3) */
#define KVMX_CAP_REGION_PIO		4	/* x86: regions on port I/O */
#define KVMX_CAP_POLICY			5	/* SET_POLICY, GET_POLICY (1.4) */
#define KVMX_CAP_POLICY_INJECT		6	/* arm64: KVMX_POLICY_INJECT */
#define KVMX_CAP_POLICY_PIO		7	/* x86: a port-I/O policy */
/* KVMX_REGION_FAST_MMIO (1.5); 2: served on KVM's fast MMIO bus (VMX) */
#define KVMX_CAP_REGION_FAST_MMIO	8
#define KVMX_CAP_STATS_SINCE		9	/* kvmx_stats.since_ns (1.6) */
#define KVMX_CAP_REGION_LIST_MMAP	10	/* KVMX_REGION_LIST_MMAP (1.7) */
#define KVMX_CAP_GET_NAMES		11	/* KVMX_GET_NAMES (1.7) */
#define KVMX_CAP_BPF			12	/* BPF struct kvmx_ops (1.8) */
/* limits: the value */
#define KVMX_CAP_MAX_REGIONS		64	/* regions per VM */
#define KVMX_CAP_MAX_BUS_DEVS		65	/* kvmx's devices on a VM's buses */
#define KVMX_CAP_REGION_MAX_MAP		66	/* bytes of a BANK or LOG */
#define KVMX_CAP_RING_MAX_RECORDS	67	/* records of an event ring */
#define KVMX_CAP_POLICY_MAX_RANGES	68	/* ranges of a policy */
#define KVMX_CAP_FAULT_HOT_MAX		69	/* hot pages per granule */
#define KVMX_CAP_EXIT_NR_CLASSES	70	/* exit classes the module has */
#define KVMX_CAP_FAULT_NR_CLASSES	71	/* fault classes the module has */

/**
 * KVMX_CHECK_EXTENSION - _IO(KVMX_TYPE, KVMX_BASE + 12)  (API 1.7)
 *
 * The argument is a KVMX_CAP_* number. Returns 0 if the module does not
 * have it, else 1 or the limit. On /dev/kvmx it answers for the module on
 * this host, on a session for the session's VM. Never fails.
 */
#define KVMX_CHECK_EXTENSION	_IO(KVMX_TYPE, KVMX_BASE + 12)

/**
 * struct kvmx_attach_vm - argument of KVMX_ATTACH_VM
 * @argsz:	size of this structure as userspace knows it
 * @flags:	none defined yet; must be zero
 * @vm_fd:	a KVM VM file descriptor (from KVM_CREATE_VM)
 * @reserved:	must be zero
 *
 * KVMX_ATTACH_VM - _IO(KVMX_TYPE, KVMX_BASE + 1)
 *
 * Binds a new session to the VM behind @vm_fd and returns the session file
 * descriptor (close-on-exec). The session holds a reference on the VM: the
 * VM stays alive until the session is closed, even if every KVM file
 * descriptor of the VM is closed first. A VM may have several sessions.
 *
 * Errors: EBADF if @vm_fd is not an open file descriptor; EINVAL if it is
 * not a KVM VM (a vCPU fd, /dev/kvm, any other file), if @flags or
 * @reserved is non-zero or @argsz is too small; E2BIG if bytes beyond the
 * known structure are non-zero; ENOMEM; EMFILE.
 */
struct kvmx_attach_vm {
	__u32 argsz;
	__u32 flags;
	__s32 vm_fd;
	__u32 reserved;
};

#define KVMX_ATTACH_VM		_IO(KVMX_TYPE, KVMX_BASE + 1)

/* ioctls on a session file descriptor */

/**
 * struct kvmx_session_info - result of KVMX_SESSION_INFO
 * @argsz:	in: size of the caller's buffer; out: the full size
 * @flags:	in: must be zero; out: none defined yet
 * @api_version: KVMX_API_VERSION of the module
 * @nr_vcpus:	vCPUs created in the VM so far
 * @nr_sessions: sessions currently attached to this VM, this one included
 * @reserved:	zero
 * @vm_id:	an identifier of the VM, stable while the VM lives and the
 *		same for all its sessions
 *
 * KVMX_SESSION_INFO - _IO(KVMX_TYPE, KVMX_BASE + 2)
 *
 * Errors: EINVAL if @argsz is smaller than 8 or @flags is non-zero; EFAULT.
 */
struct kvmx_session_info {
	__u32 argsz;
	__u32 flags;
	__u32 api_version;
	__u32 nr_vcpus;
	__u32 nr_sessions;
	__u32 reserved;
	__u64 vm_id;
};

#define KVMX_SESSION_INFO	_IO(KVMX_TYPE, KVMX_BASE + 2)

/*
 * Exit classes: one taxonomy for VMX, SVM and arm64. The raw, per-arch
 * reason is kept alongside (struct kvmx_stat_entry, struct kvmx_exit_record):
 * the VMX basic exit reason (with bit 31 for a VM-entry failure), the SVM
 * exit code (low 32 bits; SVM_EXIT_ERR is 0xffffffff), or on arm64 the ESR
 * exception class for a trap and KVMX_ARM64_EXIT_BASE + ARM_EXCEPTION_* for
 * the other exits (IRQ, SError, illegal exception return, hyp gone).
 */
enum kvmx_exit_class {
	KVMX_EXIT_OTHER		= 0,	/* none of the below */
	KVMX_EXIT_STAGE2	= 1,	/* EPT violation, NPF, DABT/IABT to a memslot */
	KVMX_EXIT_MMIO		= 2,	/* a guest-physical access with no memslot */
	KVMX_EXIT_PIO		= 3,	/* x86 port I/O */
	KVMX_EXIT_HALT		= 4,	/* HLT, MWAIT, WFI, WFE */
	KVMX_EXIT_HYPERCALL	= 5,	/* VMCALL, VMMCALL, HVC, SMC */
	KVMX_EXIT_SYSREG	= 6,	/* system register, MSR, CR, DR access */
	KVMX_EXIT_CPUID		= 7,
	KVMX_EXIT_EXTINT	= 8,	/* a host interrupt */
	KVMX_EXIT_EXCEPTION	= 9,	/* a guest exception or NMI, SError */
	KVMX_EXIT_IRQ_WINDOW	= 10,	/* interrupt or NMI window */
	KVMX_EXIT_PAUSE		= 11,	/* PAUSE loop exiting */
	KVMX_EXIT_FAILURE	= 12,	/* VM-entry failure, illegal state */
	KVMX_EXIT_NR_CLASSES
};

/* Room for classes in fixed-size arrays of the uapi. */
#define KVMX_EXIT_CLASSES_MAX	16

/*
 * Stage-2 fault classes: what a stage-2 fault (arm64 DABT/IABT_LOW, VMX
 * EPT violation, SVM NPF) was, and what KVM did with it. A fault is
 * classified when its outcome is known: at the vCPU's next entry into the
 * guest, or when KVMX_GET_FAULTS finds the vCPU outside KVM_RUN.
 * Permission faults are dirty logging, write protection and writes to a
 * KVM_MEM_READONLY memslot; in-kernel devices are ioeventfds, the vGIC,
 * kvmx regions; unbacked means KVM injected an abort into the guest or
 * could not emulate the access (an instruction fetch, no syndrome).
 * See Documentation/api.rst.
 */
enum kvmx_fault_class {
	KVMX_FAULT_FIRST_TOUCH	= 0,	/* memslot page not mapped at stage 2 yet */
	KVMX_FAULT_PERMISSION	= 1,	/* mapped, but the access is not allowed */
	KVMX_FAULT_MMIO_KERNEL	= 2,	/* no memslot; an in-kernel device served it */
	KVMX_FAULT_MMIO_USER	= 3,	/* no memslot; KVM_EXIT_MMIO to the VMM */
	KVMX_FAULT_UNBACKED	= 4,	/* no memslot, and not MMIO KVM could serve */
	KVMX_FAULT_WALK		= 5,	/* on the guest's own stage-1 table walk */
	KVMX_FAULT_OTHER	= 6,	/* a memslot page, another fault type */
	KVMX_FAULT_NR_CLASSES
};

#define KVMX_FAULT_CLASSES_MAX	8

/* Decoded fault types (struct kvmx_exit_record.fault_type) */
enum kvmx_fault_type {
	KVMX_FT_UNKNOWN = 0,		/* reserved or unrecognized encoding */
	KVMX_FT_TRANSLATION,		/* no valid mapping: EPT/NPT entry not present */
	KVMX_FT_ACCESS_FLAG,		/* arm64 access flag */
	KVMX_FT_PERMISSION,		/* present, but the access is not allowed */
	KVMX_FT_ADDRESS_SIZE,		/* arm64 address size */
	KVMX_FT_EXTERNAL,		/* synchronous external abort */
	KVMX_FT_ECC,			/* synchronous parity/ECC error */
	KVMX_FT_ALIGNMENT,
	KVMX_FT_TLB_CONFLICT,
	KVMX_FT_ATOMIC_HW_UPDATE,	/* unsupported atomic hardware update */
	KVMX_FT_TAG_CHECK,		/* MTE synchronous tag check */
	KVMX_FT_GRANULE_PROTECTION,	/* RME */
	KVMX_FT_IMPDEF,			/* lockdown, unsupported exclusive/atomic */
	KVMX_FT_RESERVED_BIT,		/* SVM: reserved bit set in an NPT entry */
	KVMX_FT_NR_TYPES
};

/* Access types */
#define KVMX_ACC_READ		0x1
#define KVMX_ACC_WRITE		0x2
#define KVMX_ACC_EXEC		0x4

/* Fault levels -2..3 are reported at index level + 2; no level at 6. */
#define KVMX_FAULT_LEVELS	7
#define KVMX_FAULT_LEVEL_NONE	6

/* How to read raw reasons. */
#define KVMX_ARCH_X86_VMX	1
#define KVMX_ARCH_X86_SVM	2
#define KVMX_ARCH_ARM64		3

#define KVMX_ARM64_EXIT_BASE	0x100	/* + ARM_EXCEPTION_IRQ, ... */

/*
 * Latency histograms: bucket 0 is [0, 2) ns, bucket i is [2^i, 2^(i+1)),
 * the last bucket also holds everything longer.
 */
#define KVMX_LAT_BUCKETS	32

#define KVMX_STAT_VM		0xffffffffu	/* vcpu of a VM-wide entry */
#define KVMX_STAT_CLASS		1
#define KVMX_STAT_RAW		2

/**
 * struct kvmx_stat_entry - one line of KVMX_GET_STATS
 * @vcpu:	vCPU index, or KVMX_STAT_VM for the sum over the VM
 * @kind:	KVMX_STAT_CLASS (per exit class, with latency) or
 *		KVMX_STAT_RAW (per raw reason, count only)
 * @class:	the exit class (for a raw entry: the class of that reason)
 * @raw:	the raw reason (raw entries only)
 * @reserved:	zero
 * @count:	exits
 * @lat_count:	exits whose latency was measured: those followed by an
 *		entry into the guest
 * @lat_sum_ns: sum of the measured latencies (exit to the next entry)
 * @lat_min_ns: smallest, 0 if @lat_count is 0
 * @lat_max_ns: largest
 * @lat_hist:	log2 histogram of the latencies; sums to @lat_count
 */
struct kvmx_stat_entry {
	__u32 vcpu;
	__u16 kind;
	__u16 class;
	__u32 raw;
	__u32 reserved;
	__u64 count;
	__u64 lat_count;
	__u64 lat_sum_ns;
	__u64 lat_min_ns;
	__u64 lat_max_ns;
	__u64 lat_hist[KVMX_LAT_BUCKETS];
};

/**
 * struct kvmx_stats - header of KVMX_GET_STATS, followed by entries
 * @argsz:	in: size of the whole buffer; out: the size all entries need
 * @flags:	in: zero; out: KVMX_TABLE_TRUNCATED if not all entries fit
 * @arch:	KVMX_ARCH_*: how to read raw reasons
 * @entry_size: sizeof(struct kvmx_stat_entry) as the module knows it
 * @nr_entries: entries written
 * @nr_total:	entries there are
 * @nr_classes: KVMX_EXIT_NR_CLASSES of the module
 * @lat_buckets: KVMX_LAT_BUCKETS of the module
 * @lost:	exits kvmx could not attribute to a vCPU (no memory for the
 *		vCPU's counters); they are missing from every entry
 * @since_ns:	(API 1.6) when counting started, the VM's first attach or
 *		the last KVMX_RESET_STATS, in CLOCK_BOOTTIME nanoseconds (the
 *		fault counters of KVMX_GET_FAULTS too); 0 from older modules
 * @entries:	the VM's entries (vcpu KVMX_STAT_VM) first, then each vCPU's
 *		in vCPU order; within each, class entries then raw ones; only
 *		non-zero counts
 */
struct kvmx_stats {
	__u32 argsz;
	__u32 flags;
	__u32 arch;
	__u32 entry_size;
	__u32 nr_entries;
	__u32 nr_total;
	__u32 nr_classes;
	__u32 lat_buckets;
	__u64 lost;
	__u64 since_ns;
	struct kvmx_stat_entry entries[];
};

/* out, in every table ioctl's flags: not all entries fit in argsz */
#define KVMX_TABLE_TRUNCATED	_BITUL(0)
#define KVMX_STATS_TRUNCATED	KVMX_TABLE_TRUNCATED	/* its name before 1.7 */

/**
 * KVMX_GET_STATS - _IO(KVMX_TYPE, KVMX_BASE + 3)
 *
 * Fills struct kvmx_stats and as many entries as fit in argsz. Counting is
 * per VM (shared by the VM's sessions) from the first attach on.
 * Errors: EINVAL if argsz < sizeof(struct kvmx_stats) or flags is non-zero.
 */
#define KVMX_GET_STATS		_IO(KVMX_TYPE, KVMX_BASE + 3)

/**
 * KVMX_RESET_STATS - _IO(KVMX_TYPE, KVMX_BASE + 4)
 *
 * Zeroes the VM's exit counters, histograms and fault counters. The
 * argument must be 0.
 */
#define KVMX_RESET_STATS	_IO(KVMX_TYPE, KVMX_BASE + 4)

/**
 * struct kvmx_ring_setup - argument of KVMX_RING_SETUP
 * @argsz:	size of this structure
 * @flags:	zero
 * @nr_records: ring size, a power of two from 2 to KVMX_RING_MAX_RECORDS
 * @watermark:	poll() reports EPOLLIN, and sleepers are woken, when this
 *		many records are unread (1 to @nr_records)
 * @sample:	per exit class: record 1 exit in N of each vCPU; 0 records
 *		none. Entries from KVMX_EXIT_NR_CLASSES on must be zero.
 * @mmap_size:	out: bytes to mmap() at offset 0 of the session fd (its
 *		value on input is ignored)
 * @fault_sample: (API 1.2) per stage-2 fault class (enum kvmx_fault_class):
 *		record 1 fault in N of each vCPU; 0 records none. Entries from
 *		KVMX_FAULT_NR_CLASSES on must be zero. A caller that passes
 *		the 1.1 structure (argsz without this field) records no faults.
 *
 * KVMX_RING_SETUP - _IO(KVMX_TYPE, KVMX_BASE + 5)
 *
 * Creates the session's event ring, or changes @watermark and @sample of
 * the existing one (@nr_records must then be unchanged: EBUSY otherwise).
 * Errors: EINVAL for a bad field; E2BIG if @nr_records is too large.
 */
struct kvmx_ring_setup {
	__u32 argsz;
	__u32 flags;
	__u32 nr_records;
	__u32 watermark;
	__u32 sample[KVMX_EXIT_CLASSES_MAX];
	__u64 mmap_size;
	__u32 fault_sample[KVMX_FAULT_CLASSES_MAX];
};

#define KVMX_RING_MAX_RECORDS	65536
#define KVMX_RING_SETUP		_IO(KVMX_TYPE, KVMX_BASE + 5)

/**
 * struct kvmx_ring_header - first page of the ring mapping
 * @head:	index of the next record the kernel writes (kernel-owned)
 * @nr_records: ring size
 * @record_size: sizeof(struct kvmx_exit_record)
 * @records_offset: offset of record 0 from the start of the mapping
 * @overflow:	records dropped because the ring was full
 * @tail:	index of the next record userspace reads (userspace-owned)
 *
 * Indexes run freely and wrap at 2^32; record i is at i % @nr_records.
 * The kernel publishes a record with a store-release of @head; userspace
 * reads @head with a load-acquire, reads the records, then store-releases
 * @tail. The kernel never trusts @tail: a value that is not within
 * @nr_records behind @head makes the ring count as full.
 */
struct kvmx_ring_header {
	__u32 head;
	__u32 nr_records;
	__u32 record_size;
	__u32 records_offset;
	__u64 overflow;
	__u8 pad0[40];
	__u32 tail;
	__u8 pad1[60];
};

#define KVMX_REC_GPA_VALID	_BITUL(0)
#define KVMX_REC_FAULT		_BITUL(1)	/* a stage-2 fault record */

/* fault_flags of a fault record */
#define KVMX_RECF_TO_USER	_BITUL(0)	/* KVM exited to the VMM after it */

/**
 * struct kvmx_exit_record - one sampled exit or stage-2 fault in the ring
 * @timestamp_ns: CLOCK_MONOTONIC at the exit (a fault: at the fault)
 * @gpa:	guest-physical address (IPA) of the access, if
 *		KVMX_REC_GPA_VALID
 * @pc:		guest program counter (RIP, PC) at the exit
 * @info:	VMX: exit qualification, IDT-vectoring info, exit interrupt
 *		info; SVM: EXITINFO1, EXITINFO2, EXITINTINFO; arm64: ESR_EL2,
 *		FAR_EL2, HPFAR_EL2
 * @vcpu:	vCPU index
 * @class:	enum kvmx_exit_class, or with KVMX_REC_FAULT enum
 *		kvmx_fault_class
 * @flags:	KVMX_REC_*
 * @raw:	raw reason (a fault: of the exit that reported it)
 * @fault_type:	fault records: enum kvmx_fault_type decoded from the syndrome;
 *		zero in exit records
 * @fault_level: fault records: translation level (-2..3) or -128 if the
 *		syndrome gives none
 * @fault_access: fault records: KVMX_ACC_* the guest attempted
 * @fault_flags: fault records: KVMX_RECF_*
 *
 * A fault record is pushed when the fault is classified (see enum
 * kvmx_fault_class); its @info words are those of the exit that reported
 * it, so fault and exit records decode alike.
 */
struct kvmx_exit_record {
	__u64 timestamp_ns;
	__u64 gpa;
	__u64 pc;
	__u64 info[3];
	__u32 vcpu;
	__u16 class;
	__u16 flags;
	__u32 raw;
	__u8 fault_type;
	__s8 fault_level;
	__u8 fault_access;
	__u8 fault_flags;
};

#define KVMX_FAULT_KIND_CLASS	1	/* per fault class */
#define KVMX_FAULT_KIND_PAGE_4K	2	/* a hot 4 KiB guest page */
#define KVMX_FAULT_KIND_PAGE_2M	3	/* a hot 2 MiB guest range */

/**
 * struct kvmx_fault_entry - one line of KVMX_GET_FAULTS
 * @vcpu:	vCPU index, or KVMX_STAT_VM for the sum over the VM (page
 *		entries are always VM-wide)
 * @kind:	KVMX_FAULT_KIND_*
 * @class:	class entries: enum kvmx_fault_class
 * @count:	faults
 * @gpa:	page entries: guest-physical base of the page or range
 * @error:	page entries: @count may exceed the true count by up to this
 *		(the hot-page tables are bounded; see Documentation/api.rst)
 * @read:	class entries: faults on a read, as the syndrome says
 * @write:	class entries: faults on a write
 * @exec:	class entries: faults on an instruction fetch
 * @to_user:	class entries: faults after which KVM exited to the VMM
 * @level:	class entries: faults per translation level, index level + 2
 *		for levels -2..3, KVMX_FAULT_LEVEL_NONE when the syndrome
 *		gives no level (VMX, SVM)
 * @reserved:	zero
 */
struct kvmx_fault_entry {
	__u32 vcpu;
	__u16 kind;
	__u16 class;
	__u64 count;
	__u64 gpa;
	__u64 error;
	__u64 read;
	__u64 write;
	__u64 exec;
	__u64 to_user;
	__u64 level[KVMX_FAULT_LEVELS];
	__u64 reserved;
};

/**
 * struct kvmx_faults - header of KVMX_GET_FAULTS, followed by entries
 * @argsz:	in: size of the whole buffer; out: the size all entries need
 * @flags:	in: zero; out: KVMX_TABLE_TRUNCATED if not all entries fit
 * @arch:	KVMX_ARCH_*
 * @entry_size: sizeof(struct kvmx_fault_entry) as the module knows it
 * @nr_entries: entries written
 * @nr_total:	entries there are
 * @nr_classes: KVMX_FAULT_NR_CLASSES of the module
 * @reserved:	zero
 * @pending:	faults not classified yet: their vCPU has not entered the
 *		guest again and is still in KVM_RUN (or busy in another ioctl)
 * @entries:	VM class entries, each vCPU's class entries in vCPU order,
 *		then the hottest 4 KiB pages and 2 MiB ranges (at most
 *		KVMX_FAULT_HOT_MAX of each), hottest first; only non-zero counts
 */
struct kvmx_faults {
	__u32 argsz;
	__u32 flags;
	__u32 arch;
	__u32 entry_size;
	__u32 nr_entries;
	__u32 nr_total;
	__u32 nr_classes;
	__u32 reserved;
	__u64 pending;
	struct kvmx_fault_entry entries[];
};

#define KVMX_FAULT_HOT_MAX	16

/**
 * KVMX_GET_FAULTS - _IO(KVMX_TYPE, KVMX_BASE + 6)  (API 1.2)
 *
 * Fills struct kvmx_faults and as many entries as fit in argsz. Counting is
 * per VM, from the first attach on; KVMX_RESET_STATS zeroes it too.
 * Errors: EINVAL if argsz < sizeof(struct kvmx_faults) or flags is non-zero;
 * EFAULT.
 */
#define KVMX_GET_FAULTS		_IO(KVMX_TYPE, KVMX_BASE + 6)

/*
 * In-kernel MMIO and port-I/O regions (API 1.3). A region serves the guest
 * accesses that lie entirely inside it and have one of its access sizes;
 * anything else goes on as if the region were not there (to another
 * in-kernel device or to the VMM).
 */
#define KVMX_MODE_DOORBELL	1	/* a write signals @eventfd */
#define KVMX_MODE_BANK		2	/* registers in memory shared with userspace */
#define KVMX_MODE_LOG		3	/* writes appended to a ring shared with userspace */
#define KVMX_MODE_DISCARD	4	/* reads return all ones, writes are dropped */
#define KVMX_MODE_WINDOW	5	/* reserves a range for other regions */
#define KVMX_MODE_PROGRAM	6	/* a BPF program answers (1.8) */

#define KVMX_REGION_PIO		_BITUL(0)	/* x86 port I/O (addr is a port) */
#define KVMX_REGION_DATAMATCH	_BITUL(1)	/* DOORBELL: only writes of @datamatch */
/* LOG full: drop and count (default: exit to the VMM, nothing lost) */
#define KVMX_REGION_LOG_DROP	_BITUL(2)
/*
 * (API 1.5) DOORBELL on MMIO, every access size: a write of any length
 * signals, as a zero-length KVM_IOEVENTFD does. On VMX it is also served
 * from KVM's fast MMIO bus, at the EPT misconfiguration, without decoding
 * the instruction: there a read is taken for a write too.
 */
#define KVMX_REGION_FAST_MMIO	_BITUL(3)

/* access_sizes: bit n set allows accesses of 2^n bytes (1, 2, 4, 8) */
#define KVMX_SIZES_ALL		0xf

/**
 * struct kvmx_region - argument of KVMX_REGION_ADD
 * @argsz:	size of this structure
 * @flags:	KVMX_REGION_*
 * @addr:	guest-physical address, or port with KVMX_REGION_PIO
 * @size:	bytes (ports); at least 1
 * @mode:	KVMX_MODE_*
 * @access_sizes: which access sizes the region serves; 0 for a WINDOW
 * @eventfd:	DOORBELL: signalled at every matching write (required);
 *		BANK: signalled at every write, or -1; LOG: signalled when
 *		@log_watermark records are unread, or -1; PROGRAM: signalled
 *		when the program calls kvmx_region_signal() and, with a ring,
 *		as a LOG's, or -1; else -1
 * @log_records: LOG: ring size, a power of two from 2 to 65536; PROGRAM:
 *		that, or 0 for a region without a ring; else 0
 * @log_watermark: LOG, PROGRAM with a ring: 1 to @log_records; else 0
 * @id:		out: the region's id, unique in the VM
 * @link_fd:	PROGRAM: a BPF link of a struct kvmx_ops whose mmio()
 *		answers the accesses (API 1.8); else zero
 * @reserved:	zero
 * @datamatch:	DOORBELL with KVMX_REGION_DATAMATCH: the value to match
 * @mmap_offset: out: BANK and LOG: mmap() the session fd at this offset
 * @mmap_size:	out: ... this many bytes
 *
 * KVMX_REGION_ADD - _IO(KVMX_TYPE, KVMX_BASE + 7)
 *
 * Adds a region to the session's VM; it belongs to the session and is
 * removed when the session is closed or by KVMX_REGION_DEL. A region lies
 * inside one WINDOW, sharing the window's device on KVM's bus, or gets a
 * bus device of its own. BANK and LOG are at most KVMX_REGION_MAX_MAP
 * bytes of registers or ring.
 *
 * A PROGRAM region (API 1.8, KVMX_CAP_BPF) calls the mmio() of the
 * struct kvmx_ops behind @link_fd for every access it covers, in the
 * kernel, and does what it returns: KVMX_MMIO_SERVED (a read returns the
 * program's value) or KVMX_MMIO_FORWARD (the access goes on as if the
 * region were not there: to a device behind it, else to the VMM). Its
 * mapping is a bank of @size bytes (at most KVMX_REGION_MAX_MAP) the
 * program reads with kvmx_bank_read() and only userspace writes, followed,
 * with @log_records, by a LOG header page and ring the program appends to
 * with kvmx_log_append(). The region holds the link: closing the link's
 * last fd does not detach it; removing the region, closing the session or
 * detaching the link (BPF_LINK_DETACH) does. A detached region forwards
 * every access. One link serves the regions and the policy of one VM.
 *
 * Errors: EINVAL for an unknown mode or flag, a flag the mode does not
 * take (KVMX_REGION_FAST_MMIO: a DOORBELL on MMIO, KVMX_SIZES_ALL, no
 * DATAMATCH), a non-zero reserved field, a
 * bad size, access size, eventfd or log setting, PIO on arm64, an address
 * range that wraps; EBADF if @eventfd is not an eventfd; EEXIST if the
 * range overlaps another region (but for lying inside a window) or a
 * device on KVM's bus; ENOSPC if the VM has KVMX_MAX_REGIONS regions or
 * KVMX_MAX_BUS_DEVS bus devices of kvmx, or KVM's bus is full; E2BIG if
 * @log_records or a BANK or PROGRAM bank is too large; ENOMEM. PROGRAM:
 * EOPNOTSUPP without KVMX_CAP_BPF; EBADF if @link_fd is not open; EINVAL
 * if it is not a BPF link of a struct kvmx_ops (a map, a program, another
 * struct_ops, a detached link) or its ops have no mmio(); EBUSY if the
 * link serves another VM.
 */
struct kvmx_region {
	__u32 argsz;
	__u32 flags;
	__u64 addr;
	__u64 size;
	__u32 mode;
	__u32 access_sizes;
	__s32 eventfd;
	__u32 log_records;
	__u32 log_watermark;
	__u32 id;
	__s32 link_fd;
	__u32 reserved;
	__u64 datamatch;
	__u64 mmap_offset;
	__u64 mmap_size;
};

#define KVMX_MAX_REGIONS	8192
#define KVMX_MAX_BUS_DEVS	256
#define KVMX_REGION_MAX_MAP	0x100000

#define KVMX_REGION_ADD		_IO(KVMX_TYPE, KVMX_BASE + 7)

/**
 * KVMX_REGION_DEL - _IO(KVMX_TYPE, KVMX_BASE + 8)
 *
 * The argument is a region id of this session. The region stops serving
 * accesses before the ioctl returns. Errors: ENOENT if the session has no
 * such region; EBUSY for a WINDOW that still holds regions.
 */
#define KVMX_REGION_DEL		_IO(KVMX_TYPE, KVMX_BASE + 8)

/**
 * struct kvmx_region_info - one region in KVMX_REGION_LIST
 * @id:		region id
 * @mode:	KVMX_MODE_*
 * @flags:	its KVMX_REGION_* flags, and KVMX_REGION_MINE if it belongs to
 *		the calling session
 * @access_sizes: as added
 * @addr:	as added
 * @size:	as added
 * @reads:	reads served
 * @writes:	writes served (a DOORBELL: matching writes, signalled), the
 *		dropped ones included
 * @bytes:	bytes read and written
 * @dropped:	LOG with KVMX_REGION_LOG_DROP: writes dropped, ring full;
 *		DISCARD: writes discarded
 * @fallbacks:	LOG: writes left to the VMM, ring full; PROGRAM: accesses
 *		forwarded (the program's FORWARD, or no program)
 * @last_ns:	CLOCK_MONOTONIC of the last access served, to a timer tick
 *		(the hit path reads jiffies, not a clock), 0 if none
 * @last_vcpu:	vCPU of that access
 * @link_id:	PROGRAM: the id of its BPF link (bpftool link show), 0 once
 *		the link was detached; else 0
 */
struct kvmx_region_info {
	__u32 id;
	__u32 mode;
	__u32 flags;
	__u32 access_sizes;
	__u64 addr;
	__u64 size;
	__u64 reads;
	__u64 writes;
	__u64 bytes;
	__u64 dropped;
	__u64 fallbacks;
	__u64 last_ns;
	__u32 last_vcpu;
	__u32 link_id;
};

#define KVMX_REGION_MINE	_BITUL(31)

/**
 * struct kvmx_region_mmap_info - one region in KVMX_REGION_LIST with
 *				  KVMX_REGION_LIST_MMAP (API 1.7)
 * @info:	as without the flag
 * @mmap_offset: BANK, LOG and PROGRAM of the calling session: mmap() the session fd
 *		at this offset; else 0
 * @mmap_size:	... this many bytes; else 0
 */
struct kvmx_region_mmap_info {
	struct kvmx_region_info info;
	__u64 mmap_offset;
	__u64 mmap_size;
};

/* KVMX_REGION_LIST in: entries are struct kvmx_region_mmap_info */
#define KVMX_REGION_LIST_MMAP	_BITUL(1)

/**
 * struct kvmx_region_list - header of KVMX_REGION_LIST, followed by entries
 * @argsz:	in: size of the whole buffer; out: the size all entries need
 * @flags:	in: KVMX_REGION_LIST_MMAP or zero; out: KVMX_TABLE_TRUNCATED if
 *		not all entries fit
 * @nr_entries: entries written
 * @nr_total:	regions there are
 * @entries:	every region of the VM, by bus and address: struct
 *		kvmx_region_info, or struct kvmx_region_mmap_info with
 *		KVMX_REGION_LIST_MMAP
 *
 * KVMX_REGION_LIST - _IO(KVMX_TYPE, KVMX_BASE + 9)
 *
 * Errors: EINVAL if argsz < sizeof(struct kvmx_region_list) or flags has
 * an unknown bit; EFAULT.
 */
struct kvmx_region_list {
	__u32 argsz;
	__u32 flags;
	__u32 nr_entries;
	__u32 nr_total;
	struct kvmx_region_info entries[];
};

#define KVMX_REGION_LIST	_IO(KVMX_TYPE, KVMX_BASE + 9)

/**
 * struct kvmx_log_header - first page of a LOG region's mapping
 * @head:	next record the kernel writes (kernel-owned)
 * @nr_records: ring size
 * @record_size: sizeof(struct kvmx_log_record)
 * @records_offset: offset of record 0 from the start of the mapping
 * @dropped:	writes dropped, ring full (KVMX_REGION_LOG_DROP)
 * @fallbacks:	writes left to the VMM, ring full
 * @tail:	next record userspace reads (userspace-owned)
 *
 * The ordering rules of struct kvmx_ring_header apply.
 */
struct kvmx_log_header {
	__u32 head;
	__u32 nr_records;
	__u32 record_size;
	__u32 records_offset;
	__u64 dropped;
	__u64 fallbacks;
	__u8 pad0[32];
	__u32 tail;
	__u8 pad1[60];
};

/**
 * struct kvmx_log_record - one guest write in a LOG region's ring
 * @timestamp_ns: CLOCK_MONOTONIC at the write
 * @addr:	address written (GPA or port)
 * @data:	the value, little-endian in the low @size bytes
 * @vcpu:	vCPU index
 * @size:	bytes written (1, 2, 4 or 8)
 */
struct kvmx_log_record {
	__u64 timestamp_ns;
	__u64 addr;
	__u64 data;
	__u32 vcpu;
	__u32 size;
};

/*
 * Exit policy (API 1.4): what happens to an access no device claims and to
 * a fault on a GPA KVM cannot treat as MMIO, and what kvmx does per exit
 * class besides counting.
 */
enum kvmx_policy_action {
	KVMX_POLICY_FORWARD	= 0,	/* KVM's default: exit to the VMM */
	KVMX_POLICY_DISCARD	= 1,	/* reads return all ones, writes dropped */
	KVMX_POLICY_INJECT	= 2,	/* arm64: an external abort to the guest */
};

enum kvmx_class_action {
	KVMX_CLASS_COUNT	= 0,	/* count only (the default) */
	KVMX_CLASS_SAMPLE	= 1,	/* and record 1 in @n into the event rings */
	KVMX_CLASS_NOTIFY	= 2,	/* and signal @eventfd at every @n-th */
};

#define KVMX_POLICY_MAX_RANGES	16
#define KVMX_RANGE_PIO		_BITUL(0)	/* a port range (x86) */

/**
 * struct kvmx_policy_range - where the unclaimed-access actions apply
 * @addr:	first guest-physical address (or port)
 * @size:	bytes (ports), at least 1
 * @flags:	KVMX_RANGE_PIO for ports; 0 for guest-physical addresses
 * @reserved:	zero
 */
struct kvmx_policy_range {
	__u64 addr;
	__u64 size;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct kvmx_class_policy - the policy of one exit class
 * @action:	enum kvmx_class_action
 * @n:		SAMPLE: record 1 exit in @n of each vCPU; NOTIFY: signal at
 *		every @n-th exit of the class in the VM; COUNT: zero
 * @eventfd:	NOTIFY: an eventfd; otherwise zero
 * @reserved:	zero
 */
struct kvmx_class_policy {
	__u32 action;
	__u32 n;
	__s32 eventfd;
	__u32 reserved;
};

/**
 * struct kvmx_policy - argument of KVMX_SET_POLICY and KVMX_GET_POLICY
 * @argsz:	size of this structure
 * @flags:	SET: KVMX_POLICY_PROGRAM or zero; GET: KVMX_POLICY_MINE if
 *		the caller set it, KVMX_POLICY_PROGRAM if it has a program
 * @mmio:	unclaimed MMIO (no kvmx region, no in-kernel device):
 *		enum kvmx_policy_action
 * @pio:	unclaimed port I/O (x86): FORWARD or DISCARD
 * @unbacked:	a stage-2 fault KVM cannot complete as MMIO (arm64: a data
 *		abort without a valid syndrome outside memslots): FORWARD or
 *		INJECT
 * @nr_ranges:	entries of @ranges in use; 0: @mmio and @pio apply at every
 *		address and port
 * @ranges:	where @mmio (ranges without KVMX_RANGE_PIO) and @pio (with
 *		it) apply; no two may overlap
 * @classes:	per exit class (enum kvmx_exit_class); entries from
 *		KVMX_EXIT_NR_CLASSES on must be zero
 * @mmio_discarded: GET: unclaimed MMIO accesses discarded
 * @mmio_injected: GET: unclaimed MMIO accesses answered with an abort
 * @pio_discarded: GET: unclaimed port accesses discarded
 * @unbacked_injected: GET: unbacked faults answered with an abort
 * @notified:	GET: per exit class, eventfd signals sent
 * @link_fd:	SET with KVMX_POLICY_PROGRAM: a BPF link of a struct
 *		kvmx_ops whose exit() decides the exits of the classes its
 *		@exit_classes names (API 1.8); else zero. GET: -1
 * @prog_link_id: GET: that link's id, 0 if none or detached; SET: zero
 * @prog_classes: GET: the classes the program decides; SET: zero
 * @reserved:	zero
 * @prog_calls:	GET: exit() calls; SET: zero
 * @prog_refused: GET: decisions kvmx did not apply (unknown, or INJECT
 *		where nothing may be injected), counted as COUNT; SET: zero
 *
 * KVMX_SET_POLICY - _IO(KVMX_TYPE, KVMX_BASE + 10)
 *
 * Replaces the VM's policy at once (vCPUs see the old one or the new one,
 * never a mix) and resets its counters. The policy belongs to the session
 * that set it: closing that session restores the default, which is the
 * all-zero structure (FORWARD everywhere, COUNT every class): a VM with it
 * behaves as without kvmx. The counters (GET fields) must be zero on SET.
 * Errors: EINVAL for unknown flags, actions or classes, a reserved or
 * out-only field that is not zero, @n zero for SAMPLE or NOTIFY, a range
 * that is empty, wraps, or is a port range beyond 0xffff or on arm64, and
 * for INJECT on x86 (x86 has no bus error to inject) or @pio on arm64;
 * E2BIG if @nr_ranges > KVMX_POLICY_MAX_RANGES; EEXIST if ranges overlap;
 * EBADF/EINVAL if a NOTIFY @eventfd is not an eventfd. With
 * KVMX_POLICY_PROGRAM: EOPNOTSUPP without KVMX_CAP_BPF; EBADF, EINVAL and
 * EBUSY for @link_fd as for a PROGRAM region's, and EINVAL if its ops
 * have no exit() or no @exit_classes.
 *
 * A program's exit() runs at every exit of its classes, after kvmx
 * counted it (struct kvmx_exit_ctx), and returns a decision: COUNT
 * (nothing more), SAMPLE (this exit goes into every event ring of the
 * VM), NOTIFY (signal the class's NOTIFY eventfd of this policy, if it
 * has one) or, on arm64, INJECT (if this exit's access turns out to be
 * unclaimed MMIO, answer it with an external abort, as @mmio INJECT
 * would). For the program's classes the decision replaces the class's
 * SAMPLE and NOTIFY actions. The policy holds the link as a PROGRAM region
 * does; a detached program's classes are only counted.
 *
 * KVMX_GET_POLICY - _IO(KVMX_TYPE, KVMX_BASE + 11)
 *
 * Returns the VM's policy and its counters; @eventfd reads -1 unless the
 * caller set the policy. Errors: EINVAL if argsz is too small (smaller
 * than the structure of API 1.4, which ends at @notified) or flags is
 * non-zero.
 */
struct kvmx_policy {
	__u32 argsz;
	__u32 flags;
	__u32 mmio;
	__u32 pio;
	__u32 unbacked;
	__u32 nr_ranges;
	struct kvmx_policy_range ranges[KVMX_POLICY_MAX_RANGES];
	struct kvmx_class_policy classes[KVMX_EXIT_CLASSES_MAX];
	__u64 mmio_discarded;
	__u64 mmio_injected;
	__u64 pio_discarded;
	__u64 unbacked_injected;
	__u64 notified[KVMX_EXIT_CLASSES_MAX];
	__s32 link_fd;
	__u32 prog_link_id;
	__u32 prog_classes;
	__u32 reserved;
	__u64 prog_calls;
	__u64 prog_refused;
};

#define KVMX_POLICY_MINE	_BITUL(0)	/* GET: the caller set it */
#define KVMX_POLICY_PROGRAM	_BITUL(1)	/* SET: @link_fd; GET: it has one */
#define KVMX_SET_POLICY		_IO(KVMX_TYPE, KVMX_BASE + 10)
#define KVMX_GET_POLICY		_IO(KVMX_TYPE, KVMX_BASE + 11)

/* What a name of KVMX_GET_NAMES names */
#define KVMX_NAME_EXIT_CLASS	1	/* @id: enum kvmx_exit_class */
#define KVMX_NAME_FAULT_CLASS	2	/* @id: enum kvmx_fault_class */
#define KVMX_NAME_FAULT_TYPE	3	/* @id: kvmx_exit_record.fault_type */
#define KVMX_NAME_RAW		4	/* @id: a raw reason; @class: its class */

#define KVMX_NAME_LEN		32

/**
 * struct kvmx_name_entry - one name in KVMX_GET_NAMES
 * @kind:	KVMX_NAME_*
 * @id:		what is named
 * @class:	KVMX_NAME_RAW: the exit class of the reason; else 0
 * @reserved:	zero
 * @name:	NUL-terminated
 */
struct kvmx_name_entry {
	__u32 kind;
	__u32 id;
	__u32 class;
	__u32 reserved;
	char name[KVMX_NAME_LEN];
};

/**
 * struct kvmx_names - header of KVMX_GET_NAMES, followed by entries
 * @argsz:	in: size of the whole buffer; out: the size all entries need
 * @flags:	in: zero; out: KVMX_TABLE_TRUNCATED if not all entries fit
 * @arch:	in: KVMX_ARCH_* whose raw reasons to name, or 0 for the
 *		host's (on a session: the VM's); out: that arch
 * @entry_size: sizeof(struct kvmx_name_entry)
 * @nr_entries: entries written
 * @nr_total:	names there are
 * @entries:	the exit classes, fault classes, fault types, then the raw
 *		reasons of @arch that kvmx knows by name
 *
 * KVMX_GET_NAMES - _IO(KVMX_TYPE, KVMX_BASE + 13)  (API 1.7)
 *
 * The names a module gives its classes and reasons, the ones kvmxctl
 * prints: a tool older than the module names what it does not know.
 * On /dev/kvmx and on a session. Errors: EINVAL if argsz is smaller than
 * the header, flags is non-zero or @arch is not a KVMX_ARCH_*; EFAULT.
 */
struct kvmx_names {
	__u32 argsz;
	__u32 flags;
	__u32 arch;
	__u32 entry_size;
	__u32 nr_entries;
	__u32 nr_total;
	struct kvmx_name_entry entries[];
};

#define KVMX_GET_NAMES		_IO(KVMX_TYPE, KVMX_BASE + 13)

/*
 * BPF programs (API 1.8, KVMX_CAP_BPF): a struct_ops "kvmx_ops" with
 *
 *	int (*mmio)(struct kvmx_mmio_ctx *ctx);
 *	int (*exit)(struct kvmx_exit_ctx *ctx);
 *	__u32 exit_classes;	(bits of enum kvmx_exit_class for exit())
 *
 * loaded and attached with a BPF link (BPF_LINK_CREATE of its struct_ops
 * map), then named by the link's fd in KVMX_REGION_ADD (mmio()) and
 * KVMX_SET_POLICY (exit()). A program reads its context; mmio() may write
 * @data of a read, nothing else. kfuncs for mmio(), on the region the
 * access hit:
 *
 *	__u64 kvmx_bank_read(struct kvmx_mmio_ctx *ctx, __u32 offset, __u32 size);
 *		@size (1, 2, 4, 8) bytes of the bank at @offset; all ones
 *		outside it
 *	int kvmx_region_signal(struct kvmx_mmio_ctx *ctx);
 *		signal the region's eventfd; -ENOENT if it has none
 *	int kvmx_log_append(struct kvmx_mmio_ctx *ctx, __u64 data);
 *		append a struct kvmx_log_record (this access, @data) to the
 *		region's ring; -ENOENT without one, -ENOSPC if it is full
 *
 * Programs may not sleep. tools/bpf/kvmx_bpf.h declares all of this for
 * programs.
 */
enum kvmx_mmio_result {
	KVMX_MMIO_SERVED	= 0,	/* done; a read returns @data */
	KVMX_MMIO_FORWARD	= 1,	/* as if the region were not there */
};

enum kvmx_exit_decision {
	KVMX_EXIT_COUNT		= 0,
	KVMX_EXIT_SAMPLE	= 1,
	KVMX_EXIT_NOTIFY	= 2,
	KVMX_EXIT_INJECT	= 3,	/* arm64 */
};

/**
 * struct kvmx_mmio_ctx - one access to a PROGRAM region, for mmio()
 * @addr:	guest-physical address (a port for a PIO region)
 * @offset:	from the region's start
 * @data:	a write: the value written; a read: 0, and the program's
 *		answer (the low @size bytes)
 * @vcpu:	the vCPU's index
 * @size:	1, 2, 4 or 8
 * @write:	1 for a write, 0 for a read
 * @region:	the region's id
 */
struct kvmx_mmio_ctx {
	__u64 addr;
	__u64 offset;
	__u64 data;
	__u32 vcpu;
	__u32 size;
	__u32 write;
	__u32 region;
};

/**
 * struct kvmx_exit_ctx - one exit of a program's class, for exit()
 * @gpa:	guest-physical address, with KVMX_REC_GPA_VALID in @flags
 * @info:	as struct kvmx_exit_record's
 * @count:	the vCPU's exits of @class, this one included
 * @vcpu:	the vCPU's index
 * @class:	enum kvmx_exit_class
 * @flags:	KVMX_REC_*
 * @raw:	the architecture's reason
 * @reserved:	zero
 */
struct kvmx_exit_ctx {
	__u64 gpa;
	__u64 info[3];
	__u64 count;
	__u32 vcpu;
	__u16 class;
	__u16 flags;
	__u32 raw;
	__u32 reserved;
};

#endif /* _UAPI_LINUX_KVMX_H */
