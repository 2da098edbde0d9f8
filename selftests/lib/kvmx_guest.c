// SPDX-License-Identifier: GPL-2.0
/*
 * The guest that performs the accesses its host asks for, and the host
 * side that runs it (include/kvmx_guest.h says how): built once, linked
 * into the selftests of regions, the exit policy, safety and locking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"
#include "syndrome.h"
#include "kvmx_guest.h"

/* in the guest image, shared: the host writes them through addr_gva2hva() */
struct guest_cmd cmds[1 + 4];

static void guest_access(struct guest_cmd *c, u64 addr, u64 i)
{
	u64 v = c->value + i, r = 0;

	switch (c->op) {
	case OP_WRITE:
		switch (c->size) {
		case 1:
			WRITE_ONCE(*(u8 *)addr, v);
			break;
		case 2:
			WRITE_ONCE(*(u16 *)addr, v);
			break;
		case 4:
			WRITE_ONCE(*(u32 *)addr, v);
			break;
		default:
			WRITE_ONCE(*(u64 *)addr, v);
			break;
		}
		break;
	case OP_READ:
		switch (c->size) {
		case 1:
			r = READ_ONCE(*(u8 *)addr);
			break;
		case 2:
			r = READ_ONCE(*(u16 *)addr);
			break;
		case 4:
			r = READ_ONCE(*(u32 *)addr);
			break;
		default:
			r = READ_ONCE(*(u64 *)addr);
			break;
		}
		break;
#ifdef __x86_64__
	case OP_OUT:
		switch (c->size) {
		case 1:
			asm volatile("outb %b0, %w1" : : "a"(v), "d"(addr));
			break;
		case 2:
			asm volatile("outw %w0, %w1" : : "a"(v), "d"(addr));
			break;
		default:
			asm volatile("outl %k0, %w1" : : "a"(v), "d"(addr));
			break;
		}
		break;
	case OP_IN:
		switch (c->size) {
		case 1:
			asm volatile("inb %w1, %b0" : "=a"(r) : "d"(addr));
			r &= 0xff;
			break;
		case 2:
			asm volatile("inw %w1, %w0" : "=a"(r) : "d"(addr));
			r &= 0xffff;
			break;
		default:
			asm volatile("inl %w1, %k0" : "=a"(r) : "d"(addr));
			r &= 0xffffffff;
			break;
		}
		break;
	case OP_TRAP:
		/* an exit of a class the ucall does not use */
		asm volatile("cpuid" : "=a"(r) : "a"(0), "c"(0) : "rbx", "rdx");
		break;
#else
	case OP_TRAP:
		/* a trapped system register (the OS lock status) */
		asm volatile("mrs %0, oslsr_el1" : "=r"(r));
		break;
	case OP_LDP: {
		u64 r2;

		/* a pair load: a data abort without a valid syndrome */
		asm volatile("ldp %0, %1, [%2]" : "=&r"(r), "=&r"(r2) : "r"(addr) : "memory");
		r ^= r2;
		break;
	}
#endif
	}
	if (i < 64)
		c->result[i] = r;
}

void guest_code(struct guest_cmd *c)
{
	u64 i;

	for (;;) {
		GUEST_SYNC(0);
		if (READ_ONCE(c->op) == OP_DONE)
			break;
		for (i = 0; i < c->count; i++)
			guest_access(c, c->addr + i * c->stride, i);
	}
	GUEST_DONE();
}

/* -- host side ---------------------------------------------------------- */

struct kvm_vm *vm;
int sess;
unsigned int user_exits;

/* Run @vcpu through one command; the VMM answers reads with 0x5a bytes. */
void do_cmd(struct kvm_vcpu *vcpu, struct guest_cmd *c, struct guest_op o)
{
	struct kvm_run *run = vcpu->run;
	struct guest_cmd *gc = addr_gva2hva(vm, (vm_vaddr_t)c);
	struct ucall uc;

	*gc = (struct guest_cmd){ .op = o.op, .addr = o.addr, .size = o.size,
				  .count = o.count, .value = o.value, .stride = o.stride };
	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			return;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		case UCALL_NONE:
			break;
		default:
			TEST_FAIL("ucall %lu", uc.cmd);
		}
		/* an access no region served: the VMM's */
		if (run->exit_reason == KVM_EXIT_MMIO) {
			__atomic_add_fetch(&user_exits, 1, __ATOMIC_RELAXED);
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0x5a, sizeof(run->mmio.data));
		} else if (run->exit_reason == KVM_EXIT_IO) {
			__atomic_add_fetch(&user_exits, run->io.count, __ATOMIC_RELAXED);
			if (run->io.direction == KVM_EXIT_IO_IN)
				memset((void *)run + run->io.data_offset, 0x5a,
				       run->io.size * run->io.count);
		} else {
			TEST_FAIL("exit reason %u", run->exit_reason);
		}
	}
}

/*
 * KVMX_REGION_LIST of session @fd, room for every region; on the heap: the
 * test's ELF, .bss included, is loaded into the guest.
 */
struct kvmx_region_list *region_list(int fd)
{
	static struct kvmx_region_list *buf;
	const size_t size = sizeof(*buf) + 8200 * sizeof(buf->entries[0]);

	if (!buf)
		buf = malloc(size);
	buf->argsz = size;
	buf->flags = 0;
	TEST_ASSERT(!ioctl(fd, KVMX_REGION_LIST, buf), "KVMX_REGION_LIST: %s",
		    strerror(errno));
	return buf;
}

/*
 * The VM of these tests: @nr vCPUs running guest_code (vCPU i on cmds[i],
 * in *@all), @npages identity-mapped at @base, a kvmx session in sess;
 * vCPU 0 is at its first GUEST_SYNC.
 */
void guest_setup(int kvmx, unsigned int nr, struct kvm_vcpu **all, u64 base,
		 unsigned int npages)
{
	unsigned int i;

	vm = vm_create_with_vcpus(nr, guest_code, all);
	ucall_init(vm, NULL);
	virt_map(vm, base, base, npages);
	for (i = 0; i < nr; i++)
		vcpu_args_set(all[i], 1, &cmds[i]);
	sess = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(sess >= 0, "KVMX_ATTACH_VM: %s", strerror(-sess));
	do_cmd(all[0], &cmds[0], (struct guest_op){ .op = OP_WRITE });
}

/* KVMX_SET_POLICY of @p (of this API's size) on @fd: 0 or -errno */
int set_policy(int fd, struct kvmx_policy *p)
{
	p->argsz = sizeof(*p);
	return kvmx_ret(ioctl(fd, KVMX_SET_POLICY, p));
}

/* KVMX_GET_POLICY of @fd into @p, which must succeed */
void get_policy(int fd, struct kvmx_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->argsz = sizeof(*p);
	TEST_ASSERT(!ioctl(fd, KVMX_GET_POLICY, p), "KVMX_GET_POLICY: %s", strerror(errno));
}

/* The exits to the VMM since the last call were @n; counted afresh from here. */
void expect_user(unsigned int n, const char *what)
{
	TEST_ASSERT(user_exits == n, "%s: %u exits to the VMM, expected %u", what,
		    user_exits, n);
	user_exits = 0;
}

#ifdef __aarch64__
/* the guest's data abort handler: record, skip the access */
static u64 aborts, abort_esr, abort_far;

static void dabt_handler(struct ex_regs *regs)
{
	u64 esr, far;

	asm volatile("mrs %0, esr_el1" : "=r"(esr));
	asm volatile("mrs %0, far_el1" : "=r"(far));
	WRITE_ONCE(abort_esr, esr);
	WRITE_ONCE(abort_far, far);
	WRITE_ONCE(aborts, aborts + 1);
	regs->pc += 4;
}

static u64 guest_u64(u64 *gva)
{
	return *(u64 *)addr_gva2hva(vm, (vm_vaddr_t)gva);
}

/* @vcpu's data aborts (the current EL's: an injected one) go to dabt_handler */
void guest_catch_aborts(struct kvm_vcpu *vcpu)
{
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_sync_handler(vm, VECTOR_SYNC_CURRENT, KVMX_ESR_EC_DABT_CUR, dabt_handler);
}

/*
 * ESR's architected syndrome is its low 32 bits; 6.1's inject_abt64()
 * sign-extends "EC << 26" into the upper ones, which are not checked.
 */
void expect_aborts(u64 n, u64 far, const char *what)
{
	u32 esr = guest_u64(&abort_esr);

	TEST_ASSERT(guest_u64(&aborts) == n, "%s: %lu aborts, expected %lu", what,
		    guest_u64(&aborts), n);
	*(u64 *)addr_gva2hva(vm, (vm_vaddr_t)&aborts) = 0;
	if (!n)
		return;
	/* a synchronous external abort, not on a table walk (DFSC 0x10) */
	TEST_ASSERT(KVMX_ESR_EC(esr) == KVMX_ESR_EC_DABT_CUR && (esr & KVMX_ESR_FSC_MASK) == 0x10,
		    "%s: ESR 0x%x: EC 0x%llx DFSC 0x%llx, expected 0x25 (DABT_CUR), 0x10", what,
		    esr, KVMX_ESR_EC(esr), esr & KVMX_ESR_FSC_MASK);
	TEST_ASSERT(guest_u64(&abort_far) == far, "%s: FAR 0x%lx, expected 0x%lx", what,
		    guest_u64(&abort_far), far);
}
#endif
