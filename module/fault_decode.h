/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stage-2 fault syndromes decoded: arm64 DABT/IABT ISS (ESR_EL2), the VMX
 * EPT-violation exit qualification and the SVM NPF error code (EXITINFO1).
 * Pure code: built into the module and the host unit tests. Reserved or
 * unknown encodings decode as unknown, never as something else.
 */
#ifndef _KVMX_FAULT_DECODE_H
#define _KVMX_FAULT_DECODE_H

#include <linux/types.h>
#include <linux/kvmx.h>
#ifndef __KERNEL__
#include <stdbool.h>
#endif

#define KVMX_LEVEL_NONE		((__s8)-128)

/* flags */
#define KVMX_FF_WALK		0x0001	/* during the guest's own page-table walk */
#define KVMX_FF_FINAL		0x0002	/* on the final translation of the access */
#define KVMX_FF_GLA_VALID	0x0004	/* VMX: guest linear address valid */
#define KVMX_FF_NMI_UNBLOCK	0x0008	/* VMX: NMI unblocking due to IRET */
#define KVMX_FF_ISV		0x0010	/* arm64: instruction syndrome valid */
#define KVMX_FF_FNV		0x0020	/* arm64: FAR not valid */
#define KVMX_FF_EA		0x0040	/* arm64: external abort type */
#define KVMX_FF_CM		0x0080	/* arm64: cache maintenance */
#define KVMX_FF_VNCR		0x0100	/* arm64: VNCR_EL2 access */
#define KVMX_FF_USER		0x0200	/* user-mode access (SVM US, VMX bit 9) */
#define KVMX_FF_PERM_VALID	0x0400	/* perm below says what stage 2 allowed */
#define KVMX_FF_NO_ACCESS	0x0800	/* VMX misconfig: the access is not reported */
#define KVMX_FF_UNKNOWN_BITS	0x8000	/* reserved syndrome bits were set */

/**
 * struct kvmx_fault_info - a decoded stage-2 fault syndrome
 * @type:	enum kvmx_fault_type
 * @level:	translation level of the fault (-2..3), or KVMX_LEVEL_NONE
 * @access:	KVMX_ACC_* the guest attempted, as far as the syndrome says
 * @perm:	VMX: KVMX_ACC_* the EPT entries allowed (with KVMX_FF_PERM_VALID)
 * @flags:	KVMX_FF_*
 * @sas:	arm64 with ISV: log2 of the access size in bytes
 * @srt:	arm64 with ISV: the transfer register
 * @sse:	arm64 with ISV: sign-extended load
 * @sf:		arm64 with ISV: 64-bit register
 * @ar:		arm64 with ISV: acquire/release semantics
 */
struct kvmx_fault_info {
	__u8 type;
	__s8 level;
	__u8 access;
	__u8 perm;
	__u16 flags;
	__u8 sas;
	__u8 srt;
	bool sse, sf, ar;
};

/*
 * Internal, provisional class of a fault on a GPA with no memslot: which
 * of MMIO_KERNEL, MMIO_USER and UNBACKED it is depends on what KVM did
 * (enum kvmx_fault_outcome), known only after the fault was handled.
 */
#define KVMX_FAULT_NOSLOT	KVMX_FAULT_NR_CLASSES

/* What KVM did with a fault, from its own per-vCPU counters. */
enum kvmx_fault_outcome {
	KVMX_OUTCOME_NONE,		/* no MMIO was completed or forwarded */
	KVMX_OUTCOME_MMIO_KERNEL,	/* an in-kernel device completed it */
	KVMX_OUTCOME_MMIO_USER,		/* KVM_EXIT_MMIO to the VMM */
};

bool kvmx_decode_arm64_abort(__u64 esr, struct kvmx_fault_info *fi);
void kvmx_decode_ept_violation(__u64 qual, struct kvmx_fault_info *fi);
void kvmx_decode_npf(__u64 error_code, struct kvmx_fault_info *fi);
const char *kvmx_fault_type_name(unsigned int type);
void kvmx_decode_ept_misconfig(struct kvmx_fault_info *fi);
bool kvmx_decode_fault(__u32 arch, __u32 raw, __u64 syndrome,
		       struct kvmx_fault_info *fi);
unsigned int kvmx_fault_classify(const struct kvmx_fault_info *fi, bool backed,
				 bool readonly);
unsigned int kvmx_fault_final_class(unsigned int class,
				    enum kvmx_fault_outcome outcome);
const char *kvmx_fault_class_name(unsigned int class);

#endif /* _KVMX_FAULT_DECODE_H */
