// SPDX-License-Identifier: GPL-2.0
/*
 * The exit taxonomy tables (module/exit_class.c) against a kernel's own
 * headers, so they cannot drift: built once per supported kernel source.
 *  - every reason VMX_EXIT_REASONS / SVM_EXIT_REASONS name has our name;
 *  - every EXIT_REASON_*, SVM_EXIT_*, ESR_ELx_EC_* the kernel defines is in
 *    our tables (kernel_reasons.h is generated from the headers);
 *  - no VMX basic reason or ESR EC of ours is unknown to the newest kernel;
 *  - raw reason <-> counter slot is a bijection on every named reason;
 *  - unknown and reserved values decode as unknown, never as something else.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "exit_class.h"
#include "syndrome.h"
#include "kselftest_harness.h"

/* x86 exception vectors (SDM vol. 3, 6.3.1), used by SVM_EXIT_REASONS */
enum { DE_VECTOR = 0, DB_VECTOR = 1, BP_VECTOR = 3, OF_VECTOR = 4, BR_VECTOR = 5,
	UD_VECTOR = 6, NM_VECTOR = 7, DF_VECTOR = 8, TS_VECTOR = 10, NP_VECTOR = 11,
	SS_VECTOR = 12, GP_VECTOR = 13, PF_VECTOR = 14, MF_VECTOR = 16, AC_VECTOR = 17,
	MC_VECTOR = 18, XM_VECTOR = 19 };

/* The kernel's uapi headers of the tree under test, by path. */
#include KSRC_VMX_H
#include KSRC_SVM_H

struct kernel_reason {
	uint64_t code;
	const char *name;
};

#include "kernel_reasons.h"

static const struct kernel_reason vmx_listed[] = { VMX_EXIT_REASONS };
static const struct kernel_reason svm_listed[] = { SVM_EXIT_REASONS };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void upper(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? src[i] - 32 : src[i];
	dst[i] = 0;
}

TEST(vmx_names_match_kernel)
{
	for (size_t i = 0; i < N(vmx_listed); i++) {
		const char *ours = kvmx_raw_name(KVMX_ARCH_X86_VMX, vmx_listed[i].code);

		ASSERT_NE(NULL, ours) TH_LOG("VMX %lu missing", (unsigned long)vmx_listed[i].code);
		EXPECT_STREQ(vmx_listed[i].name, ours);
	}
}

/*
 * Every code the kernel defines has our name for it; returns how many raw
 * values below @limit we name at all.
 */
static unsigned int defs_named(struct __test_metadata *_metadata, __u32 arch,
			       const struct kernel_reason *defs, size_t n, __u32 limit)
{
	unsigned int named = 0;

	for (size_t i = 0; i < n; i++) {
		const char *ours = kvmx_raw_name(arch, defs[i].code);

		EXPECT_NE(NULL, ours) TH_LOG("%s (0x%lx) missing", defs[i].name,
					     (unsigned long)defs[i].code);
		if (ours)
			EXPECT_STREQ(defs[i].name, ours);
	}
	for (__u32 r = 0; r < limit; r++)
		named += !!kvmx_raw_name(arch, r);
	return named;
}

TEST(vmx_defines_covered_and_nothing_invented)
{
	EXPECT_EQ(N(kernel_vmx_defs), defs_named(_metadata, KVMX_ARCH_X86_VMX, kernel_vmx_defs,
						 N(kernel_vmx_defs), 0x10000));
}

TEST(svm_names_match_kernel)
{
	for (size_t i = 0; i < N(svm_listed); i++) {
		/* the list also names VMGEXIT sub-codes, which are not exit codes */
		if (svm_listed[i].code >= 0x80000000ull)
			continue;
		const char *ours = kvmx_raw_name(KVMX_ARCH_X86_SVM, svm_listed[i].code);

		ASSERT_NE(NULL, ours)
			TH_LOG("SVM 0x%lx missing", (unsigned long)svm_listed[i].code);
		EXPECT_STREQ(svm_listed[i].name, ours);
	}
}

TEST(svm_defines_covered)
{
	char a[64], b[64];

	for (size_t i = 0; i < N(kernel_svm_defs); i++) {
		const char *ours = kvmx_raw_name(KVMX_ARCH_X86_SVM, kernel_svm_defs[i].code);

		ASSERT_NE(NULL, ours) TH_LOG("SVM_EXIT_%s", kernel_svm_defs[i].name);
		/* names not in SVM_EXIT_REASONS follow the macro name */
		int listed = 0;

		for (size_t j = 0; j < N(svm_listed); j++)
			listed |= svm_listed[j].code == kernel_svm_defs[i].code;
		if (!listed) {
			upper(a, ours, sizeof(a));
			upper(b, kernel_svm_defs[i].name, sizeof(b));
			EXPECT_STREQ(b, a);
		}
	}
	EXPECT_STREQ("err", kvmx_raw_name(KVMX_ARCH_X86_SVM, (uint32_t)SVM_EXIT_ERR));
	EXPECT_EQ(KVMX_EXIT_FAILURE, kvmx_exit_class(KVMX_ARCH_X86_SVM, (uint32_t)SVM_EXIT_ERR));
}

TEST(esr_ec_defines_match)
{
	unsigned int named = defs_named(_metadata, KVMX_ARCH_ARM64, kernel_esr_ec_defs,
					N(kernel_esr_ec_defs), 64);

	/* older kernels may lack an EC; none may be ours alone in the newest */
	EXPECT_GE(named, N(kernel_esr_ec_defs));
#ifdef KSRC_NEWEST
	EXPECT_EQ(N(kernel_esr_ec_defs), named);
#endif
}

/* A few exits every arch has, classified as the taxonomy says. */
TEST(classes)
{
	EXPECT_EQ(KVMX_EXIT_PIO, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_IOIO));
	EXPECT_EQ(KVMX_EXIT_CPUID, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_CPUID));
	EXPECT_EQ(KVMX_EXIT_HALT, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_HLT));
	EXPECT_EQ(KVMX_EXIT_HYPERCALL, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_VMMCALL));
	EXPECT_EQ(KVMX_EXIT_SYSREG, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_MSR));
	EXPECT_EQ(KVMX_EXIT_STAGE2, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_NPF));
	EXPECT_EQ(KVMX_EXIT_EXTINT, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_INTR));
	EXPECT_EQ(KVMX_EXIT_IRQ_WINDOW, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_VINTR));
	EXPECT_EQ(KVMX_EXIT_PAUSE, kvmx_exit_class(KVMX_ARCH_X86_SVM, SVM_EXIT_PAUSE));
	EXPECT_EQ(KVMX_EXIT_EXCEPTION, kvmx_exit_class(KVMX_ARCH_X86_SVM,
						       SVM_EXIT_EXCP_BASE + UD_VECTOR));

	EXPECT_EQ(KVMX_EXIT_PIO, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_EQ(KVMX_EXIT_CPUID, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_CPUID));
	EXPECT_EQ(KVMX_EXIT_HALT, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_HLT));
	EXPECT_EQ(KVMX_EXIT_HYPERCALL, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_VMCALL));
	EXPECT_EQ(KVMX_EXIT_SYSREG, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_MSR_WRITE));
	EXPECT_EQ(KVMX_EXIT_STAGE2, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_EPT_VIOLATION));
	/* an MMIO SPTE: stage 2, made MMIO by the memslot lookup as NPF is */
	EXPECT_EQ(KVMX_EXIT_STAGE2, kvmx_exit_class(KVMX_ARCH_X86_VMX, EXIT_REASON_EPT_MISCONFIG));
	EXPECT_EQ(KVMX_EXIT_EXTINT, kvmx_exit_class(KVMX_ARCH_X86_VMX,
						    EXIT_REASON_EXTERNAL_INTERRUPT));
	/* SDM: bit 31 set means the VM entry failed, whatever the basic reason */
	EXPECT_EQ(KVMX_EXIT_FAILURE, kvmx_exit_class(KVMX_ARCH_X86_VMX,
						     VMX_EXIT_REASONS_FAILED_VMENTRY |
						     EXIT_REASON_INVALID_STATE));
	EXPECT_EQ(KVMX_EXIT_FAILURE, kvmx_exit_class(KVMX_ARCH_X86_VMX,
						     VMX_EXIT_REASONS_FAILED_VMENTRY |
						     EXIT_REASON_MSR_LOAD_FAIL));
	/* SGX enclave-mode flag (bit 27) does not hide the basic reason */
	EXPECT_EQ(KVMX_EXIT_CPUID, kvmx_exit_class(KVMX_ARCH_X86_VMX,
						   VMX_EXIT_REASONS_SGX_ENCLAVE_MODE |
						   EXIT_REASON_CPUID));

	EXPECT_EQ(KVMX_EXIT_HALT, kvmx_exit_class(KVMX_ARCH_ARM64, 0x01));
	EXPECT_EQ(KVMX_EXIT_HYPERCALL, kvmx_exit_class(KVMX_ARCH_ARM64, 0x16));
	EXPECT_EQ(KVMX_EXIT_HYPERCALL, kvmx_exit_class(KVMX_ARCH_ARM64, 0x17));
	EXPECT_EQ(KVMX_EXIT_SYSREG, kvmx_exit_class(KVMX_ARCH_ARM64, 0x18));
	EXPECT_EQ(KVMX_EXIT_STAGE2, kvmx_exit_class(KVMX_ARCH_ARM64, KVMX_ESR_EC_DABT_LOW));
	EXPECT_EQ(KVMX_EXIT_STAGE2, kvmx_exit_class(KVMX_ARCH_ARM64, KVMX_ESR_EC_IABT_LOW));
	EXPECT_EQ(KVMX_EXIT_EXTINT, kvmx_exit_class(KVMX_ARCH_ARM64, KVMX_ARM64_EXIT_IRQ));
	EXPECT_EQ(KVMX_EXIT_FAILURE, kvmx_exit_class(KVMX_ARCH_ARM64, KVMX_ARM64_EXIT_IL));
	EXPECT_EQ(KVMX_EXIT_FAILURE, kvmx_exit_class(KVMX_ARCH_ARM64, KVMX_ARM64_EXIT_HYP_GONE));

	EXPECT_TRUE(kvmx_exit_has_gpa(KVMX_ARCH_X86_SVM, SVM_EXIT_NPF));
	EXPECT_TRUE(kvmx_exit_has_gpa(KVMX_ARCH_ARM64, KVMX_ESR_EC_DABT_LOW));
	EXPECT_FALSE(kvmx_exit_has_gpa(KVMX_ARCH_X86_SVM, SVM_EXIT_IOIO));
	/* VMX: in the VMCS, read by the probe */
	EXPECT_TRUE(kvmx_exit_has_gpa(KVMX_ARCH_X86_VMX, EXIT_REASON_EPT_VIOLATION));
	EXPECT_TRUE(kvmx_exit_has_gpa(KVMX_ARCH_X86_VMX, EXIT_REASON_EPT_MISCONFIG));
	EXPECT_FALSE(kvmx_exit_has_gpa(KVMX_ARCH_X86_VMX, EXIT_REASON_IO_INSTRUCTION));
	EXPECT_FALSE(kvmx_exit_has_gpa(KVMX_ARCH_X86_VMX, EXIT_REASON_APIC_ACCESS));
	EXPECT_FALSE(kvmx_exit_has_gpa(KVMX_ARCH_X86_VMX, VMX_EXIT_REASONS_FAILED_VMENTRY |
				       EXIT_REASON_EPT_VIOLATION));
	EXPECT_EQ(EXIT_REASON_EPT_VIOLATION, KVMX_VMX_EXIT_EPT_VIOLATION);
	EXPECT_EQ(EXIT_REASON_EPT_MISCONFIG, KVMX_VMX_EXIT_EPT_MISCONFIG);
}

TEST(unknown_values_are_unknown)
{
	static const uint32_t svm_bad[] = { 0xa0, 0xa1, 0xa3, 0x3ff, 0x404, 0x80000001,
					    0xfffffffe };
	static const uint32_t vmx_bad[] = { 5, 6, 11, 17, 35, 38, 42, 65, 66, 69, 73, 76, 127, 255,
					    0xffff };
	static const uint32_t arm_bad[] = { 0x02, 0x0a, 0x0b, 0x0f, 0x10, 0x14, 0x1b, 0x1e, 0x23,
					    0x29, 0x2d, 0x2e, 0x36, 0x3b, 0x3f, 64,
					    KVMX_ARM64_EXIT_BASE + 2, KVMX_ARM64_EXIT_UNKNOWN };

	for (size_t i = 0; i < N(svm_bad); i++) {
		EXPECT_EQ(NULL, kvmx_raw_name(KVMX_ARCH_X86_SVM, svm_bad[i]));
		EXPECT_EQ(KVMX_EXIT_OTHER, kvmx_exit_class(KVMX_ARCH_X86_SVM, svm_bad[i]));
	}
	for (size_t i = 0; i < N(vmx_bad); i++) {
		EXPECT_EQ(NULL, kvmx_raw_name(KVMX_ARCH_X86_VMX, vmx_bad[i]));
		EXPECT_EQ(KVMX_EXIT_OTHER, kvmx_exit_class(KVMX_ARCH_X86_VMX, vmx_bad[i]));
	}
	for (size_t i = 0; i < N(arm_bad); i++) {
		EXPECT_EQ(NULL, kvmx_raw_name(KVMX_ARCH_ARM64, arm_bad[i]))
			TH_LOG("arm64 0x%x", arm_bad[i]);
		EXPECT_EQ(KVMX_EXIT_OTHER, kvmx_exit_class(KVMX_ARCH_ARM64, arm_bad[i]));
	}
	EXPECT_EQ(NULL, kvmx_raw_name(0, 1));
	EXPECT_EQ(KVMX_EXIT_OTHER, kvmx_exit_class(99, 1));
	EXPECT_STREQ("?", kvmx_class_name(KVMX_EXIT_NR_CLASSES));
}

/* Every named reason has its own counter slot, and the slot maps back. */
TEST(raw_slots_are_a_bijection)
{
	static const uint32_t arches[] = { KVMX_ARCH_X86_VMX, KVMX_ARCH_X86_SVM, KVMX_ARCH_ARM64 };
	static const uint32_t extra[] = { 0, KVMX_VMX_FAILED_VMENTRY | 33, 0x400, 0x403,
					  0xffffffff, KVMX_ARM64_EXIT_IRQ,
					  KVMX_ARM64_EXIT_SERROR, KVMX_ARM64_EXIT_IL,
					  KVMX_ARM64_EXIT_HYP_GONE };

	for (size_t a = 0; a < N(arches); a++) {
		uint32_t owner[KVMX_RAW_SLOTS];
		uint32_t raw, back;
		unsigned int slot;

		memset(owner, 0xff, sizeof(owner));
		for (uint64_t r = 0; r < 0x1000 + N(extra); r++) {
			raw = r < 0x1000 ? (uint32_t)r : extra[r - 0x1000];
			if (!kvmx_raw_name(arches[a], raw))
				continue;
			slot = kvmx_raw_slot(arches[a], raw);
			ASSERT_LT(slot, KVMX_RAW_SLOT_UNKNOWN)
				TH_LOG("arch %u raw 0x%x has no slot", arches[a], raw);
			ASSERT_TRUE(owner[slot] == 0xffffffff || owner[slot] == raw)
				TH_LOG("arch %u slot %u: 0x%x and 0x%x", arches[a], slot,
				       owner[slot], raw);
			owner[slot] = raw;
			ASSERT_TRUE(kvmx_slot_raw(arches[a], slot, &back));
			EXPECT_EQ(raw, back);
		}
		EXPECT_EQ(KVMX_RAW_SLOT_UNKNOWN, kvmx_raw_slot(arches[a], 0x7ffff));
		EXPECT_FALSE(kvmx_slot_raw(arches[a], KVMX_RAW_SLOT_UNKNOWN, &back));
	}
	/* a failed VM entry is counted apart from an exit with that reason */
	EXPECT_NE(kvmx_raw_slot(KVMX_ARCH_X86_VMX, 33),
		  kvmx_raw_slot(KVMX_ARCH_X86_VMX, KVMX_VMX_FAILED_VMENTRY | 33));
}

TEST(class_names)
{
	for (unsigned int i = 0; i < KVMX_EXIT_NR_CLASSES; i++) {
		ASSERT_NE(NULL, kvmx_class_name(i));
		for (unsigned int j = 0; j < i; j++)
			EXPECT_NE(0, strcmp(kvmx_class_name(i), kvmx_class_name(j)));
	}
	EXPECT_LE(KVMX_EXIT_NR_CLASSES, KVMX_EXIT_CLASSES_MAX);
}

TEST_HARNESS_MAIN
