/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fields of the three stage-2 fault syndromes kvmx decodes, and the
 * arm64 exception classes, by name: shared by fault_decode.c,
 * exit_class.c and the host unit tests (arch-neutral: the decoders run on
 * every arch kvmx builds for, and on the build host). Names follow
 * arch/arm64/include/asm/esr.h, arch/x86/include/asm/vmx.h and KVM's
 * PFERR_* for the same fields.
 *  - Arm ARM D19.2, ESR_EL2; the ISS encoding for an exception from a Data
 *    Abort or an Instruction Abort;
 *  - Intel SDM vol. 3, "Exit Qualification for EPT Violations";
 *  - AMD APM vol. 2, "Nested Page Fault (#NPF)", EXITINFO1.
 */
#ifndef _KVMX_SYNDROME_H
#define _KVMX_SYNDROME_H

#define KVMX_BIT64(n)		(1ull << (n))

/* ESR_EL2 */
#define KVMX_ESR_EC_SHIFT	26
#define KVMX_ESR_EC_MASK	0x3full
#define KVMX_ESR_EC(esr)	(((esr) >> KVMX_ESR_EC_SHIFT) & KVMX_ESR_EC_MASK)
#define KVMX_ESR_IL		KVMX_BIT64(25)

/* exception classes (ESR_ELx_EC_*) */
#define KVMX_ESR_EC_UNKNOWN	0x00
#define KVMX_ESR_EC_WFx		0x01
#define KVMX_ESR_EC_CP15_32	0x03
#define KVMX_ESR_EC_CP15_64	0x04
#define KVMX_ESR_EC_CP14_MR	0x05
#define KVMX_ESR_EC_CP14_LS	0x06
#define KVMX_ESR_EC_FP_ASIMD	0x07
#define KVMX_ESR_EC_CP10_ID	0x08
#define KVMX_ESR_EC_PAC		0x09
#define KVMX_ESR_EC_CP14_64	0x0c
#define KVMX_ESR_EC_BTI		0x0d
#define KVMX_ESR_EC_ILL		0x0e
#define KVMX_ESR_EC_SVC32	0x11
#define KVMX_ESR_EC_HVC32	0x12
#define KVMX_ESR_EC_SMC32	0x13
#define KVMX_ESR_EC_SVC64	0x15
#define KVMX_ESR_EC_HVC64	0x16
#define KVMX_ESR_EC_SMC64	0x17
#define KVMX_ESR_EC_SYS64	0x18
#define KVMX_ESR_EC_SVE		0x19
#define KVMX_ESR_EC_ERET	0x1a
#define KVMX_ESR_EC_FPAC	0x1c
#define KVMX_ESR_EC_SME		0x1d
#define KVMX_ESR_EC_IMP_DEF	0x1f
#define KVMX_ESR_EC_IABT_LOW	0x20
#define KVMX_ESR_EC_IABT_CUR	0x21
#define KVMX_ESR_EC_PC_ALIGN	0x22
#define KVMX_ESR_EC_DABT_LOW	0x24
#define KVMX_ESR_EC_DABT_CUR	0x25
#define KVMX_ESR_EC_SP_ALIGN	0x26
#define KVMX_ESR_EC_MOPS	0x27
#define KVMX_ESR_EC_FP_EXC32	0x28
#define KVMX_ESR_EC_FP_EXC64	0x2c
#define KVMX_ESR_EC_SERROR	0x2f
#define KVMX_ESR_EC_BREAKPT_LOW	0x30
#define KVMX_ESR_EC_BREAKPT_CUR	0x31
#define KVMX_ESR_EC_SOFTSTP_LOW	0x32
#define KVMX_ESR_EC_SOFTSTP_CUR	0x33
#define KVMX_ESR_EC_WATCHPT_LOW	0x34
#define KVMX_ESR_EC_WATCHPT_CUR	0x35
#define KVMX_ESR_EC_BKPT32	0x38
#define KVMX_ESR_EC_VECTOR32	0x3a
#define KVMX_ESR_EC_BRK64	0x3c
#define KVMX_ESR_EC_MAX		0x3f

/* the ISS of a data or instruction abort */
#define KVMX_ESR_ISV		KVMX_BIT64(24)
#define KVMX_ESR_SAS_SHIFT	22
#define KVMX_ESR_SAS_MASK	0x3ull
#define KVMX_ESR_SSE		KVMX_BIT64(21)
#define KVMX_ESR_SRT_SHIFT	16
#define KVMX_ESR_SRT_MASK	0x1full
#define KVMX_ESR_SF		KVMX_BIT64(15)
#define KVMX_ESR_AR		KVMX_BIT64(14)
#define KVMX_ESR_VNCR		KVMX_BIT64(13)
#define KVMX_ESR_FNV		KVMX_BIT64(10)
#define KVMX_ESR_EA		KVMX_BIT64(9)
#define KVMX_ESR_CM		KVMX_BIT64(8)
#define KVMX_ESR_S1PTW		KVMX_BIT64(7)
#define KVMX_ESR_WNR		KVMX_BIT64(6)
#define KVMX_ESR_FSC_MASK	0x3full
/* ISS bits 24:11 of an instruction abort: RES0 (8 is too, CM's place) */
#define KVMX_ESR_IABT_RES0	0x1fff800ull

/* VMX EPT violation exit qualification */
#define KVMX_EPT_READ		KVMX_BIT64(0)
#define KVMX_EPT_WRITE		KVMX_BIT64(1)
#define KVMX_EPT_FETCH		KVMX_BIT64(2)
#define KVMX_EPT_READABLE	KVMX_BIT64(3)
#define KVMX_EPT_WRITABLE	KVMX_BIT64(4)
#define KVMX_EPT_EXECUTABLE	KVMX_BIT64(5)	/* supervisor-mode, with MBEC */
#define KVMX_EPT_USER_EXEC	KVMX_BIT64(6)	/* user-mode, with MBEC */
#define KVMX_EPT_GLA_VALID	KVMX_BIT64(7)
#define KVMX_EPT_GLA_FINAL	KVMX_BIT64(8)	/* reserved without GLA_VALID */
#define KVMX_EPT_USER		KVMX_BIT64(9)	/* advanced information */
#define KVMX_EPT_NMI_UNBLOCK	KVMX_BIT64(12)
#define KVMX_EPT_DEFINED	0x1ffffull	/* bits 0-16; the rest reserved */

/* SVM NPF error code (EXITINFO1) */
#define KVMX_NPF_PRESENT	KVMX_BIT64(0)
#define KVMX_NPF_WRITE		KVMX_BIT64(1)
#define KVMX_NPF_USER		KVMX_BIT64(2)
#define KVMX_NPF_RSVD		KVMX_BIT64(3)
#define KVMX_NPF_FETCH		KVMX_BIT64(4)
#define KVMX_NPF_RMP		KVMX_BIT64(31)
#define KVMX_NPF_GUEST_FINAL	KVMX_BIT64(32)
#define KVMX_NPF_GUEST_PAGE	KVMX_BIT64(33)	/* on the guest's page-table walk */
/* bits 0-6 (P, RW, US, RSV, ID, PK, SS), 31 (RMP), 32-37 */
#define KVMX_NPF_DEFINED	(0x7full | KVMX_NPF_RMP | (0x3full << 32))

#endif /* _KVMX_SYNDROME_H */
