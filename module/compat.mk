# SPDX-License-Identifier: GPL-2.0
# Feature tests for module/compat.h, run by kbuild against the headers of
# the kernel being built for: each adds -DKVMX_HAVE_<feature> when present.

kvmx-have = $(shell grep -qsE '$(2)' $(srctree)/$(1) && echo -DKVMX_HAVE_$(3))

# 6.8 dropped eventfd_signal()'s count argument
ccflags-y += $(call kvmx-have,include/linux/eventfd.h,void eventfd_signal\(struct eventfd_ctx \*ctx\),EVENTFD_SIGNAL_NO_COUNT)
# 6.x: the arch sets the instruction pointer in struct ftrace_regs
ccflags-y += $(call kvmx-have,arch/$(SRCARCH)/include/asm/ftrace.h,ftrace_regs_set_instruction_pointer,FTRACE_REGS_SET_IP)
# 6.3: vm_flags are set through vm_flags_set()
ccflags-y += $(call kvmx-have,include/linux/mm.h,static inline void vm_flags_set,VM_FLAGS_SET)
