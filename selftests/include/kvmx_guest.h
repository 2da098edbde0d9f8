/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest that performs the accesses its host asks for, and the host side
 * that runs it: shared by the selftests of regions and of the exit policy.
 * The guest loops on GUEST_SYNC; the host writes a struct guest_cmd (op,
 * address, size, count, value, stride) and runs the vCPU to the next sync,
 * answering every exit to the VMM (reads get 0x5a bytes) and counting them
 * in user_exits.
 *
 * Include after kvm_util.h and processor.h; lib/kvmx_guest.c has the code
 * and the globals cmds (in the guest image: one command per vCPU), vm, sess
 * and user_exits. Guest addresses are guest-physical = guest-virtual.
 */
#ifndef _KVMX_GUEST_H
#define _KVMX_GUEST_H

enum { OP_WRITE = 1, OP_READ, OP_OUT, OP_IN, OP_TRAP, OP_LDP, OP_DONE };

struct guest_cmd {
	u64 op, addr, size, count, value, stride;
	u64 result[64];
};

/*
 * What do_cmd() asks the guest: @count accesses @op of @size bytes, the
 * i-th at @addr + i * @stride, writing @value + i
 */
struct guest_op {
	u64 op, addr, size, count, value, stride;
};

/*
 * A case of a test of the access guest, run on vCPU 0 and its command: one
 * TAP result. A test's plan is the number of its cases, not a count kept
 * by hand.
 */
struct guest_case {
	void (*fn)(struct kvm_vcpu *vcpu, struct guest_cmd *c);
};

/* in the guest image, shared: the host writes them through addr_gva2hva() */
extern struct guest_cmd cmds[1 + 4];
extern struct kvm_vm *vm;
extern int sess;
extern unsigned int user_exits;		/* MMIO/PIO exits to this VMM */

void guest_code(struct guest_cmd *c);
void do_cmd(struct kvm_vcpu *vcpu, struct guest_cmd *c, struct guest_op o);
struct kvmx_region_list *region_list(int fd);
void guest_setup(int kvmx, unsigned int nr, struct kvm_vcpu **all, u64 base,
		 unsigned int npages);
void expect_user(unsigned int n, const char *what);
int set_policy(int fd, struct kvmx_policy *p);
void get_policy(int fd, struct kvmx_policy *p);
#ifdef __aarch64__
/* arm64: the guest skips the accesses that abort, counted; see expect_aborts() */
void guest_catch_aborts(struct kvm_vcpu *vcpu);
/* @n aborts since the last call (counted afresh), the last at @far if any */
void expect_aborts(u64 n, u64 far, const char *what);
#endif

#endif /* _KVMX_GUEST_H */
