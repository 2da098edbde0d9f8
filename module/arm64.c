// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 exit probes: KVM's kvm_exit(ret, esr_ec, pc) and kvm_entry(pc)
 * tracepoints. KVM is built in; its tracepoints are found by name at load.
 * They carry no vCPU: it is the one running on this CPU
 * (kvm_get_running_vcpu()), the probes being called from the vCPU run loop
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

static struct tracepoint *kvmx_tp_exit, *kvmx_tp_entry;

u32 kvmx_arch_id(void)
{
	return KVMX_ARCH_ARM64;
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

static void kvmx_arm64_exit(void *data, int ret, unsigned int esr_ec,
			    unsigned long pc)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct kvmx_vm *vm = vcpu ? kvmx_vm_find(vcpu->kvm) : NULL;
	struct kvmx_exit e = {};

	if (likely(!vm))
		return;

	e.raw = kvmx_arm64_raw(ret, esr_ec);
	e.class = kvmx_exit_class(KVMX_ARCH_ARM64, e.raw);
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
	kvmx_observe_exit(vm, vcpu, &e);
}

unsigned long kvmx_arch_guest_pc(struct kvm_vcpu *vcpu)
{
	return *vcpu_pc(vcpu);
}

static void kvmx_arm64_entry(void *data, unsigned long pc)
{
	struct kvm_vcpu *vcpu = kvm_get_running_vcpu();
	struct kvmx_vm *vm = vcpu ? kvmx_vm_find(vcpu->kvm) : NULL;

	if (unlikely(vm))
		kvmx_observe_entry(vm, vcpu);
}

static void __init kvmx_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "kvm_exit"))
		kvmx_tp_exit = tp;
	else if (!strcmp(tp->name, "kvm_entry"))
		kvmx_tp_entry = tp;
}

int __init kvmx_arch_init(void)
{
	for_each_kernel_tracepoint(kvmx_find_tp, NULL);
	if (!kvmx_tp_exit || !kvmx_tp_entry) {
		pr_err("cannot find tracepoint %s\n", kvmx_tp_exit ? "kvm_entry" : "kvm_exit");
		return -ENOENT;
	}
	return 0;
}

int kvmx_arch_probes_register(void)
{
	int ret;

	ret = tracepoint_probe_register(kvmx_tp_exit, kvmx_arm64_exit, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(kvmx_tp_entry, kvmx_arm64_entry, NULL);
	if (ret)
		tracepoint_probe_unregister(kvmx_tp_exit, kvmx_arm64_exit, NULL);
	return ret;
}

void kvmx_arch_probes_unregister(void)
{
	tracepoint_probe_unregister(kvmx_tp_entry, kvmx_arm64_entry, NULL);
	tracepoint_probe_unregister(kvmx_tp_exit, kvmx_arm64_exit, NULL);
}
