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

/* The exits to the VMM since the last call were @n; counted afresh from here. */
void expect_user(unsigned int n, const char *what)
{
	TEST_ASSERT(user_exits == n, "%s: %u exits to the VMM, expected %u", what,
		    user_exits, n);
	user_exits = 0;
}
