# SPDX-License-Identifier: GPL-2.0
# Feature tests for module/compat.h, run by kbuild against the headers of
# the kernel being built for: each adds -DKVMX_HAVE_<feature> when present.

# (A pattern holds no comma and no unmatched parenthesis, which $(call)
# would parse: "." stands for them.)
kvmx-have = $(shell grep -qsE '$(2)' $(srctree)/$(1) && echo -DKVMX_HAVE_$(3))

# 6.8 dropped eventfd_signal()'s count argument
ccflags-y += $(call kvmx-have,include/linux/eventfd.h,void eventfd_signal\(struct eventfd_ctx \*ctx\),EVENTFD_SIGNAL_NO_COUNT)
# 6.x: the arch sets the instruction pointer in struct ftrace_regs
ccflags-y += $(call kvmx-have,arch/$(SRCARCH)/include/asm/ftrace.h,ftrace_regs_set_instruction_pointer,FTRACE_REGS_SET_IP)
# 7.x: kvm_reg's VCPU_REGS_* became VCPU_REG_*, regs_avail a bitmap
ccflags-$(CONFIG_X86) += $(call kvmx-have,arch/x86/include/asm/kvm_host.h,VCPU_REG_RIP =,VCPU_REG_RIP)
# 7.x: the guest RIP has a field of its own beside the GPRs
ccflags-$(CONFIG_X86) += $(call kvmx-have,arch/x86/include/asm/kvm_host.h,^[[:space:]]+unsigned long rip;,VCPU_ARCH_RIP)
# 7.x: is_endbr() reads the address itself; __is_endbr() tests a value
ccflags-$(CONFIG_X86) += $(call kvmx-have,arch/x86/include/asm/ibt.h,static inline bool __is_endbr\(u32 val\),__IS_ENDBR)
# 7.x: arm64's kvm_inject_dabt(vcpu, addr) became kvm_inject_sea(vcpu, iabt, addr)
ccflags-$(CONFIG_ARM64) += $(call kvmx-have,arch/arm64/include/asm/kvm_emulate.h,int kvm_inject_sea.struct kvm_vcpu \*vcpu.,KVM_INJECT_SEA)
# 6.x: smp_mb__after_srcu_read_lock() (7.x's bus readers use it)
ccflags-y += $(call kvmx-have,include/linux/srcu.h,void smp_mb__after_srcu_read_lock,MB_AFTER_SRCU_READ_LOCK)
# 6.10: a VM-wide flag for protected guest state (SEV-ES, SNP, TDX)
ccflags-$(CONFIG_X86) += $(call kvmx-have,arch/x86/include/asm/kvm_host.h,bool has_protected_state;,HAS_PROTECTED_STATE)
# 6.x-7.x: struct module_use moved from <linux/module.h> to the module loader's
# internal.h
ccflags-y += $(call kvmx-have,include/linux/module.h,^struct module_use \{,MODULE_USE)
# 6.3: vm_flags are set through vm_flags_set()
ccflags-y += $(call kvmx-have,include/linux/mm.h,static inline void vm_flags_set,VM_FLAGS_SET)
# 6.10: a module's struct_ops type (6.9) whose reg() is given the BPF link,
# with the JIT (trampolines) and module BTF (the type, the kfuncs):
# module/bpf.c and KVMX_CAP_BPF
kvmx-bpf := $(and $(CONFIG_BPF_JIT),$(CONFIG_BPF_SYSCALL),$(CONFIG_DEBUG_INFO_BTF_MODULES),$(call kvmx-have,include/linux/bpf.h,int \(\*reg\)\(void \*kdata. struct bpf_link \*link\);,BPF))
ccflags-y += $(kvmx-bpf)
# 7.x: a kfunc's pointer arguments are trusted without KF_TRUSTED_ARGS (gone)
ccflags-y += $(call kvmx-have,include/linux/btf.h,define KF_TRUSTED_ARGS,KF_TRUSTED_ARGS)
