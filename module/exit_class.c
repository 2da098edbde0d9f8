// SPDX-License-Identifier: GPL-2.0
/*
 * Exit taxonomy tables. The names are the kernel's own: VMX_EXIT_REASONS
 * and SVM_EXIT_REASONS of the x86 uapi headers, the ESR_ELx_EC_* names of
 * arm64's esr.h, where those list a reason. selftests/unit checks the tables
 * against the headers of every supported kernel so that they cannot drift.
 */
#include "exit_class.h"
#include "syndrome.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct kvmx_reason {
	__u8 class;
	const char *name;	/* NULL: not an architected reason */
};

static const char * const kvmx_class_names[KVMX_EXIT_NR_CLASSES] = {
	[KVMX_EXIT_OTHER]	= "other",
	[KVMX_EXIT_STAGE2]	= "stage2",
	[KVMX_EXIT_MMIO]	= "mmio",
	[KVMX_EXIT_PIO]		= "pio",
	[KVMX_EXIT_HALT]	= "halt",
	[KVMX_EXIT_HYPERCALL]	= "hypercall",
	[KVMX_EXIT_SYSREG]	= "sysreg",
	[KVMX_EXIT_CPUID]	= "cpuid",
	[KVMX_EXIT_EXTINT]	= "extint",
	[KVMX_EXIT_EXCEPTION]	= "exception",
	[KVMX_EXIT_IRQ_WINDOW]	= "irq_window",
	[KVMX_EXIT_PAUSE]	= "pause",
	[KVMX_EXIT_FAILURE]	= "failure",
};

const char *kvmx_class_name(unsigned int class)
{
	return class < KVMX_EXIT_NR_CLASSES ? kvmx_class_names[class] : "?";
}

#define R(c, n) { KVMX_EXIT_##c, n }

/* Intel SDM vol. 3, appendix C: VMX basic exit reasons. */
static const struct kvmx_reason kvmx_vmx[] = {
	[0]  = R(EXCEPTION, "EXCEPTION_NMI"),
	[1]  = R(EXTINT, "EXTERNAL_INTERRUPT"),
	[2]  = R(OTHER, "TRIPLE_FAULT"),
	[3]  = R(OTHER, "INIT_SIGNAL"),
	[4]  = R(OTHER, "SIPI_SIGNAL"),
	[7]  = R(IRQ_WINDOW, "INTERRUPT_WINDOW"),
	[8]  = R(IRQ_WINDOW, "NMI_WINDOW"),
	[9]  = R(OTHER, "TASK_SWITCH"),
	[10] = R(CPUID, "CPUID"),
	[12] = R(HALT, "HLT"),
	[13] = R(OTHER, "INVD"),
	[14] = R(OTHER, "INVLPG"),
	[15] = R(OTHER, "RDPMC"),
	[16] = R(OTHER, "RDTSC"),
	[18] = R(HYPERCALL, "VMCALL"),
	[19] = R(OTHER, "VMCLEAR"),
	[20] = R(OTHER, "VMLAUNCH"),
	[21] = R(OTHER, "VMPTRLD"),
	[22] = R(OTHER, "VMPTRST"),
	[23] = R(OTHER, "VMREAD"),
	[24] = R(OTHER, "VMRESUME"),
	[25] = R(OTHER, "VMWRITE"),
	[26] = R(OTHER, "VMOFF"),
	[27] = R(OTHER, "VMON"),
	[28] = R(SYSREG, "CR_ACCESS"),
	[29] = R(SYSREG, "DR_ACCESS"),
	[30] = R(PIO, "IO_INSTRUCTION"),
	[31] = R(SYSREG, "MSR_READ"),
	[32] = R(SYSREG, "MSR_WRITE"),
	[33] = R(FAILURE, "INVALID_STATE"),
	[34] = R(FAILURE, "MSR_LOAD_FAIL"),
	[36] = R(HALT, "MWAIT_INSTRUCTION"),
	[37] = R(OTHER, "MONITOR_TRAP_FLAG"),
	[39] = R(OTHER, "MONITOR_INSTRUCTION"),
	[40] = R(PAUSE, "PAUSE_INSTRUCTION"),
	[41] = R(FAILURE, "MCE_DURING_VMENTRY"),
	[43] = R(OTHER, "TPR_BELOW_THRESHOLD"),
	[44] = R(MMIO, "APIC_ACCESS"),
	[45] = R(OTHER, "EOI_INDUCED"),
	[46] = R(SYSREG, "GDTR_IDTR"),
	[47] = R(SYSREG, "LDTR_TR"),
	[48] = R(STAGE2, "EPT_VIOLATION"),
	[49] = R(STAGE2, "EPT_MISCONFIG"),
	[50] = R(OTHER, "INVEPT"),
	[51] = R(OTHER, "RDTSCP"),
	[52] = R(OTHER, "PREEMPTION_TIMER"),
	[53] = R(OTHER, "INVVPID"),
	[54] = R(OTHER, "WBINVD"),
	[55] = R(SYSREG, "XSETBV"),
	[56] = R(MMIO, "APIC_WRITE"),
	[57] = R(OTHER, "RDRAND"),
	[58] = R(OTHER, "INVPCID"),
	[59] = R(OTHER, "VMFUNC"),
	[60] = R(OTHER, "ENCLS"),
	[61] = R(OTHER, "RDSEED"),
	[62] = R(OTHER, "PML_FULL"),
	[63] = R(OTHER, "XSAVES"),
	[64] = R(OTHER, "XRSTORS"),
	[67] = R(HALT, "UMWAIT"),
	[68] = R(HALT, "TPAUSE"),
	[74] = R(OTHER, "BUS_LOCK"),
	[75] = R(OTHER, "NOTIFY"),
};

/* AMD APM vol. 2, appendix C: SVM exit codes 0x000-0x0a2. */
static const struct kvmx_reason kvmx_svm[] = {
	[0x000] = R(SYSREG, "read_cr0"),
	[0x001] = R(SYSREG, "read_cr1"),
	[0x002] = R(SYSREG, "read_cr2"),
	[0x003] = R(SYSREG, "read_cr3"),
	[0x004] = R(SYSREG, "read_cr4"),
	[0x005] = R(SYSREG, "read_cr5"),
	[0x006] = R(SYSREG, "read_cr6"),
	[0x007] = R(SYSREG, "read_cr7"),
	[0x008] = R(SYSREG, "read_cr8"),
	[0x009] = R(SYSREG, "read_cr9"),
	[0x00a] = R(SYSREG, "read_cr10"),
	[0x00b] = R(SYSREG, "read_cr11"),
	[0x00c] = R(SYSREG, "read_cr12"),
	[0x00d] = R(SYSREG, "read_cr13"),
	[0x00e] = R(SYSREG, "read_cr14"),
	[0x00f] = R(SYSREG, "read_cr15"),
	[0x010] = R(SYSREG, "write_cr0"),
	[0x011] = R(SYSREG, "write_cr1"),
	[0x012] = R(SYSREG, "write_cr2"),
	[0x013] = R(SYSREG, "write_cr3"),
	[0x014] = R(SYSREG, "write_cr4"),
	[0x015] = R(SYSREG, "write_cr5"),
	[0x016] = R(SYSREG, "write_cr6"),
	[0x017] = R(SYSREG, "write_cr7"),
	[0x018] = R(SYSREG, "write_cr8"),
	[0x019] = R(SYSREG, "write_cr9"),
	[0x01a] = R(SYSREG, "write_cr10"),
	[0x01b] = R(SYSREG, "write_cr11"),
	[0x01c] = R(SYSREG, "write_cr12"),
	[0x01d] = R(SYSREG, "write_cr13"),
	[0x01e] = R(SYSREG, "write_cr14"),
	[0x01f] = R(SYSREG, "write_cr15"),
	[0x020] = R(SYSREG, "read_dr0"),
	[0x021] = R(SYSREG, "read_dr1"),
	[0x022] = R(SYSREG, "read_dr2"),
	[0x023] = R(SYSREG, "read_dr3"),
	[0x024] = R(SYSREG, "read_dr4"),
	[0x025] = R(SYSREG, "read_dr5"),
	[0x026] = R(SYSREG, "read_dr6"),
	[0x027] = R(SYSREG, "read_dr7"),
	[0x028] = R(SYSREG, "read_dr8"),
	[0x029] = R(SYSREG, "read_dr9"),
	[0x02a] = R(SYSREG, "read_dr10"),
	[0x02b] = R(SYSREG, "read_dr11"),
	[0x02c] = R(SYSREG, "read_dr12"),
	[0x02d] = R(SYSREG, "read_dr13"),
	[0x02e] = R(SYSREG, "read_dr14"),
	[0x02f] = R(SYSREG, "read_dr15"),
	[0x030] = R(SYSREG, "write_dr0"),
	[0x031] = R(SYSREG, "write_dr1"),
	[0x032] = R(SYSREG, "write_dr2"),
	[0x033] = R(SYSREG, "write_dr3"),
	[0x034] = R(SYSREG, "write_dr4"),
	[0x035] = R(SYSREG, "write_dr5"),
	[0x036] = R(SYSREG, "write_dr6"),
	[0x037] = R(SYSREG, "write_dr7"),
	[0x038] = R(SYSREG, "write_dr8"),
	[0x039] = R(SYSREG, "write_dr9"),
	[0x03a] = R(SYSREG, "write_dr10"),
	[0x03b] = R(SYSREG, "write_dr11"),
	[0x03c] = R(SYSREG, "write_dr12"),
	[0x03d] = R(SYSREG, "write_dr13"),
	[0x03e] = R(SYSREG, "write_dr14"),
	[0x03f] = R(SYSREG, "write_dr15"),
	/* 0x040 + vector: an intercepted guest exception */
	[0x040] = R(EXCEPTION, "DE excp"),
	[0x041] = R(EXCEPTION, "DB excp"),
	[0x042] = R(EXCEPTION, "NMI excp"),
	[0x043] = R(EXCEPTION, "BP excp"),
	[0x044] = R(EXCEPTION, "OF excp"),
	[0x045] = R(EXCEPTION, "BR excp"),
	[0x046] = R(EXCEPTION, "UD excp"),
	[0x047] = R(EXCEPTION, "NM excp"),
	[0x048] = R(EXCEPTION, "DF excp"),
	[0x049] = R(EXCEPTION, "CSO excp"),
	[0x04a] = R(EXCEPTION, "TS excp"),
	[0x04b] = R(EXCEPTION, "NP excp"),
	[0x04c] = R(EXCEPTION, "SS excp"),
	[0x04d] = R(EXCEPTION, "GP excp"),
	[0x04e] = R(EXCEPTION, "PF excp"),
	[0x04f] = R(EXCEPTION, "15 excp"),
	[0x050] = R(EXCEPTION, "MF excp"),
	[0x051] = R(EXCEPTION, "AC excp"),
	[0x052] = R(EXCEPTION, "MC excp"),
	[0x053] = R(EXCEPTION, "XF excp"),
	[0x054] = R(EXCEPTION, "VE excp"),
	[0x055] = R(EXCEPTION, "CP excp"),
	[0x056] = R(EXCEPTION, "22 excp"),
	[0x057] = R(EXCEPTION, "23 excp"),
	[0x058] = R(EXCEPTION, "24 excp"),
	[0x059] = R(EXCEPTION, "25 excp"),
	[0x05a] = R(EXCEPTION, "26 excp"),
	[0x05b] = R(EXCEPTION, "27 excp"),
	[0x05c] = R(EXCEPTION, "HV excp"),
	[0x05d] = R(EXCEPTION, "VC excp"),
	[0x05e] = R(EXCEPTION, "SX excp"),
	[0x05f] = R(EXCEPTION, "31 excp"),
	[0x060] = R(EXTINT, "interrupt"),
	[0x061] = R(EXCEPTION, "nmi"),
	[0x062] = R(OTHER, "smi"),
	[0x063] = R(OTHER, "init"),
	[0x064] = R(IRQ_WINDOW, "vintr"),
	[0x065] = R(SYSREG, "cr0_sel_write"),
	[0x066] = R(SYSREG, "read_idtr"),
	[0x067] = R(SYSREG, "read_gdtr"),
	[0x068] = R(SYSREG, "read_ldtr"),
	[0x069] = R(SYSREG, "read_rt"),
	[0x06a] = R(SYSREG, "write_idtr"),
	[0x06b] = R(SYSREG, "write_gdtr"),
	[0x06c] = R(SYSREG, "write_ldtr"),
	[0x06d] = R(SYSREG, "write_rt"),
	[0x06e] = R(OTHER, "rdtsc"),
	[0x06f] = R(OTHER, "rdpmc"),
	[0x070] = R(OTHER, "pushf"),
	[0x071] = R(OTHER, "popf"),
	[0x072] = R(CPUID, "cpuid"),
	[0x073] = R(OTHER, "rsm"),
	[0x074] = R(IRQ_WINDOW, "iret"),
	[0x075] = R(OTHER, "swint"),
	[0x076] = R(OTHER, "invd"),
	[0x077] = R(PAUSE, "pause"),
	[0x078] = R(HALT, "hlt"),
	[0x079] = R(OTHER, "invlpg"),
	[0x07a] = R(OTHER, "invlpga"),
	[0x07b] = R(PIO, "io"),
	[0x07c] = R(SYSREG, "msr"),
	[0x07d] = R(OTHER, "task_switch"),
	[0x07e] = R(OTHER, "ferr_freeze"),
	[0x07f] = R(OTHER, "shutdown"),
	[0x080] = R(OTHER, "vmrun"),
	[0x081] = R(HYPERCALL, "hypercall"),
	[0x082] = R(OTHER, "vmload"),
	[0x083] = R(OTHER, "vmsave"),
	[0x084] = R(OTHER, "stgi"),
	[0x085] = R(OTHER, "clgi"),
	[0x086] = R(OTHER, "skinit"),
	[0x087] = R(OTHER, "rdtscp"),
	[0x088] = R(EXCEPTION, "icebp"),
	[0x089] = R(OTHER, "wbinvd"),
	[0x08a] = R(OTHER, "monitor"),
	[0x08b] = R(HALT, "mwait"),
	[0x08c] = R(HALT, "mwait_cond"),
	[0x08d] = R(SYSREG, "xsetbv"),
	[0x08e] = R(OTHER, "rdpru"),
	[0x08f] = R(SYSREG, "write_efer_trap"),
	[0x090] = R(SYSREG, "write_cr0_trap"),
	[0x091] = R(SYSREG, "cr1_write_trap"),
	[0x092] = R(SYSREG, "cr2_write_trap"),
	[0x093] = R(SYSREG, "cr3_write_trap"),
	[0x094] = R(SYSREG, "write_cr4_trap"),
	[0x095] = R(SYSREG, "cr5_write_trap"),
	[0x096] = R(SYSREG, "cr6_write_trap"),
	[0x097] = R(SYSREG, "cr7_write_trap"),
	[0x098] = R(SYSREG, "write_cr8_trap"),
	[0x099] = R(SYSREG, "cr9_write_trap"),
	[0x09a] = R(SYSREG, "cr10_write_trap"),
	[0x09b] = R(SYSREG, "cr11_write_trap"),
	[0x09c] = R(SYSREG, "cr12_write_trap"),
	[0x09d] = R(SYSREG, "cr13_write_trap"),
	[0x09e] = R(SYSREG, "cr14_write_trap"),
	[0x09f] = R(SYSREG, "cr15_write_trap"),
	[0x0a2] = R(OTHER, "invpcid"),
};

/* SVM exit codes 0x400-0x403 */
static const struct kvmx_reason kvmx_svm_hi[] = {
	[0] = R(STAGE2, "npf"),
	[1] = R(OTHER, "avic_incomplete_ipi"),
	[2] = R(MMIO, "avic_unaccelerated_access"),
	[3] = R(HYPERCALL, "vmgexit"),
};

static const struct kvmx_reason kvmx_svm_err = R(FAILURE, "err");

/* Arm ARM D19.2 (ESR_EL2): exception classes, named as in asm/esr.h. */
static const struct kvmx_reason kvmx_arm64_ec[KVMX_ESR_EC_MAX + 1] = {
	[KVMX_ESR_EC_UNKNOWN] = R(OTHER, "UNKNOWN"),
	[KVMX_ESR_EC_WFx] = R(HALT, "WFx"),
	[KVMX_ESR_EC_CP15_32] = R(SYSREG, "CP15_32"),
	[KVMX_ESR_EC_CP15_64] = R(SYSREG, "CP15_64"),
	[KVMX_ESR_EC_CP14_MR] = R(SYSREG, "CP14_MR"),
	[KVMX_ESR_EC_CP14_LS] = R(SYSREG, "CP14_LS"),
	[KVMX_ESR_EC_FP_ASIMD] = R(OTHER, "FP_ASIMD"),
	[KVMX_ESR_EC_CP10_ID] = R(SYSREG, "CP10_ID"),
	[KVMX_ESR_EC_PAC] = R(OTHER, "PAC"),
	[KVMX_ESR_EC_CP14_64] = R(SYSREG, "CP14_64"),
	[KVMX_ESR_EC_BTI] = R(EXCEPTION, "BTI"),
	[KVMX_ESR_EC_ILL] = R(EXCEPTION, "ILL"),
	[KVMX_ESR_EC_SVC32] = R(EXCEPTION, "SVC32"),
	[KVMX_ESR_EC_HVC32] = R(HYPERCALL, "HVC32"),
	[KVMX_ESR_EC_SMC32] = R(HYPERCALL, "SMC32"),
	[KVMX_ESR_EC_SVC64] = R(EXCEPTION, "SVC64"),
	[KVMX_ESR_EC_HVC64] = R(HYPERCALL, "HVC64"),
	[KVMX_ESR_EC_SMC64] = R(HYPERCALL, "SMC64"),
	[KVMX_ESR_EC_SYS64] = R(SYSREG, "SYS64"),
	[KVMX_ESR_EC_SVE] = R(OTHER, "SVE"),
	[KVMX_ESR_EC_ERET] = R(OTHER, "ERET"),
	[KVMX_ESR_EC_FPAC] = R(EXCEPTION, "FPAC"),
	[KVMX_ESR_EC_SME] = R(OTHER, "SME"),
	[KVMX_ESR_EC_IMP_DEF] = R(OTHER, "IMP_DEF"),
	[KVMX_ESR_EC_IABT_LOW] = R(STAGE2, "IABT_LOW"),
	[KVMX_ESR_EC_IABT_CUR] = R(EXCEPTION, "IABT_CUR"),
	[KVMX_ESR_EC_PC_ALIGN] = R(EXCEPTION, "PC_ALIGN"),
	[KVMX_ESR_EC_DABT_LOW] = R(STAGE2, "DABT_LOW"),
	[KVMX_ESR_EC_DABT_CUR] = R(EXCEPTION, "DABT_CUR"),
	[KVMX_ESR_EC_SP_ALIGN] = R(EXCEPTION, "SP_ALIGN"),
	[KVMX_ESR_EC_MOPS] = R(EXCEPTION, "MOPS"),
	[KVMX_ESR_EC_FP_EXC32] = R(EXCEPTION, "FP_EXC32"),
	[KVMX_ESR_EC_FP_EXC64] = R(EXCEPTION, "FP_EXC64"),
	[KVMX_ESR_EC_SERROR] = R(EXCEPTION, "SERROR"),
	[KVMX_ESR_EC_BREAKPT_LOW] = R(EXCEPTION, "BREAKPT_LOW"),
	[KVMX_ESR_EC_BREAKPT_CUR] = R(EXCEPTION, "BREAKPT_CUR"),
	[KVMX_ESR_EC_SOFTSTP_LOW] = R(EXCEPTION, "SOFTSTP_LOW"),
	[KVMX_ESR_EC_SOFTSTP_CUR] = R(EXCEPTION, "SOFTSTP_CUR"),
	[KVMX_ESR_EC_WATCHPT_LOW] = R(EXCEPTION, "WATCHPT_LOW"),
	[KVMX_ESR_EC_WATCHPT_CUR] = R(EXCEPTION, "WATCHPT_CUR"),
	[KVMX_ESR_EC_BKPT32] = R(EXCEPTION, "BKPT32"),
	[KVMX_ESR_EC_VECTOR32] = R(EXCEPTION, "VECTOR32"),
	[KVMX_ESR_EC_BRK64] = R(EXCEPTION, "BRK64"),
};

/* arm64 exits other than traps, named after ARM_EXCEPTION_* */
static const struct kvmx_reason kvmx_arm64_exc[] = {
	[0] = R(EXTINT, "IRQ"),
	[1] = R(EXCEPTION, "EL1_SERROR"),
	[3] = R(FAILURE, "IL"),
};

static const struct kvmx_reason kvmx_arm64_hyp_gone = R(FAILURE, "HYP_GONE");

#undef R

/*
 * Raw reason -> dense slot:
 *   VMX:   basic reason (< 128), + 128 with the VM-entry failure bit (the
 *          other flag bits of the full exit reason are not kept);
 *   SVM:   code 0x000-0x0a2 as is, 0x400-0x403 at 0xa3, SVM_EXIT_ERR at 0xa7;
 *   arm64: EC 0-63 as is, KVMX_ARM64_EXIT_BASE + n at 64 + n (n < 4),
 *          HYP_GONE at 68.
 * Anything else is KVMX_RAW_SLOT_UNKNOWN.
 */
#define SVM_SLOT_HI	ARRAY_LEN(kvmx_svm)
#define SVM_SLOT_ERR	(SVM_SLOT_HI + ARRAY_LEN(kvmx_svm_hi))
#define ARM64_SLOT_EXC	64
#define ARM64_SLOT_GONE	(ARM64_SLOT_EXC + 4)

static const struct kvmx_reason *kvmx_reason(__u32 arch, __u32 raw)
{
	switch (arch) {
	case KVMX_ARCH_X86_VMX:
		raw &= KVMX_VMX_BASIC_REASON;
		return raw < ARRAY_LEN(kvmx_vmx) ? &kvmx_vmx[raw] : NULL;
	case KVMX_ARCH_X86_SVM:
		if (raw < ARRAY_LEN(kvmx_svm))
			return &kvmx_svm[raw];
		if (raw - KVMX_SVM_EXIT_NPF < ARRAY_LEN(kvmx_svm_hi))
			return &kvmx_svm_hi[raw - KVMX_SVM_EXIT_NPF];
		return raw == KVMX_SVM_EXIT_ERR ? &kvmx_svm_err : NULL;
	case KVMX_ARCH_ARM64:
		if (raw < ARRAY_LEN(kvmx_arm64_ec))
			return &kvmx_arm64_ec[raw];
		if (raw - KVMX_ARM64_EXIT_BASE < ARRAY_LEN(kvmx_arm64_exc))
			return &kvmx_arm64_exc[raw - KVMX_ARM64_EXIT_BASE];
		return raw == KVMX_ARM64_EXIT_HYP_GONE ? &kvmx_arm64_hyp_gone : NULL;
	}
	return NULL;
}

/**
 * kvmx_exit_class() - the class of a raw exit reason
 * @arch:	KVMX_ARCH_*
 * @raw:	raw reason
 *
 * Stage-2 faults (EPT_VIOLATION, npf, IABT_LOW, DABT_LOW) come back as
 * KVMX_EXIT_STAGE2; the caller makes them KVMX_EXIT_MMIO when no memslot
 * backs the address. A VMX VM-entry failure is KVMX_EXIT_FAILURE whatever
 * its basic reason. Unknown reasons are KVMX_EXIT_OTHER.
 *
 * Return: an enum kvmx_exit_class value.
 */
unsigned int kvmx_exit_class(__u32 arch, __u32 raw)
{
	const struct kvmx_reason *r;

	if (arch == KVMX_ARCH_X86_VMX && (raw & KVMX_VMX_FAILED_VMENTRY))
		return KVMX_EXIT_FAILURE;
	r = kvmx_reason(arch, raw);
	return r && r->name ? r->class : KVMX_EXIT_OTHER;
}

/* The name of a raw reason, or NULL if it is not an architected one. */
const char *kvmx_raw_name(__u32 arch, __u32 raw)
{
	const struct kvmx_reason *r = kvmx_reason(arch, raw);

	return r ? r->name : NULL;
}

/*
 * Does the exit come with the guest-physical address: SVM's NPF (EXITINFO2),
 * arm64's aborts (HPFAR_EL2), VMX's EPT violation and misconfiguration
 * (the VMCS's GUEST_PHYSICAL_ADDRESS)?
 */
bool kvmx_exit_has_gpa(__u32 arch, __u32 raw)
{
	switch (arch) {
	case KVMX_ARCH_X86_VMX:
		if (raw & KVMX_VMX_FAILED_VMENTRY)
			return false;
		raw &= KVMX_VMX_BASIC_REASON;
		return raw == KVMX_VMX_EXIT_EPT_VIOLATION || raw == KVMX_VMX_EXIT_EPT_MISCONFIG;
	case KVMX_ARCH_X86_SVM:
		return raw == KVMX_SVM_EXIT_NPF;
	case KVMX_ARCH_ARM64:
		return raw == KVMX_ESR_EC_IABT_LOW || raw == KVMX_ESR_EC_DABT_LOW;
	}
	return false;
}

unsigned int kvmx_raw_slot(__u32 arch, __u32 raw)
{
	switch (arch) {
	case KVMX_ARCH_X86_VMX:
		if ((raw & KVMX_VMX_BASIC_REASON) < 128)
			return (raw & 127) + (raw & KVMX_VMX_FAILED_VMENTRY ? 128 : 0);
		break;
	case KVMX_ARCH_X86_SVM:
		if (raw < ARRAY_LEN(kvmx_svm))
			return raw;
		if (raw - KVMX_SVM_EXIT_NPF < ARRAY_LEN(kvmx_svm_hi))
			return SVM_SLOT_HI + raw - KVMX_SVM_EXIT_NPF;
		if (raw == KVMX_SVM_EXIT_ERR)
			return SVM_SLOT_ERR;
		break;
	case KVMX_ARCH_ARM64:
		if (raw < ARM64_SLOT_EXC)
			return raw;
		if (raw - KVMX_ARM64_EXIT_BASE < 4)
			return ARM64_SLOT_EXC + raw - KVMX_ARM64_EXIT_BASE;
		if (raw == KVMX_ARM64_EXIT_HYP_GONE)
			return ARM64_SLOT_GONE;
		break;
	}
	return KVMX_RAW_SLOT_UNKNOWN;
}

/* The inverse of kvmx_raw_slot(); false for an unused slot. */
bool kvmx_slot_raw(__u32 arch, unsigned int slot, __u32 *raw)
{
	switch (arch) {
	case KVMX_ARCH_X86_VMX:
		if (slot >= 256 || slot == KVMX_RAW_SLOT_UNKNOWN)
			return false;
		*raw = (slot & 127) | (slot >= 128 ? KVMX_VMX_FAILED_VMENTRY : 0);
		return true;
	case KVMX_ARCH_X86_SVM:
		if (slot < SVM_SLOT_HI)
			*raw = slot;
		else if (slot < SVM_SLOT_ERR)
			*raw = KVMX_SVM_EXIT_NPF + slot - SVM_SLOT_HI;
		else if (slot == SVM_SLOT_ERR)
			*raw = KVMX_SVM_EXIT_ERR;
		else
			return false;
		return true;
	case KVMX_ARCH_ARM64:
		if (slot < ARM64_SLOT_EXC)
			*raw = slot;
		else if (slot < ARM64_SLOT_GONE)
			*raw = KVMX_ARM64_EXIT_BASE + slot - ARM64_SLOT_EXC;
		else if (slot == ARM64_SLOT_GONE)
			*raw = KVMX_ARM64_EXIT_HYP_GONE;
		else
			return false;
		return true;
	}
	return false;
}
