// SPDX-License-Identifier: GPL-2.0
/*
 * The seeds' table, executed: which guest events exit to the hypervisor.
 * A guest installs its own exception handlers and then, N times each:
 *
 *   a  takes its own breakpoint (int3 / brk) and undefined instruction
 *      (ud2 / udf) exception
 *   b  takes a stage-1 page fault its handler fixes (it clears the PTE's
 *      present/valid bit, touches the page, the handler sets it again)
 *   c  divides by zero (on arm64 that is no exception at all: udiv gives 0)
 *   d  reads guest-physical memory with no memslot
 *   e  writes MMIO a device in the kernel serves (a kvmx DOORBELL)
 *   f  executes HLT / WFI
 *   g  reads a trapped MSR (IA32_APIC_BASE) / system register (OSLSR_EL1)
 *
 * After each row kvmx's per-class counts must have changed by exactly the
 * row's expectation (arm64's WFI: up to 2 fewer, see its note), every other
 * class by nothing (the GUEST_SYNC that ends
 * the row is one exit of the ucall's class; host interrupts, class extint,
 * are the host's and not counted). The exits to the VMM are counted too.
 * x86 has one row the seeds' table gets wrong: KVM intercepts #UD (to
 * emulate VMCALL/VMMCALL across vendors), so ud2 costs an exit each; the
 * table says so. The test prints the table with the measured counts.
 *
 * On VMX a second table follows: KVM's VMX exit handlers, each provoked N
 * times by a guest (vmx_rows), counted by raw reason as well as by class;
 * the exits no guest can provoke under KVM's default controls are listed
 * with the reason (vmx_unprovoked).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "kvmx_waker.h"
#include "exit_class.h"
#ifdef __x86_64__
#include "apic.h"
#endif

#define N		16
#define NOSLOT_GPA	0xc0000000ul	/* no memslot, no device */
#define DB_GPA		0xc0001000ul	/* a kvmx DOORBELL */
#define PT_GVA		0x30000000ul	/* where the guest sees its leaf page table */

enum { ROW_BRK, ROW_UD, ROW_PF, ROW_DE, ROW_NOSLOT, ROW_MMIO, ROW_HALT, ROW_SYSREG, NR_ROWS };

#ifdef __x86_64__
#define UCALL_CLASS	KVMX_EXIT_PIO
#else
#define UCALL_CLASS	KVMX_EXIT_MMIO
#endif

static const struct row {
	const char *seed, *what, *seeds_say;
	unsigned int class;	/* of the exits expected */
	unsigned int exits;	/* per event */
	unsigned int to_vmm;	/* exits to the VMM per event */
	unsigned int handled;	/* runs of the guest's handler per event */
	const char *note;
	unsigned int slack;	/* exits that may be missing (see the note) */
} rows[NR_ROWS] = {
#ifdef __x86_64__
	[ROW_BRK]    = { "a", "breakpoint (int3)", "no exit", KVMX_EXIT_EXCEPTION, 0, 0, 1 },
	[ROW_UD]     = { "a", "undefined instruction (ud2)", "no exit",
			 KVMX_EXIT_EXCEPTION, 1, 0, 1,
			 "KVM intercepts #UD to emulate VMCALL/VMMCALL, then injects it" },
	[ROW_DE]     = { "c", "divide by zero", "no exit", KVMX_EXIT_EXCEPTION, 0, 0, 1 },
	[ROW_HALT]   = { "f", "HLT", "exit", KVMX_EXIT_HALT, 1, 0, 0 },
	[ROW_SYSREG] = { "g", "RDMSR IA32_APIC_BASE", "exit", KVMX_EXIT_SYSREG, 1, 0, 0 },
#else
	[ROW_BRK]    = { "a", "breakpoint (brk)", "no exit", KVMX_EXIT_EXCEPTION, 0, 0, 1 },
	[ROW_UD]     = { "a", "undefined instruction (udf)", "no exit",
			 KVMX_EXIT_EXCEPTION, 0, 0, 1 },
	[ROW_DE]     = { "c", "divide by zero (udiv)", "no exit", KVMX_EXIT_EXCEPTION, 0, 0, 0,
			 "arm64 integer division by zero returns 0: no exception at all" },
	[ROW_HALT]   = { "f", "WFI", "exit", KVMX_EXIT_HALT, 1, 0, 0,
			 "TWI traps a WFI only if it would sleep: a pending host IRQ lets one pass",
			 2 },
	[ROW_SYSREG] = { "g", "MRS OSLSR_EL1", "exit", KVMX_EXIT_SYSREG, 1, 0, 0 },
#endif
	[ROW_PF]     = { "b", "stage-1 page fault, fixed", "no exit", KVMX_EXIT_EXCEPTION,
			 0, 0, 1 },
	[ROW_NOSLOT] = { "d", "read with no memslot", "exit", KVMX_EXIT_MMIO, 1, 1, 0 },
	[ROW_MMIO]   = { "e", "MMIO to an in-kernel device", "exit", KVMX_EXIT_MMIO, 1, 0, 0 },
};

/* -- guest ---------------------------------------------------------------- */

static u64 handled[NR_ROWS];	/* exceptions the guest's handlers took */
static u64 *guest_pte;		/* the PTE of pf_page, as the guest sees it */
static u64 pf_page;

static void count(int row)
{
	WRITE_ONCE(handled[row], handled[row] + 1);
}

#ifdef __x86_64__
static void bp_handler(struct ex_regs *regs)
{
	count(ROW_BRK);			/* a trap: RIP is past the int3 */
}

static void ud_handler(struct ex_regs *regs)
{
	count(ROW_UD);
	regs->rip += 2;			/* ud2 */
}

static void de_handler(struct ex_regs *regs)
{
	count(ROW_DE);
	regs->rip += 3;			/* div %rcx */
}

static void pf_handler(struct ex_regs *regs)
{
	count(ROW_PF);
	WRITE_ONCE(*guest_pte, *guest_pte | 1);		/* present again */
}

static void guest_event(int row)
{
	u64 v;

	switch (row) {
	case ROW_BRK:
		asm volatile("int3");
		break;
	case ROW_UD:
		asm volatile("ud2");
		break;
	case ROW_DE:
		asm volatile("xor %%edx, %%edx; div %%rcx" : : "a"(1), "c"(0) : "rdx");
		break;
	case ROW_PF:
		WRITE_ONCE(*guest_pte, *guest_pte & ~1ul);
		asm volatile("invlpg (%0)" : : "r"(pf_page) : "memory");
		(void)READ_ONCE(*(u64 *)pf_page);
		break;
	case ROW_HALT:
		asm volatile("hlt");
		break;
	case ROW_SYSREG:
		asm volatile("rdmsr" : "=a"(v) : "c"(0x1b) : "rdx");
		break;
	}
}
#else
static void brk_handler(struct ex_regs *regs)
{
	count(ROW_BRK);
	regs->pc += 4;
}

static void undef_handler(struct ex_regs *regs)
{
	count(ROW_UD);
	regs->pc += 4;
}

/* a translation fault on pf_page: make the PTE valid, retry */
static void dabt_handler(struct ex_regs *regs)
{
	count(ROW_PF);
	WRITE_ONCE(*guest_pte, *guest_pte | 1);
	asm volatile("dsb ishst; isb" : : : "memory");
}

static void guest_event(int row)
{
	u64 v;

	switch (row) {
	case ROW_BRK:
		asm volatile("brk #0");
		break;
	case ROW_UD:
		asm volatile("udf #0");
		break;
	case ROW_DE:
		asm volatile("udiv %0, %0, xzr" : "=r"(v) : "0"(1ul));
		break;
	case ROW_PF:
		WRITE_ONCE(*guest_pte, *guest_pte & ~1ul);
		asm volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb"
			     : : "r"(pf_page >> 12) : "memory");
		(void)READ_ONCE(*(u64 *)pf_page);
		break;
	case ROW_HALT:
		asm volatile("wfi" : : : "memory");
		break;
	case ROW_SYSREG:
		asm volatile("mrs %0, oslsr_el1" : "=r"(v));
		break;
	}
}
#endif

static void guest_rows(void)
{
	int row, i;

	for (row = 0; row < NR_ROWS; row++) {
		for (i = 0; i < N; i++) {
			if (row == ROW_NOSLOT)
				(void)READ_ONCE(*(u64 *)NOSLOT_GPA);
			else if (row == ROW_MMIO)
				WRITE_ONCE(*(u64 *)DB_GPA, i);
			else
				guest_event(row);
		}
		GUEST_SYNC(row);
	}
}

/* Twice: a warm-up pass faults in every page a row touches (stage 2). */
static void guest_code(void)
{
	guest_rows();
	guest_rows();
	GUEST_DONE();
}

/* -- host ----------------------------------------------------------------- */

static struct kvm_vm *vm;
/* The leaf PTE of @gva in the host's view (4 KiB pages, any level count). */
static u64 *leaf_pte(u64 gva)
{
	u64 table = vm->pgd, *pte = NULL;
	int level;

	TEST_ASSERT(vm->page_size == 4096, "page size %u", vm->page_size);
	for (level = vm->pgtable_levels - 1; level >= 0; level--) {
		pte = (u64 *)addr_gpa2hva(vm, table) + ((gva >> (12 + 9 * level)) & 511);
		TEST_ASSERT(*pte & 1, "gva 0x%lx not mapped at level %d", gva, level);
		table = *pte & 0x0000fffffffff000ul;
	}
	return pte;
}

static void read_classes(int s, u64 *cls)
{
	static struct kvmx_stats *st;
	const size_t size = 1 << 16;
	u32 i;

	if (!st)
		st = malloc(size);	/* the heap: .bss is loaded into the guest */
	memset(st, 0, sizeof(*st));
	st->argsz = size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_STATS, st), "KVMX_GET_STATS: %s", strerror(errno));
	memset(cls, 0, KVMX_EXIT_NR_CLASSES * sizeof(*cls));
	for (i = 0; i < st->nr_entries; i++)
		if (st->entries[i].kind == KVMX_STAT_CLASS &&
		    st->entries[i].vcpu == KVMX_STAT_VM)
			cls[st->entries[i].class] = st->entries[i].count;
}

/* Run @vcpu to the end of @row (@halts: it blocks); returns its exits to the VMM. */
static unsigned int run_row_woken(struct kvm_vcpu *vcpu, unsigned int row, bool halts)
{
	unsigned int to_vmm = 0, c;
	struct kvmx_waker w;
	struct ucall uc;

	if (halts)
		kvmx_waker_start(&w);
	for (;;) {
		int ret = kvmx_run_woken(vcpu);

		TEST_ASSERT(!ret, "KVM_RUN: %s", strerror(errno));
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO &&
		    vcpu->run->mmio.phys_addr == NOSLOT_GPA) {
			memset(vcpu->run->mmio.data, 0, 8);
			to_vmm++;
			continue;
		}
		c = get_ucall(vcpu, &uc);
		if (c == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		TEST_ASSERT(c == UCALL_SYNC && uc.args[1] == row, "ucall %u (%lu), row %u",
			    c, uc.args[1], row);
		break;
	}
	if (halts)
		kvmx_waker_stop(&w);
	return to_vmm;
}

static unsigned int run_row(struct kvm_vcpu *vcpu, unsigned int row)
{
	return run_row_woken(vcpu, row, row == ROW_HALT);
}

#ifdef __x86_64__
/* -- the VMX table ---------------------------------------------------------- */

/*
 * KVM's VMX exit handlers (vmx.c, kvm_vmx_exit_handlers[]), provoked VN
 * times each by a guest and counted by raw reason. Each row names the raw
 * reasons it expects per event and the class kvmx gives them; the GUEST_SYNC
 * ending a row adds one IO_INSTRUCTION. Some expectations depend on what
 * KVM enabled on this CPU (vmx_expect()).
 */
#define VN		16
#define V_PORT		0x510		/* a kvmx DISCARD port: served in the kernel */
#define V_FAST_GPA	0xc0002000ul	/* a kvmx FAST_MMIO doorbell */
#define V_SLOT		20
#define V_GPA		0x50000000ul	/* fresh pages: 2 passes x 3 rows x VN */
#define V_STRIDE	(16 * 4096ul)	/* apart: KVM's PTE prefetch stays out */
#define V_NR_PAGES	(2 * 3 * VN * 16)

enum {
	V_IO, V_CR, V_DR, V_CPUID, V_RDMSR_WRMSR, V_HLT, V_INVD, V_INVLPG, V_RDPMC,
	V_RDTSC, V_VMCALL, V_VMX_INSNS, V_APIC, V_WBINVD, V_XSETBV, V_EPT_READ,
	V_EPT_WRITE, V_EPT_FETCH, V_MISCONFIG, V_FAST_MMIO, V_MONITOR_MWAIT, V_UD,
	NR_VROWS
};

#define V_MAX_RAWS	12

struct vexit {
	__u32 raw;
	unsigned int n;		/* per event */
	unsigned int class;
};

static struct vrow {
	const char *what;
	struct vexit x[V_MAX_RAWS];
	unsigned int to_vmm;	/* per event */
	unsigned int handled;	/* the guest's #UD/#GP handler, per event */
	const char *note;
} vrows[NR_VROWS] = {
	[V_IO] = { "OUT to an in-kernel port", { { 30, 1, KVMX_EXIT_PIO } } },
	[V_CR] = { "MOV to CR0 (CR0.MP flipped)", { { 28, 1, KVMX_EXIT_SYSREG } } },
	[V_DR] = { "MOV to DR0, then CPUID",
		   { { 29, 1, KVMX_EXIT_SYSREG }, { 10, 1, KVMX_EXIT_CPUID } }, 0, 0,
		   "KVM stops intercepting DRs at the first access and re-arms at the next exit" },
	[V_CPUID] = { "CPUID", { { 10, 1, KVMX_EXIT_CPUID } } },
	[V_RDMSR_WRMSR] = { "RDMSR, WRMSR IA32_MISC_ENABLE",
			    { { 31, 1, KVMX_EXIT_SYSREG }, { 32, 1, KVMX_EXIT_SYSREG } } },
	[V_HLT] = { "HLT", { { 12, 1, KVMX_EXIT_HALT } } },
	[V_INVD] = { "INVD", { { 13, 1, KVMX_EXIT_OTHER } } },
	[V_INVLPG] = { "INVLPG", { }, 0, 0, "not intercepted with EPT" },
	[V_RDPMC] = { "RDPMC 0", { { 15, 1, KVMX_EXIT_OTHER } } },
	[V_RDTSC] = { "RDTSC", { }, 0, 0, "not intercepted: KVM offsets the TSC" },
	[V_VMCALL] = { "VMCALL (unknown hypercall)", { { 18, 1, KVMX_EXIT_HYPERCALL } } },
	[V_VMX_INSNS] = { "VMX instructions (11 kinds)",
			  { { 19, 1 }, { 20, 1 }, { 21, 1 }, { 22, 1 }, { 23, 1 }, { 24, 1 },
			    { 25, 1 }, { 26, 1 }, { 27, 1 }, { 50, 1 }, { 53, 1 } }, 0, 11,
			  "the guest has not done VMXON: KVM injects #UD for each" },
	[V_APIC] = { "read of the xAPIC page", { { 48, 1, KVMX_EXIT_STAGE2 } }, 0, 0,
		     "no APICv: APIC-access page left unmapped, KVM emulates the read" },
	[V_WBINVD] = { "WBINVD", { { 54, 1, KVMX_EXIT_OTHER } } },
	[V_XSETBV] = { "XSETBV (XCR0 unchanged)", { { 55, 1, KVMX_EXIT_SYSREG } } },
	[V_EPT_READ] = { "read of a fresh page", { { 48, 1, KVMX_EXIT_STAGE2 } } },
	[V_EPT_WRITE] = { "write to a fresh page", { { 48, 1, KVMX_EXIT_STAGE2 } } },
	[V_EPT_FETCH] = { "call into a fresh page", { { 48, 1, KVMX_EXIT_STAGE2 } } },
	[V_MISCONFIG] = { "read with no memslot, again", { { 49, 1, KVMX_EXIT_MMIO } }, 1, 0,
			  "KVM's MMIO SPTE since the first: an EPT misconfiguration" },
	[V_FAST_MMIO] = { "write to a FAST_MMIO doorbell", { { 49, 1, KVMX_EXIT_MMIO } }, 0, 0,
			  "completed on KVM's fast MMIO bus: no instruction decode" },
	[V_MONITOR_MWAIT] = { "MONITOR, MWAIT",
			      { { 39, 1, KVMX_EXIT_OTHER }, { 36, 1, KVMX_EXIT_HALT } }, 0, 0,
			      "KVM runs both as NOPs (the MWAIT_NEVER_UD_FAULTS quirk)" },
	[V_UD] = { "UD2", { { 0, 1, KVMX_EXIT_EXCEPTION } }, 0, 1,
		   "KVM intercepts #UD (to emulate VMCALL/VMMCALL), then injects it" },
};

/* Exits of KVM's VMX handler table this guest does not make, and why. */
static const char * const vmx_unprovoked[] = {
	"EXTERNAL_INTERRUPT: the host's interrupts, not the guest's (class extint)",
	"TRIPLE_FAULT: ends the vCPU (KVM_EXIT_SHUTDOWN), once",
	"INIT_SIGNAL, SIPI_SIGNAL: sent by another vCPU's local APIC",
	"INTERRUPT_WINDOW, NMI_WINDOW: only while KVM holds an event for a guest that blocks it",
	"TASK_SWITCH: there are no task switches in 64-bit mode",
	"INVPCID: not intercepted with EPT",
	"RDTSCP, RDRAND, RDSEED: not intercepted",
	"PAUSE_INSTRUCTION: pause-loop exiting counts cycles of spinning (ple_window), not PAUSEs",
	"MONITOR_TRAP_FLAG: single-stepping for a debugger (KVM_SET_GUEST_DEBUG)",
	"TPR_BELOW_THRESHOLD, EOI_INDUCED, APIC_WRITE: TPR shadow and APICv with a pending interrupt",
	"GDTR_IDTR, LDTR_TR: descriptor-table exiting, only when KVM emulates UMIP",
	"XSAVES, XRSTORS, ENCLS, VMFUNC, UMWAIT, TPAUSE: not exposed or not intercepted",
	"PML_FULL: dirty logging with PML, every 512 logged pages",
	"PREEMPTION_TIMER: KVM's emulation of the guest's APIC timer",
	"BUS_LOCK, NOTIFY: opt-in VM capabilities",
	"INVALID_STATE, MSR_LOAD_FAIL, MCE_DURING_VMENTRY: VM-entry failures",
};

static u64 vhandled[NR_VROWS];		/* the guest's handlers, per row */
static u64 ud_len;			/* bytes the #UD handler skips */
static int vrow_now;
static u64 have_xsave;			/* the guest's CPUID */
static u64 vmx_mem;			/* an operand for the VMX instructions */

static void vud_handler(struct ex_regs *regs)
{
	vhandled[vrow_now]++;
	regs->rip += ud_len;
}

static void vgp_handler(struct ex_regs *regs)
{
	vhandled[vrow_now]++;
	regs->rip += 2;			/* rdpmc */
}

/* an instruction that raises #UD, as bytes of known length */
#define UD_INSN(len, bytes) do {						\
	WRITE_ONCE(ud_len, len);						\
	asm volatile(bytes : : "a"(&vmx_mem), "b"(0) : "memory");		\
} while (0)

static void vmx_insns(void)
{
	UD_INSN(4, ".byte 0x66, 0x0f, 0xc7, 0x30");		/* vmclear (%rax) */
	UD_INSN(3, ".byte 0x0f, 0x01, 0xc2");			/* vmlaunch */
	UD_INSN(3, ".byte 0x0f, 0xc7, 0x30");			/* vmptrld (%rax) */
	UD_INSN(3, ".byte 0x0f, 0xc7, 0x38");			/* vmptrst (%rax) */
	UD_INSN(3, ".byte 0x0f, 0x78, 0xc3");			/* vmread %rax, %rbx */
	UD_INSN(3, ".byte 0x0f, 0x01, 0xc3");			/* vmresume */
	UD_INSN(3, ".byte 0x0f, 0x79, 0xc3");			/* vmwrite %rbx, %rax */
	UD_INSN(3, ".byte 0x0f, 0x01, 0xc4");			/* vmxoff */
	UD_INSN(4, ".byte 0xf3, 0x0f, 0xc7, 0x30");		/* vmxon (%rax) */
	UD_INSN(5, ".byte 0x66, 0x0f, 0x38, 0x80, 0x18");	/* invept (%rax), %rbx */
	UD_INSN(5, ".byte 0x66, 0x0f, 0x38, 0x81, 0x18");	/* invvpid (%rax), %rbx */
}

static u64 vpage(int pass, int row, int i)
{
	return V_GPA + ((pass * 3 + row - V_EPT_READ) * VN + i) * V_STRIDE;
}

static void vmx_event(int pass, int row, int i)
{
	u64 v, cr0;
	u32 lo, hi;

	switch (row) {
	case V_IO:
		asm volatile("outb %%al, %%dx" : : "a"(0), "d"(V_PORT));
		break;
	case V_CR:
		asm volatile("mov %%cr0, %0" : "=r"(cr0));
		asm volatile("mov %0, %%cr0" : : "r"(cr0 ^ 2));	/* CR0.MP */
		break;
	case V_DR:
		asm volatile("mov %0, %%dr0" : : "r"(0ul));
		asm volatile("cpuid" : "=a"(lo), "=b"(hi) : "a"(0), "c"(0) : "rdx");
		break;
	case V_CPUID:
		asm volatile("cpuid" : "=a"(lo), "=b"(hi) : "a"(0), "c"(0) : "rdx");
		break;
	case V_RDMSR_WRMSR:
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1a0));
		asm volatile("wrmsr" : : "a"(lo), "d"(hi), "c"(0x1a0));
		break;
	case V_HLT:
		asm volatile("hlt");
		break;
	case V_INVD:
		asm volatile("invd" : : : "memory");
		break;
	case V_INVLPG:
		asm volatile("invlpg (%0)" : : "r"(&vmx_mem) : "memory");
		break;
	case V_RDPMC:
		asm volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
		break;
	case V_RDTSC:
		asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
		break;
	case V_VMCALL:
		asm volatile("vmcall" : "=a"(v) : "a"(0x7fff) : "memory");
		break;
	case V_VMX_INSNS:
		vmx_insns();
		break;
	case V_APIC:
		(void)READ_ONCE(*(u32 *)(APIC_DEFAULT_GPA + 0x30));	/* version */
		break;
	case V_WBINVD:
		asm volatile("wbinvd" : : : "memory");
		break;
	case V_XSETBV:
		if (!have_xsave)
			break;
		asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		asm volatile("xsetbv" : : "a"(lo), "d"(hi), "c"(0));
		break;
	case V_EPT_READ:
		(void)READ_ONCE(*(u64 *)vpage(pass, row, i));
		break;
	case V_EPT_WRITE:
		WRITE_ONCE(*(u64 *)vpage(pass, row, i), i);
		break;
	case V_EPT_FETCH:
		((void (*)(void))vpage(pass, row, i))();	/* a RET the host put there */
		break;
	case V_MISCONFIG:
		(void)READ_ONCE(*(u64 *)NOSLOT_GPA);
		break;
	case V_FAST_MMIO:
		WRITE_ONCE(*(u64 *)V_FAST_GPA, i);
		break;
	case V_MONITOR_MWAIT:
		/* whatever the guest's CPUID says: the CPU has them */
		WRITE_ONCE(ud_len, 3);
		asm volatile("monitor" : : "a"(&vmx_mem), "c"(0), "d"(0));
		asm volatile("mwait" : : "a"(0), "c"(0));
		break;
	case V_UD:
		WRITE_ONCE(ud_len, 2);
		asm volatile("ud2");
		break;
	}
}

static void vmx_guest_code(void)
{
	u32 a, b, c, d;
	u64 cr4;
	int pass, row, i;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	have_xsave = !!(c & (1u << 26));
	if (have_xsave) {
		asm volatile("mov %%cr4, %0" : "=r"(cr4));
		asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1ul << 18)));	/* OSXSAVE */
	}
	/* the rows' pages' leaf page tables, walked once now */
	for (i = 0; i < V_NR_PAGES; i += 512)
		(void)READ_ONCE(*(u64 *)(V_GPA + (i + 8) * 4096ul));
	GUEST_SYNC(1000);
	/* twice: the first pass is the warm-up (stage 2, KVM's MMIO SPTEs) */
	for (pass = 0; pass < 2; pass++) {
		for (row = 0; row < NR_VROWS; row++) {
			WRITE_ONCE(vrow_now, row);
			for (i = 0; i < VN; i++)
				vmx_event(pass, row, i);
			GUEST_SYNC(1000 + 1 + row);
		}
	}
	GUEST_DONE();
}

/* Is the running kernel older than @major.@minor? */
static bool kernel_before(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	TEST_ASSERT(!uname(&u) && sscanf(u.release, "%d.%d", &ma, &mi) == 2,
		    "kernel release");
	return ma < major || (ma == major && mi < minor);
}

/* What this CPU and KVM's settings make of the rows that depend on them. */
static void vmx_expect(struct kvm_vm *vvm)
{
	bool xsave = *(u64 *)addr_gva2hva(vvm, (vm_vaddr_t)&have_xsave);
	/* no vPMU: RDPMC gets #GP */
	if (!kvmx_kvm_param("kvm", "enable_pmu", true))
		vrows[V_RDPMC].handled = 1;
	/*
	 * With APICv the read is virtualized. Without, KVM does not map its
	 * APIC-access page (kvm_faultin_pfn(): RET_PF_EMULATE while APICv is
	 * not active): every access is an EPT violation on that private
	 * memslot, and KVM emulates the access.
	 */
	if (kvmx_kvm_param("kvm_intel", "enable_apicv", false)) {
		vrows[V_APIC].x[0].n = 0;
		vrows[V_APIC].note = "APICv: the read is virtualized, no exit";
	} else if (kernel_before(6, 12)) {
		/* retry_instruction(): once unprotected and re-executed, then emulated */
		vrows[V_APIC].x[0].n = 2;
		vrows[V_APIC].note = "no APICv: KVM emulates the read, after retrying it once";
	}
	if (!xsave) {
		vrows[V_XSETBV].x[0].n = 0;
		vrows[V_XSETBV].note = "no XSAVE for the guest (the host booted with noxsave)";
	}
}

/* VM-wide counts per raw reason (< 128) and per class */
static void read_raws(int s, u64 raw[128], u64 cls[KVMX_EXIT_NR_CLASSES])
{
	static struct kvmx_stats *st;
	const size_t size = 1 << 16;
	u32 i;

	if (!st)
		st = malloc(size);
	memset(st, 0, sizeof(*st));
	st->argsz = size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_STATS, st), "KVMX_GET_STATS: %s", strerror(errno));
	memset(raw, 0, 128 * sizeof(*raw));
	memset(cls, 0, KVMX_EXIT_NR_CLASSES * sizeof(*cls));
	for (i = 0; i < st->nr_entries; i++) {
		struct kvmx_stat_entry *e = &st->entries[i];

		if (e->vcpu != KVMX_STAT_VM)
			continue;
		if (e->kind == KVMX_STAT_RAW && e->raw < 128)
			raw[e->raw] = e->count;
		else if (e->kind == KVMX_STAT_CLASS)
			cls[e->class] = e->count;
	}
}

/* KVMX_GET_FAULTS: the VM's first-touch entry */
static struct kvmx_fault_entry first_touch(int s)
{
	static struct kvmx_faults *f;
	struct kvmx_fault_entry none = {};
	const size_t size = 1 << 16;
	u32 i;

	if (!f)
		f = malloc(size);
	memset(f, 0, sizeof(*f));
	f->argsz = size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_FAULTS, f), "KVMX_GET_FAULTS: %s", strerror(errno));
	for (i = 0; i < f->nr_entries; i++)
		if (f->entries[i].kind == KVMX_FAULT_KIND_CLASS &&
		    f->entries[i].vcpu == KVMX_STAT_VM &&
		    f->entries[i].class == KVMX_FAULT_FIRST_TOUCH)
			return f->entries[i];
	return none;
}

static void vmx_table(int kvmx)
{
	struct kvmx_region port = { .argsz = sizeof(port), .addr = V_PORT, .size = 1,
				    .mode = KVMX_MODE_DISCARD, .access_sizes = KVMX_SIZES_ALL,
				    .flags = KVMX_REGION_PIO, .eventfd = -1 };
	struct kvmx_region fast = { .argsz = sizeof(fast), .addr = V_FAST_GPA, .size = 8,
				    .mode = KVMX_MODE_DOORBELL, .access_sizes = KVMX_SIZES_ALL,
				    .flags = KVMX_REGION_FAST_MMIO };
	u64 before[128], after[128], cb[KVMX_EXIT_NR_CLASSES], ca[KVMX_EXIT_NR_CLASSES];
	struct kvmx_fault_entry f0, f1;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vvm;
	u64 *h, i, p;
	int s, row;

	vvm = vm_create_with_one_vcpu(&vcpu, vmx_guest_code);
	vm = vvm;			/* run_row()'s */
	ucall_init(vvm, NULL);
	vm_userspace_mem_region_add(vvm, VM_MEM_SRC_ANONYMOUS, V_GPA, V_SLOT, V_NR_PAGES, 0);
	for (p = 0; p < V_NR_PAGES; p += 16) {
		virt_pg_map(vvm, V_GPA + p * 4096, V_GPA + p * 4096);
		*(u8 *)addr_gpa2hva(vvm, V_GPA + p * 4096) = 0xc3;	/* ret */
	}
	for (p = 8; p < V_NR_PAGES; p += 512)		/* for the walk above */
		virt_pg_map(vvm, V_GPA + p * 4096, V_GPA + p * 4096);
	virt_pg_map(vvm, NOSLOT_GPA, NOSLOT_GPA);
	virt_pg_map(vvm, V_FAST_GPA, V_FAST_GPA);
	virt_pg_map(vvm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);
#ifdef KVMX_X86_IDT_SETUP
	vm_init_descriptor_tables(vvm);
	vcpu_init_descriptor_tables(vcpu);
#endif
	vm_install_exception_handler(vvm, UD_VECTOR, vud_handler);
	vm_install_exception_handler(vvm, GP_VECTOR, vgp_handler);

	s = kvmx_attach(kvmx, vvm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	TEST_ASSERT(!ioctl(s, KVMX_REGION_ADD, &port), "port: %s", strerror(errno));
	fast.eventfd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(!ioctl(s, KVMX_REGION_ADD, &fast), "fast doorbell: %s", strerror(errno));

	run_row_woken(vcpu, 1000, false);	/* the guest's CPUID */
	vmx_expect(vvm);
	for (row = 0; row < NR_VROWS; row++)	/* the warm-up pass */
		run_row_woken(vcpu, 1000 + 1 + row, row == V_HLT);
	h = addr_gva2hva(vvm, (vm_vaddr_t)vhandled);
	memset(h, 0, sizeof(vhandled));

	ksft_print_msg("VMX: KVM's exit handlers, each event %d times (%s)\n", VN,
		       "raw reason: count, class; the GUEST_SYNC's IO_INSTRUCTION not shown");
	for (row = 0; row < NR_VROWS; row++) {
		const struct vrow *r = &vrows[row];
		u64 want[128] = {}, wcls[KVMX_EXIT_NR_CLASSES] = {};
		unsigned int to_vmm, bad = 0, c;
		char line[256];
		int n = 0;

		want[30] = 1;				/* the sync */
		wcls[KVMX_EXIT_PIO] = 1;
		for (i = 0; i < V_MAX_RAWS; i++) {
			want[r->x[i].raw] += VN * r->x[i].n;
			wcls[r->x[i].class] += VN * r->x[i].n;
		}
		read_raws(s, before, cb);
		f0 = first_touch(s);
		to_vmm = run_row_woken(vcpu, 1000 + 1 + row, row == V_HLT);
		read_raws(s, after, ca);
		f1 = first_touch(s);

		for (i = 0; i < 128; i++) {
			if (i == EXIT_REASON_EXTERNAL_INTERRUPT)
				continue;	/* the host's */
			if (after[i] - before[i] == want[i])
				continue;
			ksft_print_msg("VMX %s: raw %lu %s +%lu, expected +%lu\n", r->what, i,
				       kvmx_raw_name(KVMX_ARCH_X86_VMX, i) ?: "?",
				       after[i] - before[i], want[i]);
			bad++;
		}
		for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++) {
			if (c == KVMX_EXIT_EXTINT || ca[c] - cb[c] == wcls[c])
				continue;
			ksft_print_msg("VMX %s: class %s +%lu, expected +%lu\n", r->what,
				       kvmx_class_name(c), ca[c] - cb[c], wcls[c]);
			bad++;
		}
		if (h[row] != VN * r->handled) {
			ksft_print_msg("VMX %s: the guest's handler ran %lu times\n", r->what,
				       h[row]);
			bad++;
		}
		if (to_vmm != VN * r->to_vmm) {
			ksft_print_msg("VMX %s: %u exits to the VMM\n", r->what, to_vmm);
			bad++;
		}
		/* EPT violations: the qualification's access, as decoded */
		if (row >= V_EPT_READ && row <= V_EPT_FETCH) {
			u64 acc = row == V_EPT_READ ? f1.read - f0.read :
				  row == V_EPT_WRITE ? f1.write - f0.write : f1.exec - f0.exec;

			if (f1.count - f0.count != VN || acc != VN) {
				ksft_print_msg("VMX %s: first touch +%llu, that access +%lu\n",
					       r->what, f1.count - f0.count, acc);
				bad++;
			}
		}
		for (i = 0; i < V_MAX_RAWS; i++)
			if (r->x[i].n)
				n += snprintf(line + n, sizeof(line) - n, "%s%s %lu %s",
					      n ? ", " : "",
					      kvmx_raw_name(KVMX_ARCH_X86_VMX, r->x[i].raw),
					      after[r->x[i].raw] - before[r->x[i].raw] -
					      (r->x[i].raw == 30),	/* not the sync's */
					      kvmx_class_name(r->x[i].class));
		ksft_print_msg("  %-32s %s%s\n", r->what, n ? line : "no exit",
			       to_vmm ? " (to the VMM)" : "");
		if (r->note)
			ksft_print_msg("  %-32s ^ %s\n", "", r->note);
		ksft_test_result(!bad, "VMX: %s: %s\n", r->what, n ? line : "no exit");
	}
	ksft_print_msg("VMX exits no guest provokes here, and why:\n");
	for (i = 0; i < ARRAY_SIZE(vmx_unprovoked); i++)
		ksft_print_msg("  %s\n", vmx_unprovoked[i]);

	{
		struct ucall uc;

		vcpu_run(vcpu);
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_DONE, "VMX table: guest not done");
	}
	close(fast.eventfd);
	close(s);
	kvm_vm_free(vvm);
}
#endif

int main(void)
{
	u64 before[KVMX_EXIT_NR_CLASSES], after[KVMX_EXIT_NR_CLASSES];
	struct kvmx_region db = { .argsz = sizeof(db), .addr = DB_GPA, .size = 8,
				  .mode = KVMX_MODE_DOORBELL, .access_sizes = 8 };
	unsigned int to_vmm, row, c;
	struct kvm_vcpu *vcpu;
	u64 *pte, *h;
	int kvmx, s;

	ksft_print_header();
#ifdef __x86_64__
	ksft_set_plan(NR_ROWS + (KVMX_HOST_ARCH() == KVMX_ARCH_X86_VMX ? NR_VROWS : 0));
#else
	ksft_set_plan(NR_ROWS);
#endif

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	virt_pg_map(vm, NOSLOT_GPA, NOSLOT_GPA);
	virt_pg_map(vm, DB_GPA, DB_GPA);
#ifdef __x86_64__
#ifdef KVMX_X86_IDT_SETUP
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
#endif
	vm_install_exception_handler(vm, BP_VECTOR, bp_handler);
	vm_install_exception_handler(vm, UD_VECTOR, ud_handler);
	vm_install_exception_handler(vm, DE_VECTOR, de_handler);
	vm_install_exception_handler(vm, PF_VECTOR, pf_handler);
#else
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, 0x3c /* BRK64 */, brk_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, 0x00 /* unknown */, undef_handler);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, 0x25 /* DABT_CUR */, dabt_handler);
#endif
	/* a page of its own for the stage-1 fault, and its page table in view */
	*(u64 *)addr_gva2hva(vm, (vm_vaddr_t)&pf_page) = vm_vaddr_alloc_page(vm);
	pte = leaf_pte(*(u64 *)addr_gva2hva(vm, (vm_vaddr_t)&pf_page));
	virt_pg_map(vm, PT_GVA, addr_hva2gpa(vm, pte) & ~0xffful);
	*(u64 **)addr_gva2hva(vm, (vm_vaddr_t)&guest_pte) =
		(u64 *)(PT_GVA + (addr_hva2gpa(vm, pte) & 0xfff));

	kvmx = kvmx_open_or_skip();
	s = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	db.eventfd = eventfd(0, EFD_NONBLOCK);
	TEST_ASSERT(!ioctl(s, KVMX_REGION_ADD, &db), "doorbell: %s", strerror(errno));

	for (row = 0; row < NR_ROWS; row++)
		run_row(vcpu, row);		/* the warm-up pass */
	h = addr_gva2hva(vm, (vm_vaddr_t)handled);
	memset(h, 0, sizeof(handled));
	ksft_print_msg("%-4s %-30s %-8s %8s %8s %8s %8s   (each event %d times)\n", "seed",
		       "guest event", "seeds", "handled", "exits", "class", "to VMM", N);
	for (row = 0; row < NR_ROWS; row++) {
		const struct row *r = &rows[row];
		unsigned int exits, bad = 0;

		read_classes(s, before);
		to_vmm = run_row(vcpu, row);
		read_classes(s, after);

		/* the row's class by exactly its count; others by nothing */
		for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++) {
			u64 want = (c == r->class ? N * r->exits : 0) + (c == UCALL_CLASS);

			if (c == KVMX_EXIT_EXTINT)
				continue;
			if (after[c] - before[c] > want ||
			    after[c] - before[c] + (c == r->class ? r->slack : 0) < want) {
				ksft_print_msg("row %s %s: class %s changed by %lu, expected %lu\n",
					       r->seed, r->what, kvmx_class_name(c),
					       after[c] - before[c], want);
				bad++;
			}
		}
		exits = after[r->class] - before[r->class] - (r->class == UCALL_CLASS);
		if (h[row] != N * r->handled) {
			ksft_print_msg("row %s: the guest's handler ran %lu times\n", r->seed,
				       h[row]);
			bad++;
		}
		if (to_vmm != N * r->to_vmm) {
			ksft_print_msg("row %s: %u exits to the VMM\n", r->seed, to_vmm);
			bad++;
		}
		ksft_print_msg("%-4s %-30s %-8s %8lu %8u %8s %8u\n", r->seed, r->what,
			       r->seeds_say, h[row], exits, kvmx_class_name(r->class), to_vmm);
		if (r->note)
			ksft_print_msg("     ^ %s\n", r->note);
		ksft_test_result(!bad, "%s: %s: %u exits (%s), %u to the VMM\n", r->seed, r->what,
				 exits, kvmx_class_name(r->class), to_vmm);
	}
	close(db.eventfd);
	close(s);
	kvm_vm_free(vm);
#ifdef __x86_64__
	if (KVMX_HOST_ARCH() == KVMX_ARCH_X86_VMX)
		vmx_table(kvmx);
#endif
	close(kvmx);
	ksft_finished();
}
