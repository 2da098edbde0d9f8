// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 fault syndrome decoders against vectors built from the
 * architecture manuals' field layouts: every DFSC/IFSC value, every EPT
 * violation qualification bit and every NPF error-code bit, plus the
 * reserved and nonsense values, which must decode as unknown.
 */
#include <stdint.h>
#include "fault_decode.h"
#include "syndrome.h"
#include "kselftest_harness.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#ifndef BIT_ULL
#define BIT_ULL(n) (1ull << (n))
#endif

/* ESR_EL2 of a lower-EL data/instruction abort: short names of syndrome.h's */
#define EC(x)		((uint64_t)(x) << KVMX_ESR_EC_SHIFT)
#define IL		KVMX_ESR_IL
#define ISV		KVMX_ESR_ISV
#define SAS(x)		((uint64_t)(x) << KVMX_ESR_SAS_SHIFT)
#define SSE		KVMX_ESR_SSE
#define SRT(x)		((uint64_t)(x) << KVMX_ESR_SRT_SHIFT)
#define SF		KVMX_ESR_SF
#define AR		KVMX_ESR_AR
#define VNCR		KVMX_ESR_VNCR
#define FNV		KVMX_ESR_FNV
#define EA		KVMX_ESR_EA
#define CM		KVMX_ESR_CM
#define S1PTW		KVMX_ESR_S1PTW
#define WNR		KVMX_ESR_WNR
#define DABT		(EC(KVMX_ESR_EC_DABT_LOW) | IL)
#define IABT		(EC(KVMX_ESR_EC_IABT_LOW) | IL)

#define U KVMX_FT_UNKNOWN
#define T KVMX_FT_TRANSLATION
#define A KVMX_FT_ACCESS_FLAG
#define P KVMX_FT_PERMISSION
#define Z KVMX_FT_ADDRESS_SIZE
#define X KVMX_FT_EXTERNAL
#define E KVMX_FT_ECC
#define L KVMX_FT_ALIGNMENT
#define C KVMX_FT_TLB_CONFLICT
#define H KVMX_FT_ATOMIC_HW_UPDATE
#define G KVMX_FT_TAG_CHECK
#define R KVMX_FT_GRANULE_PROTECTION
#define I KVMX_FT_IMPDEF
#define NL KVMX_LEVEL_NONE

/* Every DFSC value: type, level, on-the-walk (Arm ARM DFSC table). */
static const struct { uint8_t type; int8_t level; uint8_t walk; } dfsc[64] = {
	{Z, 0}, {Z, 1}, {Z, 2}, {Z, 3},			/* 0x00 address size */
	{T, 0}, {T, 1}, {T, 2}, {T, 3},			/* 0x04 translation */
	{A, 0}, {A, 1}, {A, 2}, {A, 3},			/* 0x08 access flag */
	{P, 0}, {P, 1}, {P, 2}, {P, 3},			/* 0x0c permission */
	{X, NL}, {G, NL}, {U, NL}, {X, -1, 1},		/* 0x10 SEA, tag check, -, SEA walk */
	{X, 0, 1}, {X, 1, 1}, {X, 2, 1}, {X, 3, 1},	/* 0x14 SEA on walk */
	{E, NL}, {U, NL}, {U, NL}, {E, -1, 1},		/* 0x18 ECC, -, -, ECC walk */
	{E, 0, 1}, {E, 1, 1}, {E, 2, 1}, {E, 3, 1},	/* 0x1c ECC on walk */
	{U, NL}, {L, NL}, {U, NL}, {R, -1, 1},		/* 0x20 -, alignment, -, GPF walk */
	{R, 0, 1}, {R, 1, 1}, {R, 2, 1}, {R, 3, 1},	/* 0x24 GPF on walk */
	{R, NL}, {Z, -1}, {T, -2}, {T, -1},		/* 0x28 GPF, AS -1, TF -2, TF -1 */
	{U, NL}, {U, NL}, {U, NL}, {U, NL},		/* 0x2c reserved */
	{C, NL}, {H, NL}, {U, NL}, {U, NL},		/* 0x30 TLB conflict, atomic update */
	{I, NL}, {I, NL}, {U, NL}, {U, NL},		/* 0x34 IMPDEF lockdown, excl/atomic */
	{U, NL}, {U, NL}, {U, NL}, {U, NL},		/* 0x38 reserved (AArch32 domain) */
	{U, NL}, {U, NL}, {U, NL}, {U, NL},		/* 0x3c reserved */
};

TEST(every_dfsc_value)
{
	struct kvmx_fault_info fi;

	for (unsigned int fsc = 0; fsc < 64; fsc++) {
		ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | fsc, &fi));
		EXPECT_EQ(dfsc[fsc].type, fi.type) TH_LOG("DFSC 0x%02x: %s", fsc,
							  kvmx_fault_type_name(fi.type));
		EXPECT_EQ(dfsc[fsc].level, fi.level) TH_LOG("DFSC 0x%02x level", fsc);
		EXPECT_EQ(!!dfsc[fsc].walk, !!(fi.flags & KVMX_FF_WALK)) TH_LOG("DFSC 0x%02x", fsc);
		EXPECT_EQ(dfsc[fsc].type != U && !dfsc[fsc].walk, !!(fi.flags & KVMX_FF_FINAL));
		EXPECT_EQ(KVMX_ACC_READ, fi.access);
	}
}

TEST(every_ifsc_value)
{
	struct kvmx_fault_info fi;

	for (unsigned int fsc = 0; fsc < 64; fsc++) {
		/* tag check, alignment and atomic update are data-abort only */
		uint8_t want = (fsc == 0x11 || fsc == 0x21 || fsc == 0x31) ? U : dfsc[fsc].type;

		ASSERT_TRUE(kvmx_decode_arm64_abort(IABT | fsc, &fi));
		EXPECT_EQ(want, fi.type)
			TH_LOG("IFSC 0x%02x: %s", fsc, kvmx_fault_type_name(fi.type));
		EXPECT_EQ(KVMX_ACC_EXEC, fi.access);
		EXPECT_FALSE(fi.flags & (KVMX_FF_ISV | KVMX_FF_UNKNOWN_BITS));
	}
}

TEST(dabt_instruction_syndrome)
{
	struct kvmx_fault_info fi;

	/* str x1, [x0] to an unmapped IPA: 8 bytes, x1, 64-bit, translation L2 */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | ISV | SAS(3) | SRT(1) | SF | WNR | 0x06,
					    &fi));
	EXPECT_EQ(KVMX_FT_TRANSLATION, fi.type);
	EXPECT_EQ(2, fi.level);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);
	EXPECT_EQ(KVMX_FF_ISV | KVMX_FF_FINAL, fi.flags);
	EXPECT_EQ(3, fi.sas);
	EXPECT_EQ(1, fi.srt);
	EXPECT_TRUE(fi.sf);
	EXPECT_FALSE(fi.sse);
	EXPECT_FALSE(fi.ar);

	/* ldrsh w2, [x3]: 2 bytes sign-extended into a 32-bit register, L3 */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | ISV | SAS(1) | SSE | SRT(2) | 0x07, &fi));
	EXPECT_EQ(KVMX_ACC_READ, fi.access);
	EXPECT_EQ(1, fi.sas);
	EXPECT_TRUE(fi.sse);
	EXPECT_FALSE(fi.sf);
	EXPECT_EQ(2, fi.srt);
	EXPECT_EQ(3, fi.level);

	/* stlr x30 (release), x30 = SRT 30 */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | ISV | SAS(3) | SRT(30) | SF | AR | WNR | 0x07,
					    &fi));
	EXPECT_TRUE(fi.ar);
	EXPECT_EQ(30, fi.srt);

	/* stp to a dirty-logged page: permission L3, no ISV (pair access) */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | WNR | 0x0f, &fi));
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(3, fi.level);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);
	EXPECT_FALSE(fi.flags & KVMX_FF_ISV);
	EXPECT_EQ(0, fi.sas);
}

TEST(dabt_flags)
{
	struct kvmx_fault_info fi;

	/* stage-2 fault on the guest's own stage-1 walk: a descriptor read */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | S1PTW | 0x07, &fi));
	EXPECT_TRUE(fi.flags & KVMX_FF_WALK);
	EXPECT_FALSE(fi.flags & KVMX_FF_FINAL);
	EXPECT_EQ(KVMX_ACC_READ, fi.access);
	/* ... or a hardware access-flag update of a read-only descriptor */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | S1PTW | WNR | 0x0f, &fi));
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);

	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | FNV | EA | 0x10, &fi));
	EXPECT_EQ(KVMX_FT_EXTERNAL, fi.type);
	EXPECT_EQ(KVMX_FF_FNV | KVMX_FF_EA | KVMX_FF_FINAL, fi.flags);

	/* dc civac to an unmapped IPA: cache maintenance reports WnR=1 */
	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | CM | WNR | 0x07, &fi));
	EXPECT_TRUE(fi.flags & KVMX_FF_CM);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);

	ASSERT_TRUE(kvmx_decode_arm64_abort(DABT | VNCR | 0x07, &fi));
	EXPECT_TRUE(fi.flags & KVMX_FF_VNCR);
}

TEST(iabt_reserved_bits)
{
	struct kvmx_fault_info fi;

	/* ISS bits 24:11 and 8 are RES0 in an instruction abort */
	ASSERT_TRUE(kvmx_decode_arm64_abort(IABT | ISV | 0x06, &fi));
	EXPECT_TRUE(fi.flags & KVMX_FF_UNKNOWN_BITS);
	ASSERT_TRUE(kvmx_decode_arm64_abort(IABT | CM | 0x06, &fi));
	EXPECT_TRUE(fi.flags & KVMX_FF_UNKNOWN_BITS);
	ASSERT_TRUE(kvmx_decode_arm64_abort(IABT | S1PTW | 0x05, &fi));
	EXPECT_EQ(KVMX_FT_TRANSLATION, fi.type);
	EXPECT_TRUE(fi.flags & KVMX_FF_WALK);
	EXPECT_FALSE(fi.flags & KVMX_FF_UNKNOWN_BITS);
}

TEST(not_an_abort)
{
	static const unsigned int ecs[] = { 0x00, 0x01, 0x16, 0x18, 0x21, 0x25, 0x2f, 0x3f };
	struct kvmx_fault_info fi;

	for (size_t i = 0; i < N(ecs); i++) {
		EXPECT_FALSE(kvmx_decode_arm64_abort(EC(ecs[i]) | IL | 0x07, &fi));
		EXPECT_EQ(KVMX_FT_UNKNOWN, fi.type);
		EXPECT_EQ(NL, fi.level);
	}
}

/* Intel SDM: exit qualification for EPT violations */
#define Q_R	BIT_ULL(0)
#define Q_W	BIT_ULL(1)
#define Q_X	BIT_ULL(2)
#define Q_PR	BIT_ULL(3)
#define Q_PW	BIT_ULL(4)
#define Q_PX	BIT_ULL(5)
#define Q_PUX	BIT_ULL(6)
#define Q_GLA	BIT_ULL(7)
#define Q_FINAL	BIT_ULL(8)
#define Q_USER	BIT_ULL(9)
#define Q_NMI	BIT_ULL(12)

TEST(ept_violation)
{
	struct kvmx_fault_info fi;

	/* first touch: a read, nothing mapped */
	kvmx_decode_ept_violation(Q_R | Q_GLA | Q_FINAL, &fi);
	EXPECT_EQ(KVMX_FT_TRANSLATION, fi.type);
	EXPECT_EQ(KVMX_ACC_READ, fi.access);
	EXPECT_EQ(0, fi.perm);
	EXPECT_EQ(KVMX_FF_PERM_VALID | KVMX_FF_GLA_VALID | KVMX_FF_FINAL, fi.flags);
	EXPECT_EQ(NL, fi.level);

	/* write to a write-protected page (dirty logging, read-only memslot) */
	kvmx_decode_ept_violation(Q_W | Q_PR | Q_PX | Q_GLA | Q_FINAL, &fi);
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);
	EXPECT_EQ(KVMX_ACC_READ | KVMX_ACC_EXEC, fi.perm);

	/* fetch from a non-executable page, user-executable only */
	kvmx_decode_ept_violation(Q_X | Q_PR | Q_PW | Q_PUX | Q_GLA | Q_FINAL | Q_USER, &fi);
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(KVMX_ACC_EXEC, fi.access);
	EXPECT_EQ(KVMX_ACC_READ | KVMX_ACC_WRITE | KVMX_ACC_EXEC, fi.perm);
	EXPECT_TRUE(fi.flags & KVMX_FF_USER);

	/* a paging-structure access during the guest's walk */
	kvmx_decode_ept_violation(Q_R | Q_GLA, &fi);
	EXPECT_TRUE(fi.flags & KVMX_FF_WALK);
	EXPECT_FALSE(fi.flags & KVMX_FF_FINAL);

	/* no linear address (e.g. a walk of the guest's PDPTEs) */
	kvmx_decode_ept_violation(Q_R, &fi);
	EXPECT_FALSE(fi.flags & (KVMX_FF_WALK | KVMX_FF_FINAL | KVMX_FF_GLA_VALID));
	EXPECT_FALSE(fi.flags & KVMX_FF_UNKNOWN_BITS);

	kvmx_decode_ept_violation(Q_W | Q_GLA | Q_FINAL | Q_NMI, &fi);
	EXPECT_TRUE(fi.flags & KVMX_FF_NMI_UNBLOCK);
}

TEST(ept_violation_every_bit_and_reserved)
{
	struct kvmx_fault_info fi;

	/* each defined bit alone (with a read so that the access is known) */
	for (unsigned int b = 0; b < 17; b++) {
		uint64_t q = Q_R | (1ull << b);
		bool bad = b == 8;	/* bit 8 without bit 7 is reserved */

		kvmx_decode_ept_violation(q, &fi);
		EXPECT_EQ(bad, !!(fi.flags & KVMX_FF_UNKNOWN_BITS)) TH_LOG("bit %u", b);
	}
	/* reserved bits 17-63 */
	for (unsigned int b = 17; b < 64; b++) {
		kvmx_decode_ept_violation(Q_R | (1ull << b), &fi);
		EXPECT_TRUE(fi.flags & KVMX_FF_UNKNOWN_BITS) TH_LOG("bit %u", b);
	}
	/* no access bit at all is not a real EPT violation */
	kvmx_decode_ept_violation(Q_PR | Q_GLA | Q_FINAL, &fi);
	EXPECT_TRUE(fi.flags & KVMX_FF_UNKNOWN_BITS);
}

/* AMD APM: #NPF error code (EXITINFO1) */
#define E_P	BIT_ULL(0)
#define E_RW	BIT_ULL(1)
#define E_US	BIT_ULL(2)
#define E_RSV	BIT_ULL(3)
#define E_ID	BIT_ULL(4)
#define E_FINAL	BIT_ULL(32)
#define E_WALK	BIT_ULL(33)

TEST(npf)
{
	struct kvmx_fault_info fi;

	kvmx_decode_npf(E_FINAL, &fi);				/* first touch, read */
	EXPECT_EQ(KVMX_FT_TRANSLATION, fi.type);
	EXPECT_EQ(KVMX_ACC_READ, fi.access);
	EXPECT_EQ(KVMX_FF_FINAL, fi.flags);

	kvmx_decode_npf(E_FINAL | E_P | E_RW, &fi);		/* write-protected */
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);

	kvmx_decode_npf(E_FINAL | E_P | E_ID | E_US, &fi);	/* NX, from user mode */
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(KVMX_ACC_EXEC, fi.access);
	EXPECT_TRUE(fi.flags & KVMX_FF_USER);

	/* KVM's MMIO SPTEs: reserved bits set in a present entry */
	kvmx_decode_npf(E_FINAL | E_P | E_RSV | E_RW, &fi);
	EXPECT_EQ(KVMX_FT_RESERVED_BIT, fi.type);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);

	kvmx_decode_npf(E_WALK, &fi);				/* guest PTE read */
	EXPECT_EQ(KVMX_FT_TRANSLATION, fi.type);
	EXPECT_EQ(KVMX_FF_WALK, fi.flags);
	kvmx_decode_npf(E_WALK | E_P | E_RW, &fi);		/* A/D update of a RO PTE */
	EXPECT_EQ(KVMX_FT_PERMISSION, fi.type);
	EXPECT_EQ(KVMX_ACC_WRITE, fi.access);
	EXPECT_TRUE(fi.flags & KVMX_FF_WALK);
}

TEST(npf_every_bit_and_reserved)
{
	/* defined: 0-6, 31, 32-37 */
	static const uint64_t defined = 0x7full | BIT_ULL(31) | (0x3full << 32);
	struct kvmx_fault_info fi;

	for (unsigned int b = 0; b < 64; b++) {
		uint64_t ec = E_FINAL | (1ull << b);
		bool bad = !(defined & (1ull << b)) || b == 33;	/* 33 with 32: both */

		kvmx_decode_npf(ec, &fi);
		EXPECT_EQ(bad, !!(fi.flags & KVMX_FF_UNKNOWN_BITS)) TH_LOG("bit %u", b);
	}
	kvmx_decode_npf(0, &fi);			/* neither final nor walk */
	EXPECT_TRUE(fi.flags & KVMX_FF_UNKNOWN_BITS);
	kvmx_decode_npf(~0ull, &fi);
	EXPECT_TRUE(fi.flags & KVMX_FF_UNKNOWN_BITS);
}

TEST(type_names)
{
	for (unsigned int t = 0; t < KVMX_FT_NR_TYPES; t++)
		ASSERT_NE(NULL, kvmx_fault_type_name(t));
	EXPECT_STREQ("?", kvmx_fault_type_name(KVMX_FT_NR_TYPES));
}

/* Classification: the decoded syndrome and the memslot behind the GPA. */
TEST(classify_backed)
{
	struct kvmx_fault_info fi;

	/* arm64: write, translation fault level 3 -> first touch */
	kvmx_decode_arm64_abort(0x92000047ull, &fi);		/* DABT_LOW WnR DFSC 0x07 */
	EXPECT_EQ(KVMX_FAULT_FIRST_TOUCH, kvmx_fault_classify(&fi, true, false));
	/* the same write to a read-only memslot: permission, never mapped writable */
	EXPECT_EQ(KVMX_FAULT_PERMISSION, kvmx_fault_classify(&fi, true, true));
	/* a read of a read-only memslot is an ordinary first touch */
	kvmx_decode_arm64_abort(0x92000007ull, &fi);
	EXPECT_EQ(KVMX_FAULT_FIRST_TOUCH, kvmx_fault_classify(&fi, true, true));
	/* access flag counts as first touch (not mapped young yet) */
	kvmx_decode_arm64_abort(0x9200000bull, &fi);
	EXPECT_EQ(KVMX_FAULT_FIRST_TOUCH, kvmx_fault_classify(&fi, true, false));
	/* permission fault level 3: dirty logging's write protection */
	kvmx_decode_arm64_abort(0x9200004full, &fi);
	EXPECT_EQ(KVMX_FAULT_PERMISSION, kvmx_fault_classify(&fi, true, false));
	/* S1PTW: the guest's walk, whatever the type */
	kvmx_decode_arm64_abort(0x92000087ull, &fi);
	EXPECT_EQ(KVMX_FAULT_WALK, kvmx_fault_classify(&fi, true, false));
	EXPECT_EQ(KVMX_FAULT_WALK, kvmx_fault_classify(&fi, false, false));
	/* alignment on a backed page */
	kvmx_decode_arm64_abort(0x92000021ull, &fi);
	EXPECT_EQ(KVMX_FAULT_OTHER, kvmx_fault_classify(&fi, true, false));

	/* SVM: not present / present+write / walk */
	kvmx_decode_npf(E_FINAL | E_RW, &fi);
	EXPECT_EQ(KVMX_FAULT_FIRST_TOUCH, kvmx_fault_classify(&fi, true, false));
	kvmx_decode_npf(E_FINAL | E_P | E_RW, &fi);
	EXPECT_EQ(KVMX_FAULT_PERMISSION, kvmx_fault_classify(&fi, true, false));
	kvmx_decode_npf(E_WALK, &fi);
	EXPECT_EQ(KVMX_FAULT_WALK, kvmx_fault_classify(&fi, true, false));

	/* VMX: write to an entry allowing read+exec, GLA valid, final */
	kvmx_decode_ept_violation(0x2 | 0x8 | 0x20 | 0x80 | 0x100, &fi);
	EXPECT_EQ(KVMX_FAULT_PERMISSION, kvmx_fault_classify(&fi, true, false));
	kvmx_decode_ept_violation(0x1 | 0x80 | 0x100, &fi);	/* not present */
	EXPECT_EQ(KVMX_FAULT_FIRST_TOUCH, kvmx_fault_classify(&fi, true, false));
	kvmx_decode_ept_violation(0x1 | 0x80, &fi);		/* paging-structure access */
	EXPECT_EQ(KVMX_FAULT_WALK, kvmx_fault_classify(&fi, true, false));
}

TEST(classify_noslot_by_outcome)
{
	struct kvmx_fault_info fi;
	unsigned int c;

	kvmx_decode_arm64_abort(0x93c80047ull, &fi);	/* ISV str x8 (8 bytes) */
	c = kvmx_fault_classify(&fi, false, false);
	EXPECT_EQ(KVMX_FAULT_NOSLOT, c);
	EXPECT_EQ(KVMX_FAULT_MMIO_USER, kvmx_fault_final_class(c, KVMX_OUTCOME_MMIO_USER));
	EXPECT_EQ(KVMX_FAULT_MMIO_KERNEL, kvmx_fault_final_class(c, KVMX_OUTCOME_MMIO_KERNEL));
	EXPECT_EQ(KVMX_FAULT_UNBACKED, kvmx_fault_final_class(c, KVMX_OUTCOME_NONE));
	/* backed classes do not depend on the outcome */
	for (c = 0; c < KVMX_FAULT_NR_CLASSES; c++) {
		EXPECT_EQ(c, kvmx_fault_final_class(c, KVMX_OUTCOME_MMIO_USER));
		EXPECT_EQ(c, kvmx_fault_final_class(c, KVMX_OUTCOME_NONE));
	}
	/* the SVM cached-MMIO form: reserved bit, no memslot */
	kvmx_decode_npf(E_FINAL | E_P | E_RSV | E_RW, &fi);
	EXPECT_EQ(KVMX_FAULT_NOSLOT, kvmx_fault_classify(&fi, false, false));
}

TEST(decode_fault_dispatch)
{
	struct kvmx_fault_info a, b;

	EXPECT_TRUE(kvmx_decode_fault(KVMX_ARCH_X86_SVM, 0x400, E_FINAL | E_RW, &a));
	kvmx_decode_npf(E_FINAL | E_RW, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_TRUE(kvmx_decode_fault(KVMX_ARCH_X86_VMX, 48, 0x181, &a));
	kvmx_decode_ept_violation(0x181, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	/* an EPT misconfiguration: the qualification is undefined, not decoded */
	EXPECT_TRUE(kvmx_decode_fault(KVMX_ARCH_X86_VMX, 49, 0x181, &a));
	kvmx_decode_ept_misconfig(&b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	EXPECT_EQ(KVMX_FT_RESERVED_BIT, a.type);
	EXPECT_EQ(0, a.access);
	EXPECT_EQ(KVMX_FF_FINAL | KVMX_FF_NO_ACCESS, a.flags);
	/* ... and it is an MMIO SPTE's: no memslot, classified by the outcome */
	EXPECT_EQ(KVMX_FAULT_NOSLOT, kvmx_fault_classify(&a, false, false));
	EXPECT_TRUE(kvmx_decode_fault(KVMX_ARCH_ARM64, KVMX_ESR_EC_DABT_LOW, 0x92000047ull, &a));
	EXPECT_FALSE(kvmx_decode_fault(KVMX_ARCH_ARM64, 0x16, 0x5a000000ull, &a)); /* HVC */
	EXPECT_FALSE(kvmx_decode_fault(0, 0, 0x181, &a));
	EXPECT_EQ(KVMX_FT_UNKNOWN, a.type);
}

TEST(class_names)
{
	for (unsigned int c = 0; c < KVMX_FAULT_NR_CLASSES; c++)
		ASSERT_STRNE("?", kvmx_fault_class_name(c));
	EXPECT_STREQ("?", kvmx_fault_class_name(KVMX_FAULT_NR_CLASSES));
	EXPECT_STREQ("mmio_user", kvmx_fault_class_name(KVMX_FAULT_MMIO_USER));
}

TEST_HARNESS_MAIN
