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
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "kvmx_waker.h"
#include "exit_class.h"

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

/* Run @vcpu to the end of @row; returns its exits to the VMM. */
static unsigned int run_row(struct kvm_vcpu *vcpu, unsigned int row)
{
	unsigned int to_vmm = 0, c;
	struct kvmx_waker w;
	struct ucall uc;

	if (row == ROW_HALT)
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
	if (row == ROW_HALT)
		kvmx_waker_stop(&w);
	return to_vmm;
}

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
	ksft_set_plan(NR_ROWS);

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

	kvmx = kvmx_open();
	TEST_ASSERT(kvmx >= 0, "open /dev/kvmx: %s", strerror(-kvmx));
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
	close(kvmx);
	ksft_finished();
}
