// SPDX-License-Identifier: GPL-2.0
/*
 * x86 probes: KVM's kvm_exit, kvm_entry and kvm_page_fault tracepoints
 * (exported by kvm.ko). The exit reason and its info words come from the vendor module
 * through kvm_x86_ops.get_exit_info, as the kvm_exit trace event itself
 * gets them.
 *
 * Where they fire: VMX and SVM on 6.12 trace kvm_exit right after the VM
 * exit, before the fastpath; SVM on 6.1 traces it in svm_handle_exit(), so
 * exits the fastpath handles (and re-enters) are not seen there, by kvmx or
 * by anyone else. kvm_entry fires before every entry.
 *
 * VMX: the GPA of an EPT violation or misconfiguration is not part of
 * get_exit_info; kvmx reads it from the VMCS (kvmx_vmread()), as it reads
 * the exit reason of exits it only counts. Tested under Bochs (an emulated
 * Intel CPU with VMX and EPT), not on real hardware.
 */
#include <linux/clocksource.h>
#include <linux/tracepoint.h>
#include <asm/hypervisor.h>
#include <asm/tsc.h>
#include <asm/vmx.h>
#include "kvmx.h"

/* A VM can be attached: the vendor's ops kvmx calls are callable. */
int kvmx_arch_vm_check(struct kvm *kvm)
{
	/*
	 * A VM whose guest state is protected (SEV-ES, SNP, TDX): its vCPUs'
	 * registers are not KVM's to read (vt_cache_reg() WARNs for a TD), and
	 * a TD vCPU runs without a VMCS kvmx could VMREAD.
	 */
	if (kvmx_kvm_state_protected(kvm))
		return -EOPNOTSUPP;
	return kvmx_check_vendor_ops();
}

/* Is @vcpu running a nested (L2) guest? Its GPAs are not the VM's. */
bool kvmx_arch_vcpu_nested(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.hflags & HF_GUEST_MASK;
}

u32 kvmx_arch_id(void)
{
	return strcmp(kvmx_syms.x86_ops->name, "kvm_amd") ?
		KVMX_ARCH_X86_VMX : KVMX_ARCH_X86_SVM;
}

/*
 * KVM_FAST_MMIO_BUS is dispatched by VMX only, at an EPT misconfiguration
 * (handle_ept_misconfig()): a device there completes the access without
 * the instruction being decoded.
 */
bool kvmx_arch_has_fast_mmio(const struct kvmx_vm *vm)
{
	return vm->arch == KVMX_ARCH_X86_VMX;
}

/* kvm_rip_read() without KVM's private headers; 0 where it is not readable */
unsigned long kvmx_arch_guest_pc(struct kvm_vcpu *vcpu)
{
	if (vcpu->arch.guest_state_protected)
		return 0;
	if (!test_bit(KVMX_VCPU_RIP, kvmx_regs_avail(vcpu)))
		kvmx_syms.x86_ops->cache_reg(vcpu, KVMX_VCPU_RIP);
	return kvmx_vcpu_rip(vcpu);
}

/*
 * May kvmx VMREAD the current VMCS? Not under Hyper-V: with an enlightened
 * VMCS (kvm_intel's enlightened_vmcs, on where Hyper-V recommends it) KVM
 * never loads a VMCS with VMPTRLD and reads its fields from memory, and
 * VMREAD is unsupported there. Then kvmx uses get_exit_info alone and VMX
 * exits carry no GPA (EPT violations still get theirs from kvm_page_fault).
 */
static bool kvmx_vmcs_readable __ro_after_init;

/*
 * VMX: a field of the current VMCS. kvm_exit fires in vmx_vcpu_run() with
 * IRQs off, right after the exit, the vCPU's VMCS loaded on this CPU;
 * VMREAD fails (CF or ZF) only without a current VMCS, and then *@val is
 * left alone (the destination register holds whatever it held).
 */
static bool kvmx_vmread(unsigned long field, u64 *val)
{
	unsigned long v;
	bool fail;

	if (!kvmx_vmcs_readable)
		return false;
	asm volatile("vmread %[field], %[v]\n\t"
		     "setna %[fail]"
		     : [v] "=r" (v), [fail] "=qm" (fail)
		     : [field] "r" (field)
		     : "cc");
	if (fail)
		return false;
	*val = v;
	return true;
}

/*
 * The exit's raw reason, class and raw slot, and its info words if they
 * are used: for a stage-2 exit (the fault's syndrome) or a ring's record.
 * kvm_x86_ops.get_exit_info is what the kvm_exit trace event itself calls,
 * about 80 instructions on VMX (VMREADs, a retpoline); VMX's exit reason
 * alone is one VMREAD (VM_EXIT_REASON holds what KVM read into
 * vmx->exit_reason), so exits that are only counted skip the call there.
 */
static void kvmx_x86_exit_info(struct kvmx_vm *vm, struct kvm_vcpu *vcpu,
			       struct kvmx_exit *e)
{
	bool have_raw = false;
	u32 intr_info, error_code, reason;
	u64 raw;

	if (vm->arch == KVMX_ARCH_X86_VMX && kvmx_vmread(VM_EXIT_REASON, &raw)) {
		e->raw = raw;
		e->slot = kvmx_raw_slot(vm->arch, e->raw);
		e->class = kvmx_slot_class[vm->arch][e->slot];
		if (e->class != KVMX_EXIT_STAGE2 && !atomic_read(&vm->nr_rings))
			return;
		have_raw = true;
	}
	kvmx_syms.x86_ops->get_exit_info(vcpu, &reason, &e->info[0], &e->info[1],
					 &intr_info, &error_code);
	e->info[2] = intr_info | (u64)error_code << 32;
	if (have_raw)
		return;
	e->raw = reason;
	e->slot = kvmx_raw_slot(vm->arch, e->raw);
	e->class = kvmx_slot_class[vm->arch][e->slot];
}

static void kvmx_x86_exit_observe(struct kvmx_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvmx_exit e;
	bool misconfig;

	e.flags = 0;
	e.gpa = 0;
	memset(e.info, 0, sizeof(e.info));
	kvmx_x86_exit_info(vm, vcpu, &e);
	if (e.class == KVMX_EXIT_STAGE2 && kvmx_exit_has_gpa(vm->arch, e.raw)) {
		if (vm->arch == KVMX_ARCH_X86_SVM) {
			e.gpa = e.info[1];	/* NPF: EXITINFO2 */
			e.flags |= KVMX_REC_GPA_VALID;
		} else if (kvmx_vmread(GUEST_PHYSICAL_ADDRESS, &e.gpa)) {
			e.flags |= KVMX_REC_GPA_VALID;
		}
	}
	kvmx_vcpu_exit(vm, vcpu, &e);

	/*
	 * An EPT misconfiguration is an access to one of KVM's MMIO SPTEs: a
	 * stage-2 fault on a GPA without a memslot that kvm_page_fault does
	 * not report (handle_ept_misconfig() goes straight to the fast MMIO
	 * bus or the MMU). Its fault is observed here.
	 */
	misconfig = vm->arch == KVMX_ARCH_X86_VMX &&
		    (e.raw & (KVMX_VMX_FAILED_VMENTRY | KVMX_VMX_BASIC_REASON)) ==
		    KVMX_VMX_EXIT_EPT_MISCONFIG;
	if (unlikely(misconfig) && (e.flags & KVMX_REC_GPA_VALID) &&
	    !kvmx_arch_vcpu_nested(vcpu))
		kvmx_fault_probe(vm, vcpu, e.gpa, e.info[0], 0);
}

static void kvmx_x86_exit(void *data, struct kvm_vcpu *vcpu, u32 isa)
{
	struct kvmx_vm *vm;

	kvmx_probe_enter();
	vm = kvmx_vm_find(vcpu->kvm);
	if (unlikely(vm))
		kvmx_x86_exit_observe(vm, vcpu);
	kvmx_probe_exit();
}

/*
 * kvm_page_fault(vcpu, gpa, error code): SVM's NPF (EXITINFO2, EXITINFO1),
 * VMX's EPT violation (GPA, exit qualification), and also intercepted #PF
 * (a guest-virtual address), which kvmx_fault_probe() tells apart by the
 * exit it follows. VMX's EPT misconfigurations (KVM's cached MMIO SPTEs)
 * do not pass here: kvmx_x86_exit() observes their fault.
 */
static void kvmx_x86_page_fault(void *data, struct kvm_vcpu *vcpu, u64 gpa,
				u64 error_code)
{
	struct kvmx_vm *vm;

	kvmx_probe_enter();
	vm = kvmx_vm_find(vcpu->kvm);
	/* an L2 guest's fault: its GPA would be looked up in L1's memslots */
	if (unlikely(vm) && !kvmx_arch_vcpu_nested(vcpu))
		kvmx_fault_probe(vm, vcpu, gpa, error_code, 0);
	kvmx_probe_exit();
}

/*
 * Outcome of a fault from KVM's counters: mmio_exits counts KVM_EXIT_MMIO
 * after emulation, insn_emulation_fail an access KVM could not emulate. An
 * emulated MMIO access that did neither was completed in the kernel (an
 * in-kernel device, the local APIC).
 */
void kvmx_arch_fault_snap(struct kvm_vcpu *vcpu, u64 snap[2])
{
	snap[0] = vcpu->stat.mmio_exits;
	snap[1] = vcpu->stat.insn_emulation_fail;
}

enum kvmx_fault_outcome kvmx_arch_fault_outcome(struct kvm_vcpu *vcpu,
						const u64 snap[2])
{
	if (vcpu->stat.mmio_exits != snap[0])
		return KVMX_OUTCOME_MMIO_USER;
	if (vcpu->stat.insn_emulation_fail != snap[1])
		return KVMX_OUTCOME_NONE;
	return KVMX_OUTCOME_MMIO_KERNEL;
}

static void kvmx_x86_entry(void *data, struct kvm_vcpu *vcpu, bool immediate_exit)
{
	struct kvmx_vm *vm;

	kvmx_probe_enter();
	vm = kvmx_vm_find(vcpu->kvm);
	if (unlikely(vm))
		kvmx_vcpu_entry(vm, vcpu);
	kvmx_probe_exit();
}

/*
 * Exit policy hooks: kvm_io_bus_write() and kvm_io_bus_read(), through
 * which KVM offers every MMIO access its emulator makes and every port
 * access to the in-kernel devices; -EOPNOTSUPP means none claimed it and
 * the vCPU is about to exit to the VMM. While hooked, the two are replaced,
 * not wrapped: kvmx_io_bus_access() does what they do (iobus.c; neither
 * may be called from here: kvm_io_bus_read() is sealed on IBT kernels),
 * then DISCARD answers an unclaimed access here instead: the emulator
 * completes the instruction as for any in-kernel device. Other buses
 * (VMX's KVM_FAST_MMIO_BUS, virtio-ccw) are only dispatched.
 */
static int kvmx_x86_bus_rw(struct kvm_vcpu *vcpu, enum kvm_bus bus, gpa_t addr,
			   int len, void *val, bool write)
{
	int idx = kvmx_hook_enter();
	int ret;

	ret = kvmx_io_bus_access(vcpu, bus, addr, len, val, write);
	if (ret == -EOPNOTSUPP && (bus == KVM_MMIO_BUS || bus == KVM_PIO_BUS)) {
		rcu_read_lock();
		if (kvmx_policy_unclaimed(vcpu, bus == KVM_PIO_BUS, addr) ==
		    KVMX_POLICY_DISCARD) {
			if (!write)
				memset(val, 0xff, len);
			ret = 0;
		}
		rcu_read_unlock();
	}
	kvmx_hook_leave(idx);
	return ret;
}

static int kvmx_x86_bus_write(struct kvm_vcpu *vcpu, enum kvm_bus bus, gpa_t addr,
			      int len, const void *val)
{
	return kvmx_x86_bus_rw(vcpu, bus, addr, len, (void *)val, true);
}

static int kvmx_x86_bus_read(struct kvm_vcpu *vcpu, enum kvm_bus bus, gpa_t addr,
			     int len, void *val)
{
	return kvmx_x86_bus_rw(vcpu, bus, addr, len, val, false);
}

static struct kvmx_hook kvmx_x86_hooks[] = {
	{ .wrapper = kvmx_x86_bus_write },
	{ .wrapper = kvmx_x86_bus_read },
};

int kvmx_arch_policy_hooks(bool on)
{
	return kvmx_hooks_set(kvmx_x86_hooks, ARRAY_SIZE(kvmx_x86_hooks), on);
}

/* kvmx_clock_ns(): TSC ticks to ns, from the TSC's rate (1:1 if unknown) */
u32 kvmx_tsc_mult __ro_after_init = 1, kvmx_tsc_shift __ro_after_init;

int __init kvmx_arch_init(void)
{
	int i, ret;

	if (tsc_khz)
		clocks_calc_mult_shift(&kvmx_tsc_mult, &kvmx_tsc_shift, tsc_khz,
				       NSEC_PER_MSEC, 600);
	kvmx_vmcs_readable = !hypervisor_is_type(X86_HYPER_MS_HYPERV);
	kvmx_x86_hooks[0].addr = kvmx_syms.io_bus_write;
	kvmx_x86_hooks[1].addr = kvmx_syms.io_bus_read;
	for (i = 0; i < ARRAY_SIZE(kvmx_x86_hooks); i++) {
		ret = kvmx_hook_init(&kvmx_x86_hooks[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	while (--i >= 0)
		kvmx_hook_fini(&kvmx_x86_hooks[i]);
	return ret;
}

void kvmx_arch_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kvmx_x86_hooks); i++)
		kvmx_hook_fini(&kvmx_x86_hooks[i]);
}

int kvmx_arch_probes_register(void)
{
	int ret;

	ret = tracepoint_probe_register(&__tracepoint_kvm_exit, kvmx_x86_exit, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(&__tracepoint_kvm_entry, kvmx_x86_entry, NULL);
	if (ret)
		goto err_exit;
	ret = tracepoint_probe_register(&__tracepoint_kvm_page_fault,
					kvmx_x86_page_fault, NULL);
	if (ret)
		goto err_entry;
	return 0;

err_entry:
	tracepoint_probe_unregister(&__tracepoint_kvm_entry, kvmx_x86_entry, NULL);
err_exit:
	tracepoint_probe_unregister(&__tracepoint_kvm_exit, kvmx_x86_exit, NULL);
	return ret;
}

void kvmx_arch_probes_unregister(void)
{
	tracepoint_probe_unregister(&__tracepoint_kvm_page_fault,
				    kvmx_x86_page_fault, NULL);
	tracepoint_probe_unregister(&__tracepoint_kvm_entry, kvmx_x86_entry, NULL);
	tracepoint_probe_unregister(&__tracepoint_kvm_exit, kvmx_x86_exit, NULL);
}
