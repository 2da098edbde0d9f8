// SPDX-License-Identifier: GPL-2.0
/*
 * x86 exit probes: KVM's kvm_exit and kvm_entry tracepoints (exported by
 * kvm.ko). The exit reason and its info words come from the vendor module
 * through kvm_x86_ops.get_exit_info, as the kvm_exit trace event itself
 * gets them.
 *
 * Where they fire: VMX and SVM on 6.12 trace kvm_exit right after the VM
 * exit, before the fastpath; SVM on 6.1 traces it in svm_handle_exit(), so
 * exits the fastpath handles (and re-enters) are not seen there, by kvmx or
 * by anyone else. kvm_entry fires before every entry.
 *
 * VMX: the GPA of an EPT violation is not part of get_exit_info; such exits
 * are counted as stage-2 faults without a GPA. QEMU TCG has no VMX, so this
 * path is built and unit-tested but not run here.
 */
#include <linux/tracepoint.h>
#include "kvmx.h"

u32 kvmx_arch_id(void)
{
	return strcmp(kvmx_syms.x86_ops->name, "kvm_amd") ?
		KVMX_ARCH_X86_VMX : KVMX_ARCH_X86_SVM;
}

/* kvm_rip_read() without KVM's private headers */
unsigned long kvmx_arch_guest_pc(struct kvm_vcpu *vcpu)
{
	if (!test_bit(VCPU_REGS_RIP, (unsigned long *)&vcpu->arch.regs_avail))
		kvmx_syms.x86_ops->cache_reg(vcpu, VCPU_REGS_RIP);
	return vcpu->arch.regs[VCPU_REGS_RIP];
}

static void kvmx_x86_exit(void *data, struct kvm_vcpu *vcpu, u32 isa)
{
	struct kvmx_vm *vm = kvmx_vm_find(vcpu->kvm);
	struct kvmx_exit e = {};
	u32 intr_info, error_code;

	if (likely(!vm))
		return;

	kvmx_syms.x86_ops->get_exit_info(vcpu, &e.raw, &e.info[0], &e.info[1],
					 &intr_info, &error_code);
	e.info[2] = intr_info | (u64)error_code << 32;
	e.class = kvmx_exit_class(vm->arch, e.raw);
	if (kvmx_exit_has_gpa(vm->arch, e.raw)) {
		e.gpa = e.info[1];		/* SVM NPF: EXITINFO2 */
		e.flags |= KVMX_REC_GPA_VALID;
	}
	kvmx_observe_exit(vm, vcpu, &e);
}

static void kvmx_x86_entry(void *data, struct kvm_vcpu *vcpu, bool immediate_exit)
{
	struct kvmx_vm *vm = kvmx_vm_find(vcpu->kvm);

	if (unlikely(vm))
		kvmx_observe_entry(vm, vcpu);
}

int __init kvmx_arch_init(void)
{
	return 0;
}

int kvmx_arch_probes_register(void)
{
	int ret;

	ret = tracepoint_probe_register(&__tracepoint_kvm_exit, kvmx_x86_exit, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(&__tracepoint_kvm_entry, kvmx_x86_entry, NULL);
	if (ret)
		tracepoint_probe_unregister(&__tracepoint_kvm_exit, kvmx_x86_exit, NULL);
	return ret;
}

void kvmx_arch_probes_unregister(void)
{
	tracepoint_probe_unregister(&__tracepoint_kvm_entry, kvmx_x86_entry, NULL);
	tracepoint_probe_unregister(&__tracepoint_kvm_exit, kvmx_x86_exit, NULL);
}
