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
 * incompatibly; the minor number when something is added.
 */
#define KVMX_API_MAJOR		1
#define KVMX_API_MINOR		2
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
 * @flags:	in: zero; out: KVMX_STATS_TRUNCATED if not all entries fit
 * @arch:	KVMX_ARCH_*: how to read raw reasons
 * @entry_size: sizeof(struct kvmx_stat_entry) as the module knows it
 * @nr_entries: entries written
 * @nr_total:	entries there are
 * @nr_classes: KVMX_EXIT_NR_CLASSES of the module
 * @lat_buckets: KVMX_LAT_BUCKETS of the module
 * @lost:	exits kvmx could not attribute to a vCPU (no memory for the
 *		vCPU's counters); they are missing from every entry
 * @reserved:	zero
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
	__u64 reserved;
	struct kvmx_stat_entry entries[];
};

#define KVMX_STATS_TRUNCATED	_BITUL(0)

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
 * @flags:	in: zero; out: KVMX_STATS_TRUNCATED if not all entries fit
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

#endif /* _UAPI_LINUX_KVMX_H */
