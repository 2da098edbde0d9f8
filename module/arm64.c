// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 probes: KVM's kvm_exit(ret, esr_ec, pc), kvm_entry(pc) and
 * kvm_guest_fault(pc, esr, far, ipa) tracepoints. KVM is built in; its
 * tracepoints are found by name at load. They carry no vCPU: it is the one
 * running on this CPU (kvm_get_running_vcpu(), which 7.x no longer exports:
 * resolved by symbols.c), the probes being called from the vCPU run loop
 * with preemption disabled.
 *
 * Raw reasons: for a trap (ARM_EXCEPTION_TRAP) the ESR_EL2 exception class;
 * otherwise KVMX_ARM64_EXIT_BASE + the ARM_EXCEPTION_* code (IRQ, SError,
 * illegal exception return) or KVMX_ARM64_EXIT_HYP_GONE. The syndrome
 * words (ESR, FAR, HPFAR) are recorded for traps only.
 */
#include <linux/tracepoint.h>
#include <asm/kvm_asm.h>
#include <asm/kvm_emulate.h>
#include "kvmx.h"

static struct tracepoint *kvmx_tp_exit, *kvmx_tp_entry, *kvmx_tp_fault;

/* Nothing to check per VM: the functions kvmx calls were checked at load. */
int kvmx_arch_vm_check(struct kvm *kvm)
{
	return 0;
}

/* KVM's nested virtualization is not enabled on the kernels kvmx supports */
bool kvmx_arch_vcpu_nested(struct kvm_vcpu *vcpu)
{
	return false;
}

u32 kvmx_arch_id(void)
{
	return KVMX_ARCH_ARM64;
}

/* KVM_FAST_MMIO_BUS is dispatched by VMX only */
bool kvmx_arch_has_fast_mmio(const struct kvmx_vm *vm)
{
	return false;
}

static u32 kvmx_arm64_raw(int ret, unsigned int esr_ec)
{
	u32 code = ARM_EXCEPTION_CODE(ret);

	if (code == ARM_EXCEPTION_TRAP)
		return esr_ec;
	if (code == ARM_EXCEPTION_HYP_GONE)
		return KVMX_ARM64_EXIT_HYP_GONE;
	if (code < 4)
		return KVMX_ARM64_EXIT_BASE + code;
	return KVMX_ARM64_EXIT_UNKNOWN;
}

/*
 * A probe's start: its section (kvmx_probe_enter(), which the probe ends
 * with kvmx_probe_exit()), the vCPU running on this CPU in *@vcpu, and
 * that vCPU's attached VM or NULL.
 */
static struct kvmx_vm *kvmx_arm64_probe_begin(struct kvm_vcpu **vcpu)
{
	kvmx_probe_enter();
	*vcpu = kvmx_syms.get_running_vcpu();
	return *vcpu ? kvmx_vm_find((*vcpu)->kvm) : NULL;
}

static void kvmx_arm64_exit_observe(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
				    int ret, unsigned int esr_ec)
{
	struct kvmx_exit e = {};

	e.raw = kvmx_arm64_raw(ret, esr_ec);
	e.slot = kvmx_raw_slot(KVMX_ARCH_ARM64, e.raw);
	e.class = kvmx_slot_class[KVMX_ARCH_ARM64][e.slot];
	if (ARM_EXCEPTION_IS_TRAP(ret)) {
		e.info[0] = kvm_vcpu_get_esr(vcpu);
		e.info[1] = kvm_vcpu_get_hfar(vcpu);
		e.info[2] = vcpu->arch.fault.hpfar_el2;
		if (kvmx_exit_has_gpa(KVMX_ARCH_ARM64, e.raw)) {
			/* HPFAR gives the IPA's page, FAR the offset in it */
			e.gpa = kvm_vcpu_get_fault_ipa(vcpu) |
				(kvm_vcpu_get_hfar(vcpu) & (BIT(12) - 1));
			e.flags |= KVMX_REC_GPA_VALID;
		}
	}
	kvmx_vcpu_exit(vm, vcpu, &e);
}

static void kvmx_arm64_exit(void *data, int ret, unsigned int esr_ec,
			    unsigned long pc)
{
	struct kvm_vcpu *vcpu;
	struct kvmx_vm *vm = kvmx_arm64_probe_begin(&vcpu);

	if (unlikely(vm))
		kvmx_arm64_exit_observe(vm, vcpu, ret, esr_ec);
	kvmx_probe_exit();
}

unsigned long kvmx_arch_guest_pc(struct kvm_vcpu *vcpu)
{
	return *vcpu_pc(vcpu);
}

static void kvmx_arm64_entry(void *data, unsigned long pc)
{
	struct kvm_vcpu *vcpu;
	struct kvmx_vm *vm = kvmx_arm64_probe_begin(&vcpu);

	if (unlikely(vm))
		kvmx_vcpu_entry(vm, vcpu);
	kvmx_probe_exit();
}

/*
 * kvm_guest_fault(pc, esr, far, ipa), from kvm_handle_guest_abort() for
 * every DABT_LOW/IABT_LOW but the synchronous external aborts KVM handles
 * first. @ipa is HPFAR's page; FAR gives the offset in it.
 */
static void kvmx_arm64_guest_fault(void *data, unsigned long pc,
				   unsigned long esr, unsigned long far,
				   unsigned long long ipa)
{
	struct kvm_vcpu *vcpu;
	struct kvmx_vm *vm = kvmx_arm64_probe_begin(&vcpu);

	if (unlikely(vm))
		kvmx_fault_probe(vm, vcpu, (ipa & ~0xfffULL) | (far & 0xfff), esr, pc);
	kvmx_probe_exit();
}

/*
 * Outcome of a fault from KVM's counters: io_mem_abort() counts an access
 * completed by an in-kernel device in mmio_exit_kernel and one forwarded
 * to the VMM in mmio_exit_user. Neither: KVM injected an abort (an
 * instruction fetch or a table walk outside memory), or failed the access.
 */
void kvmx_arch_fault_snap(struct kvm_vcpu *vcpu, u64 snap[2])
{
	snap[0] = vcpu->stat.mmio_exit_user;
	snap[1] = vcpu->stat.mmio_exit_kernel;
}

enum kvmx_fault_outcome kvmx_arch_fault_outcome(struct kvm_vcpu *vcpu,
						const u64 snap[2])
{
	if (vcpu->stat.mmio_exit_user != snap[0])
		return KVMX_OUTCOME_MMIO_USER;
	if (vcpu->stat.mmio_exit_kernel != snap[1])
		return KVMX_OUTCOME_MMIO_KERNEL;
	return KVMX_OUTCOME_NONE;
}

static const struct {
	const char *name;
	struct tracepoint **tp;
} kvmx_arm64_tps[] = {
	{ "kvm_exit", &kvmx_tp_exit },
	{ "kvm_entry", &kvmx_tp_entry },
	{ "kvm_guest_fault", &kvmx_tp_fault },
};

static void __init kvmx_find_tp(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kvmx_arm64_tps); i++)
		if (!strcmp(tp->name, kvmx_arm64_tps[i].name))
			*kvmx_arm64_tps[i].tp = tp;
}

/*
 * Exit policy hook: io_mem_abort(), where KVM takes a data abort outside
 * memslots. It offers the access to the in-kernel devices and, if none
 * claims it, prepares KVM_EXIT_MMIO and returns 0; an abort without a
 * valid syndrome it cannot emulate at all (its only error return, or
 * KVM_EXIT_ARM_NISV if the VMM asked). The wrapper calls it and then, as
 * the policy says:
 * DISCARD completes the access here as an in-kernel device would (KVM's
 * kvm_handle_mmio_return() loads the all-ones data and steps the PC);
 * INJECT drops the pending MMIO and injects an external data abort at the
 * faulting address (kvm_inject_dabt(), as KVM does for a table walk outside
 * memory). KVM's mmio_exit_user/mmio_exit_kernel counters are corrected so
 * they keep telling where the access went.
 */
static int kvmx_arm64_io_mem_abort(struct kvm_vcpu *vcpu, phys_addr_t fault_ipa)
{
	u32 action = KVMX_POLICY_FORWARD;
	int idx = kvmx_hook_enter();
	int ret;

	ret = kvmx_syms.io_mem_abort(vcpu, fault_ipa);
	/*
	 * What KVM did, from kernel state only: vcpu->run is the VMM's page,
	 * written by it at any time. With a valid syndrome, 0 means the access
	 * is prepared for the VMM (vcpu->mmio_needed); without one, 0 is
	 * KVM_EXIT_ARM_NISV and < 0 an access KVM cannot emulate. The policy
	 * decides under RCU, what it asks for is done after: kvm_inject_sea()
	 * may sleep on 7.x (a nested guest's abort goes through the PMU's
	 * perf events).
	 */
	rcu_read_lock();
	if (!ret && kvm_vcpu_dabt_isvalid(vcpu) && vcpu->mmio_needed)
		action = kvmx_policy_unclaimed(vcpu, false, fault_ipa);
	else if (ret <= 0 && !kvm_vcpu_dabt_isvalid(vcpu))
		action = kvmx_policy_unbacked(vcpu) == KVMX_POLICY_INJECT ?
			 KVMX_POLICY_INJECT : KVMX_POLICY_FORWARD;
	rcu_read_unlock();

	switch (action) {
	case KVMX_POLICY_DISCARD:
		/*
		 * All ones for a load. kvm_handle_mmio_return() takes the size
		 * and direction from the syndrome; the buffer is filled whole,
		 * never by a length read from run.
		 */
		if (!kvm_vcpu_dabt_iswrite(vcpu))
			memset(vcpu->run->mmio.data, 0xff, sizeof(vcpu->run->mmio.data));
		vcpu->stat.mmio_exit_user--;
		vcpu->stat.mmio_exit_kernel++;
		kvmx_syms.handle_mmio_return(vcpu);
		ret = 1;
		break;
	case KVMX_POLICY_INJECT:
		if (kvm_vcpu_dabt_isvalid(vcpu)) {
			/* an MMIO access prepared for the VMM: take it back */
			vcpu->mmio_needed = 0;
			vcpu->stat.mmio_exit_user--;
		}
		ret = kvmx_inject_dabt(kvmx_syms.inject_dabt, vcpu, kvm_vcpu_get_hfar(vcpu));
		break;
	}
	kvmx_hook_leave(idx);
	return ret;
}

static struct kvmx_hook kvmx_arm64_hook = { .wrapper = kvmx_arm64_io_mem_abort };

int kvmx_arch_policy_hooks(bool on)
{
	return kvmx_hooks_set(&kvmx_arm64_hook, 1, on);
}

int __init kvmx_arch_init(void)
{
	unsigned int i;

	for_each_kernel_tracepoint(kvmx_find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(kvmx_arm64_tps); i++) {
		if (!*kvmx_arm64_tps[i].tp) {
			pr_err("cannot find tracepoint %s\n", kvmx_arm64_tps[i].name);
			return -ENOENT;
		}
	}
	kvmx_arm64_hook.addr = (unsigned long)kvmx_syms.io_mem_abort;
	return kvmx_hook_init(&kvmx_arm64_hook);
}

void kvmx_arch_exit(void)
{
	kvmx_hook_fini(&kvmx_arm64_hook);
}

int kvmx_arch_probes_register(void)
{
	int ret;

	ret = tracepoint_probe_register(kvmx_tp_exit, kvmx_arm64_exit, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(kvmx_tp_entry, kvmx_arm64_entry, NULL);
	if (ret)
		goto err_exit;
	ret = tracepoint_probe_register(kvmx_tp_fault, kvmx_arm64_guest_fault, NULL);
	if (ret)
		goto err_entry;
	return 0;

err_entry:
	tracepoint_probe_unregister(kvmx_tp_entry, kvmx_arm64_entry, NULL);
err_exit:
	tracepoint_probe_unregister(kvmx_tp_exit, kvmx_arm64_exit, NULL);
	return ret;
}

void kvmx_arch_probes_unregister(void)
{
	tracepoint_probe_unregister(kvmx_tp_fault, kvmx_arm64_guest_fault, NULL);
	tracepoint_probe_unregister(kvmx_tp_entry, kvmx_arm64_entry, NULL);
	tracepoint_probe_unregister(kvmx_tp_exit, kvmx_arm64_exit, NULL);
}
