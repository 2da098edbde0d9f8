// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 fault syndrome decoders. References:
 *  - Arm ARM, ESR_EL2 ISS encoding for an exception from a Data Abort or an
 *    Instruction Abort (DFSC/IFSC table, LPA2 and RME encodings included);
 *  - Intel SDM vol. 3, "Exit Qualification for EPT Violations";
 *  - AMD APM vol. 2, "Nested Page Fault (#NPF)" EXITINFO1 error code.
 */
#include "exit_class.h"
#include "fault_decode.h"
#include "syndrome.h"

static const char * const kvmx_fault_type_names[KVMX_FT_NR_TYPES] = {
	[KVMX_FT_UNKNOWN]		= "unknown",
	[KVMX_FT_TRANSLATION]		= "translation",
	[KVMX_FT_ACCESS_FLAG]		= "access_flag",
	[KVMX_FT_PERMISSION]		= "permission",
	[KVMX_FT_ADDRESS_SIZE]		= "address_size",
	[KVMX_FT_EXTERNAL]		= "external_abort",
	[KVMX_FT_ECC]			= "parity_ecc",
	[KVMX_FT_ALIGNMENT]		= "alignment",
	[KVMX_FT_TLB_CONFLICT]		= "tlb_conflict",
	[KVMX_FT_ATOMIC_HW_UPDATE]	= "atomic_hw_update",
	[KVMX_FT_TAG_CHECK]		= "tag_check",
	[KVMX_FT_GRANULE_PROTECTION]	= "granule_protection",
	[KVMX_FT_IMPDEF]		= "impdef",
	[KVMX_FT_RESERVED_BIT]		= "reserved_bit",
};

const char *kvmx_fault_type_name(unsigned int type)
{
	return type < KVMX_FT_NR_TYPES ? kvmx_fault_type_names[type] : "?";
}

static void kvmx_fault_init(struct kvmx_fault_info *fi)
{
	*fi = (struct kvmx_fault_info){ .level = KVMX_LEVEL_NONE };
}

/* DFSC/IFSC: type, level, and whether the walk (not the access) faulted. */
static void kvmx_decode_fsc(unsigned int fsc, bool iabt, struct kvmx_fault_info *fi)
{
	unsigned int lvl = fsc & 3;

	switch (fsc) {
	case 0x00 ... 0x03:
		fi->type = KVMX_FT_ADDRESS_SIZE;
		fi->level = lvl;
		break;
	case 0x29:
		fi->type = KVMX_FT_ADDRESS_SIZE;
		fi->level = -1;
		break;
	case 0x04 ... 0x07:
		fi->type = KVMX_FT_TRANSLATION;
		fi->level = lvl;
		break;
	case 0x2a:
	case 0x2b:
		fi->type = KVMX_FT_TRANSLATION;
		fi->level = fsc == 0x2b ? -1 : -2;
		break;
	case 0x08 ... 0x0b:		/* level 0 with LPA2 only */
		fi->type = KVMX_FT_ACCESS_FLAG;
		fi->level = lvl;
		break;
	case 0x0c ... 0x0f:		/* level 0 with LPA2 only */
		fi->type = KVMX_FT_PERMISSION;
		fi->level = lvl;
		break;
	case 0x10:
		fi->type = KVMX_FT_EXTERNAL;
		break;
	case 0x13 ... 0x17:		/* on the walk, level -1..3 */
		fi->type = KVMX_FT_EXTERNAL;
		fi->level = (int)fsc - 0x14;
		fi->flags |= KVMX_FF_WALK;
		break;
	case 0x18:
		fi->type = KVMX_FT_ECC;
		break;
	case 0x1b ... 0x1f:		/* on the walk, level -1..3 */
		fi->type = KVMX_FT_ECC;
		fi->level = (int)fsc - 0x1c;
		fi->flags |= KVMX_FF_WALK;
		break;
	case 0x23 ... 0x27:		/* on the walk, level -1..3 */
		fi->type = KVMX_FT_GRANULE_PROTECTION;
		fi->level = (int)fsc - 0x24;
		fi->flags |= KVMX_FF_WALK;
		break;
	case 0x28:
		fi->type = KVMX_FT_GRANULE_PROTECTION;
		break;
	case 0x30:
		fi->type = KVMX_FT_TLB_CONFLICT;
		break;
	case 0x34:
	case 0x35:
		fi->type = KVMX_FT_IMPDEF;
		break;
	/* data aborts only */
	case 0x11:
		fi->type = iabt ? KVMX_FT_UNKNOWN : KVMX_FT_TAG_CHECK;
		break;
	case 0x21:
		fi->type = iabt ? KVMX_FT_UNKNOWN : KVMX_FT_ALIGNMENT;
		break;
	case 0x31:
		fi->type = iabt ? KVMX_FT_UNKNOWN : KVMX_FT_ATOMIC_HW_UPDATE;
		break;
	default:
		fi->type = KVMX_FT_UNKNOWN;
		break;
	}
}

/**
 * kvmx_decode_arm64_abort() - decode ESR_EL2 of a stage-2 abort
 * @esr:	ESR_EL2 with EC IABT_LOW or DABT_LOW
 * @fi:		result
 *
 * Return: false (and an unknown @fi) if @esr is not such an abort.
 */
bool kvmx_decode_arm64_abort(__u64 esr, struct kvmx_fault_info *fi)
{
	unsigned int ec = KVMX_ESR_EC(esr);
	bool iabt = ec == KVMX_ESR_EC_IABT_LOW;

	kvmx_fault_init(fi);
	if (ec != KVMX_ESR_EC_IABT_LOW && ec != KVMX_ESR_EC_DABT_LOW)
		return false;

	kvmx_decode_fsc(esr & KVMX_ESR_FSC_MASK, iabt, fi);
	if (esr & KVMX_ESR_FNV)
		fi->flags |= KVMX_FF_FNV;
	if (esr & KVMX_ESR_EA)
		fi->flags |= KVMX_FF_EA;
	/* S1PTW: the fault was on the stage-2 translation of a stage-1 walk */
	if (esr & KVMX_ESR_S1PTW)
		fi->flags |= KVMX_FF_WALK;
	else if (fi->type != KVMX_FT_UNKNOWN && !(fi->flags & KVMX_FF_WALK))
		fi->flags |= KVMX_FF_FINAL;

	if (iabt) {
		fi->access = KVMX_ACC_EXEC;
		/* ISS bits 24:11 and 8 are RES0 for an instruction abort */
		if (esr & (KVMX_ESR_IABT_RES0 | KVMX_ESR_CM))
			fi->flags |= KVMX_FF_UNKNOWN_BITS;
		return true;
	}

	/*
	 * WnR as the syndrome states it. On a stage-1 walk (S1PTW) it is the
	 * walker's access: a descriptor read, or a write for a hardware
	 * access-flag/dirty update. Cache maintenance reports a write.
	 */
	fi->access = esr & KVMX_ESR_WNR ? KVMX_ACC_WRITE : KVMX_ACC_READ;
	if (esr & KVMX_ESR_CM)
		fi->flags |= KVMX_FF_CM;
	if (esr & KVMX_ESR_VNCR)
		fi->flags |= KVMX_FF_VNCR;
	if (esr & KVMX_ESR_ISV) {
		fi->flags |= KVMX_FF_ISV;
		fi->sas = (esr >> KVMX_ESR_SAS_SHIFT) & KVMX_ESR_SAS_MASK;
		fi->sse = !!(esr & KVMX_ESR_SSE);
		fi->srt = (esr >> KVMX_ESR_SRT_SHIFT) & KVMX_ESR_SRT_MASK;
		fi->sf = !!(esr & KVMX_ESR_SF);
		fi->ar = !!(esr & KVMX_ESR_AR);
	}
	return true;
}

/*
 * kvmx_decode_ept_violation() - decode a VMX EPT-violation exit
 * qualification (SDM: bits 0-2 the access, 3-6 what the EPT entries
 * allowed, 7 GLA valid, 8 final translation vs. paging-structure access,
 * 9-11 advanced information, 12 NMI unblocking, 13-16 shadow stack, guest
 * paging verification, asynchronous access; the rest reserved).
 */
void kvmx_decode_ept_violation(__u64 qual, struct kvmx_fault_info *fi)
{
	kvmx_fault_init(fi);
	if (qual & KVMX_EPT_READ)
		fi->access |= KVMX_ACC_READ;
	if (qual & KVMX_EPT_WRITE)
		fi->access |= KVMX_ACC_WRITE;
	if (qual & KVMX_EPT_FETCH)
		fi->access |= KVMX_ACC_EXEC;
	if (qual & KVMX_EPT_READABLE)
		fi->perm |= KVMX_ACC_READ;
	if (qual & KVMX_EPT_WRITABLE)
		fi->perm |= KVMX_ACC_WRITE;
	if (qual & (KVMX_EPT_EXECUTABLE | KVMX_EPT_USER_EXEC))	/* supervisor or user executable */
		fi->perm |= KVMX_ACC_EXEC;
	fi->flags |= KVMX_FF_PERM_VALID;
	/* no permission at all: the entry was not present */
	fi->type = fi->perm ? KVMX_FT_PERMISSION : KVMX_FT_TRANSLATION;

	if (qual & KVMX_EPT_GLA_VALID) {
		fi->flags |= KVMX_FF_GLA_VALID;
		fi->flags |= qual & KVMX_EPT_GLA_FINAL ? KVMX_FF_FINAL : KVMX_FF_WALK;
		if ((qual & KVMX_EPT_GLA_FINAL) && (qual & KVMX_EPT_USER))
			fi->flags |= KVMX_FF_USER;
	} else if (qual & KVMX_EPT_GLA_FINAL) {
		/* bit 8 is reserved when bit 7 is clear */
		fi->flags |= KVMX_FF_UNKNOWN_BITS;
	}
	if (qual & KVMX_EPT_NMI_UNBLOCK)
		fi->flags |= KVMX_FF_NMI_UNBLOCK;
	if (!fi->access || (qual & ~KVMX_EPT_DEFINED))
		fi->flags |= KVMX_FF_UNKNOWN_BITS;
}

/*
 * kvmx_decode_npf() - decode an SVM nested page fault error code (APM: bit
 * 0 P, 1 RW, 2 US, 3 RSV, 4 ID, 5 PK, 6 SS, 31 RMP, 32 final guest
 * physical address, 33 guest page-table walk, 34 ENC, 35 size mismatch,
 * 36 VMPL, 37 supervisor shadow stack; the rest reserved).
 */
void kvmx_decode_npf(__u64 ec, struct kvmx_fault_info *fi)
{
	kvmx_fault_init(fi);
	fi->access = ec & KVMX_NPF_FETCH ? KVMX_ACC_EXEC :
		     ec & KVMX_NPF_WRITE ? KVMX_ACC_WRITE : KVMX_ACC_READ;
	if (ec & KVMX_NPF_RSVD)
		fi->type = KVMX_FT_RESERVED_BIT;
	else
		fi->type = ec & KVMX_NPF_PRESENT ? KVMX_FT_PERMISSION : KVMX_FT_TRANSLATION;
	if (ec & KVMX_NPF_USER)
		fi->flags |= KVMX_FF_USER;

	switch (ec & (KVMX_NPF_GUEST_FINAL | KVMX_NPF_GUEST_PAGE)) {
	case KVMX_NPF_GUEST_FINAL:
		fi->flags |= KVMX_FF_FINAL;
		break;
	case KVMX_NPF_GUEST_PAGE:
		fi->flags |= KVMX_FF_WALK;
		break;
	default:
		/* exactly one of the two is set on a real #NPF */
		fi->flags |= KVMX_FF_UNKNOWN_BITS;
		break;
	}
	if (ec & ~KVMX_NPF_DEFINED)
		fi->flags |= KVMX_FF_UNKNOWN_BITS;
}

/**
 * kvmx_decode_ept_misconfig() - decode a VMX EPT misconfiguration
 * @fi:		result
 *
 * KVM's MMIO SPTEs are deliberately misconfigured EPT entries (reserved
 * bits set), so an access to a GPA KVM already knows has no memslot exits
 * as EPT_MISCONFIG, not as an EPT violation. Its exit qualification is
 * undefined: the access type is not reported (KVMX_FF_NO_ACCESS).
 */
void kvmx_decode_ept_misconfig(struct kvmx_fault_info *fi)
{
	kvmx_fault_init(fi);
	fi->type = KVMX_FT_RESERVED_BIT;
	fi->flags |= KVMX_FF_FINAL | KVMX_FF_NO_ACCESS;
}

/**
 * kvmx_decode_fault() - decode the syndrome of @arch's stage-2 fault
 * @arch:	KVMX_ARCH_*
 * @raw:	the exit's raw reason (VMX: EPT violation or misconfiguration)
 * @syndrome:	arm64 ESR_EL2, VMX exit qualification, SVM EXITINFO1
 * @fi:		result
 *
 * Return: false (and an unknown @fi) for an unknown @arch or, on arm64, a
 * syndrome that is not a stage-2 abort.
 */
bool kvmx_decode_fault(__u32 arch, __u32 raw, __u64 syndrome,
		       struct kvmx_fault_info *fi)
{
	switch (arch) {
	case KVMX_ARCH_ARM64:
		return kvmx_decode_arm64_abort(syndrome, fi);
	case KVMX_ARCH_X86_VMX:
		if ((raw & KVMX_VMX_BASIC_REASON) == KVMX_VMX_EXIT_EPT_MISCONFIG)
			kvmx_decode_ept_misconfig(fi);
		else
			kvmx_decode_ept_violation(syndrome, fi);
		return true;
	case KVMX_ARCH_X86_SVM:
		kvmx_decode_npf(syndrome, fi);
		return true;
	}
	kvmx_fault_init(fi);
	return false;
}

/**
 * kvmx_fault_classify() - the class of a fault, as far as the fault says
 * @fi:		the decoded syndrome
 * @backed:	a memslot covers the GPA
 * @readonly:	that memslot is KVM_MEM_READONLY
 *
 * The guest's own table walk comes first: whatever it touched, the access
 * itself has not happened yet. A write to a read-only memslot is a
 * permission fault even when it is the page's first touch (KVM never maps
 * it writable). Without a memslot the class depends on the outcome:
 * KVMX_FAULT_NOSLOT, for kvmx_fault_final_class().
 */
unsigned int kvmx_fault_classify(const struct kvmx_fault_info *fi, bool backed,
				 bool readonly)
{
	if (fi->flags & KVMX_FF_WALK)
		return KVMX_FAULT_WALK;
	if (!backed)
		return KVMX_FAULT_NOSLOT;
	if (readonly && (fi->access & KVMX_ACC_WRITE))
		return KVMX_FAULT_PERMISSION;
	switch (fi->type) {
	case KVMX_FT_TRANSLATION:
	case KVMX_FT_ACCESS_FLAG:
		return KVMX_FAULT_FIRST_TOUCH;
	case KVMX_FT_PERMISSION:
		return KVMX_FAULT_PERMISSION;
	}
	return KVMX_FAULT_OTHER;
}

/**
 * kvmx_fault_final_class() - the class once KVM handled the fault
 * @class:	from kvmx_fault_classify()
 * @outcome:	what KVM did
 *
 * Only KVMX_FAULT_NOSLOT changes: MMIO completed in the kernel, forwarded
 * to the VMM, or neither (unbacked: KVM injected an abort into the guest
 * or could not emulate the access).
 */
unsigned int kvmx_fault_final_class(unsigned int class,
				    enum kvmx_fault_outcome outcome)
{
	if (class != KVMX_FAULT_NOSLOT)
		return class;
	switch (outcome) {
	case KVMX_OUTCOME_MMIO_KERNEL:
		return KVMX_FAULT_MMIO_KERNEL;
	case KVMX_OUTCOME_MMIO_USER:
		return KVMX_FAULT_MMIO_USER;
	default:
		return KVMX_FAULT_UNBACKED;
	}
}

static const char * const kvmx_fault_class_names[KVMX_FAULT_NR_CLASSES] = {
	[KVMX_FAULT_FIRST_TOUCH]	= "first_touch",
	[KVMX_FAULT_PERMISSION]		= "permission",
	[KVMX_FAULT_MMIO_KERNEL]	= "mmio_kernel",
	[KVMX_FAULT_MMIO_USER]		= "mmio_user",
	[KVMX_FAULT_UNBACKED]		= "unbacked",
	[KVMX_FAULT_WALK]		= "walk",
	[KVMX_FAULT_OTHER]		= "other",
};

const char *kvmx_fault_class_name(unsigned int class)
{
	return class < KVMX_FAULT_NR_CLASSES ? kvmx_fault_class_names[class] : "?";
}
