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
#define KVMX_API_MINOR		1
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
 * Zeroes the VM's counters and histograms. The argument must be 0.
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

/**
 * struct kvmx_exit_record - one sampled exit in the event ring
 * @timestamp_ns: CLOCK_MONOTONIC at the exit
 * @gpa:	guest-physical address (IPA) of the access, if
 *		KVMX_REC_GPA_VALID
 * @pc:		guest program counter (RIP, PC) at the exit
 * @info:	VMX: exit qualification, IDT-vectoring info, exit interrupt
 *		info; SVM: EXITINFO1, EXITINFO2, EXITINTINFO; arm64: ESR_EL2,
 *		FAR_EL2, HPFAR_EL2
 * @vcpu:	vCPU index
 * @class:	enum kvmx_exit_class
 * @flags:	KVMX_REC_*
 * @raw:	raw reason
 * @reserved:	zero
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
	__u32 reserved;
};

#endif /* _UAPI_LINUX_KVMX_H */
