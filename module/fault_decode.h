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
#ifndef __KERNEL__
#include <stdbool.h>
#endif

enum kvmx_fault_type {
	KVMX_FT_UNKNOWN = 0,		/* reserved or unrecognized encoding */
	KVMX_FT_TRANSLATION,		/* no valid mapping (arm64), EPT/NPT entry not present */
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

#define KVMX_ACC_READ		0x1
#define KVMX_ACC_WRITE		0x2
#define KVMX_ACC_EXEC		0x4

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

bool kvmx_decode_arm64_abort(__u64 esr, struct kvmx_fault_info *fi);
void kvmx_decode_ept_violation(__u64 qual, struct kvmx_fault_info *fi);
void kvmx_decode_npf(__u64 error_code, struct kvmx_fault_info *fi);
const char *kvmx_fault_type_name(unsigned int type);

#endif /* _KVMX_FAULT_DECODE_H */
