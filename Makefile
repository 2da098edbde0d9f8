# SPDX-License-Identifier: GPL-2.0
#
# The user's wrapper around Kbuild (which is pure kbuild).
#
#   make demo                 boot a test kernel with kvmx, run a guest, show kvmx
#   make check                every test: host units, style, sparse, and the
#                             selftests in VMs on all four test kernels
#   make module               build kvmx.ko against KDIR (default: running kernel)
#   make install              install it into /lib/modules (needs root)
#   make tools selftests      build kvmxctl and the selftests for ARCH
#   make bench                benchmarks, ratios measured in one run
#   make style sparse         checkpatch --strict; sparse C=2 (with W=1)
#
# KERNEL=6.1|6.12|7.2 with ARCH=x86_64|arm64 selects one of the test kernels
# instead of KDIR: Debian's 6.1 and 6.12 unpacked by tools/deps.sh, or 7.2
# built by tools/kernel-build.sh; the cross compiler is picked automatically
# for arm64.

TOP := $(CURDIR)
DEPS ?= $(TOP)/.deps
KVMX_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/kvmx
# sparse built by tools/deps.sh (7.2 needs a newer one than bookworm's)
SPARSE ?= $(firstword $(wildcard $(KVMX_CACHE)/sparse-*/sparse) sparse)
ARCH ?= $(shell uname -m)
override ARCH := $(subst aarch64,arm64,$(ARCH))
HOSTARCH := $(subst aarch64,arm64,$(shell uname -m))
ifneq ($(ARCH),$(HOSTARCH))
ifeq ($(ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
endif
CC := $(CROSS_COMPILE)gcc

ifdef KERNEL
KDIR := $(shell TOP=$(TOP) DEPS=$(DEPS) bash -c '. $(TOP)/tools/kernels.sh && \
	kernel_paths $(KERNEL) $(ARCH); echo $$KDIR')
TAG := $(ARCH)-$(KERNEL)
else
KDIR ?= /lib/modules/$(shell uname -r)/build
TAG := host
endif

# Out-of-tree builds cannot move their objects on 6.1, so each kernel gets a
# copy of the sources under build/<tag>/module.
MODDIR := $(TOP)/build/$(TAG)/module
TOOLDIR := $(TOP)/build/$(ARCH)/tools
TESTDIR := $(TOP)/build/$(ARCH)/selftests
# The kselftest harness and KVM selftest library come from this source tree.
KSRC ?= $(DEPS)/src/linux-6.1
KBUILD_ARGS := -C $(KDIR) M=$(MODDIR) ARCH=$(subst x86_64,x86,$(ARCH)) \
	$(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

SOURCES := Kbuild dkms.conf $(wildcard module/*.[ch] module/*.mk uapi/linux/*.h)
# kvmx's version, written in dkms.conf only
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(TOP)/dkms.conf)

.PHONY: all module install tools selftests bpf check demo bench style sparse \
	deps unit clean vm-artifacts dkms-install dkms-remove

all: module tools

deps:
	@$(TOP)/tools/deps.sh

module: $(MODDIR)/kvmx.ko

# Without a kernel build tree, say what to install instead of make's bare
# "No such file or directory".
define no_kdir
kvmx: no kernel build tree at $(KDIR).
  Install the headers of the kernel to build for:
    Debian, Ubuntu:        apt install linux-headers-$(shell uname -r)
    Fedora, RHEL, SUSE:    dnf install kernel-devel-$(shell uname -r) (zypper: kernel-devel)
  or point KDIR at a configured and prepared kernel tree:
    make module KDIR=/path/to/linux/build
endef

$(MODDIR)/kvmx.ko: $(SOURCES)
	$(if $(wildcard $(KDIR)/Makefile),,$(error $(no_kdir)))
	@mkdir -p $(MODDIR)
	@rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod*' --exclude='Module.symvers' --exclude=modules.order \
		Kbuild dkms.conf module uapi $(MODDIR)/
	$(MAKE) $(KBUILD_ARGS) W=1 modules

install: module
	$(MAKE) $(KBUILD_ARGS) modules_install

# DKMS (needs root): the sources go to /usr/src/kvmx-$(VERSION), DKMS builds
# and installs kvmx for the running kernel and every kernel installed later.
dkms-install:
	rm -rf /usr/src/kvmx-$(VERSION)
	mkdir -p /usr/src/kvmx-$(VERSION)
	cp -r Kbuild dkms.conf module uapi /usr/src/kvmx-$(VERSION)/
	dkms add kvmx/$(VERSION)
	dkms build kvmx/$(VERSION)
	dkms install kvmx/$(VERSION)

dkms-remove:
	-dkms remove kvmx/$(VERSION) --all
	rm -rf /usr/src/kvmx-$(VERSION)

# BPF programs for kvmx (tools/bpf): libbpf 1.5 from linux-source-6.12
# (bookworm's 1.1 cannot attach a module's struct_ops), static, per arch;
# the BPF objects are the same for both arches.
LIBBPF := $(TOP)/build/$(ARCH)/libbpf
BPFDIR := $(TOP)/build/bpf
LIBBPF_DEPS := $(if $(CROSS_COMPILE),$(DEPS)/arm64-libs/usr)
LIBBPF_LDLIBS := $(LIBBPF)/lib/libbpf.a \
	$(if $(LIBBPF_DEPS),-L$(LIBBPF_DEPS)/lib/aarch64-linux-gnu) -lelf -lz
BPF_OBJS := $(addprefix $(BPFDIR)/,kvmx_dev.bpf.o kvmx_decide.bpf.o kvmx_bad_read.bpf.o \
	kvmx_bad_write.bpf.o kvmx_bad_exit.bpf.o kvmx_bad_kfunc.bpf.o)
BPF_CFLAGS := -g -O2 -Wall -target bpf -mcpu=v3 -I$(TOP)/tools/bpf -I$(TOP)/uapi \
	-I$(DEPS)/src/linux-6.12/tools/include/uapi -I$(LIBBPF)/include \
	-I/usr/include/$(shell gcc -dumpmachine)

$(LIBBPF)/lib/libbpf.a:
	@mkdir -p $(LIBBPF)/obj
	@$(MAKE) -s -C $(DEPS)/src/linux-6.12/tools/lib/bpf \
		CC=$(CROSS_COMPILE)gcc LD=$(CROSS_COMPILE)ld AR=$(CROSS_COMPILE)ar \
		OUTPUT=$(LIBBPF)/obj/ DESTDIR=$(LIBBPF) prefix= \
		$(if $(LIBBPF_DEPS),EXTRA_CFLAGS=-I$(LIBBPF_DEPS)/include) \
		install_headers $(LIBBPF)/obj/libbpf.a
	@install -D -m 644 $(LIBBPF)/obj/libbpf.a $@

# the objects carry BTF, which libbpf needs, and no DWARF
define bpf_cc
	@mkdir -p $(BPFDIR)
	clang $(BPF_CFLAGS) $(BPF_DEFS) -c $< -o $@
	llvm-strip -g $@
endef
BPF_DEPS := tools/bpf/kvmx_bpf.h uapi/linux/kvmx.h $(LIBBPF)/lib/libbpf.a
$(BPFDIR)/kvmx_dev.bpf.o: tools/bpf/kvmx_dev.bpf.c tools/bpf/kvmx_dev.h $(BPF_DEPS)
	$(bpf_cc)
$(BPFDIR)/kvmx_decide.bpf.o: tools/bpf/kvmx_decide.bpf.c tools/bpf/kvmx_decide.h $(BPF_DEPS)
	$(bpf_cc)
$(BPFDIR)/kvmx_bad_%.bpf.o: tools/bpf/kvmx_bad.bpf.c $(BPF_DEPS)
	$(bpf_cc)
$(BPFDIR)/kvmx_bad_%.bpf.o: BPF_DEFS = -DKVMX_BAD_$(shell echo $* | tr a-z A-Z)

bpf: $(LIBBPF)/lib/libbpf.a $(BPF_OBJS)

tools: bpf
	@$(MAKE) -C tools/kvmxctl CC=$(CC) OUTPUT=$(TOOLDIR)/ LIBBPF=$(LIBBPF) \
		LIBBPF_LDLIBS="$(LIBBPF_LDLIBS)"

selftests: bpf
	@$(MAKE) -C selftests ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) \
		KSRC=$(KSRC) OUTPUT=$(TESTDIR)/ LIBBPF=$(LIBBPF) \
		LIBBPF_LDLIBS="$(LIBBPF_LDLIBS)" BPF_OBJS="$(BPF_OBJS)"

# What tools/vm/run packs into the initramfs.
vm-artifacts: module tools selftests

unit:
	@$(MAKE) -s -C selftests/unit KSRC=$(KSRC) OUTPUT=$(TOP)/build/unit/ run

style:
	@$(TOP)/tools/style.sh $(DEPS)/src/linux-6.12/scripts/checkpatch.pl

sparse: $(MODDIR)/kvmx.ko
	$(MAKE) $(KBUILD_ARGS) W=1 C=2 CHECK=$(SPARSE) modules

check: deps
	@$(TOP)/tools/check.sh

# The bundle (Debian's QEMU, its guest) has tools/demo/demo.sh too. One
# CPU: QEMU's guest hangs now and then on two (tools/vm/qemu-l2.sh).
demo: deps
	@$(MAKE) -s vm-artifacts ARCH=x86_64 KERNEL=6.1
	@$(TOP)/tools/vm/qemu-bundle.sh $(TOP)/build/qemu-bundle > /dev/null
	@KVMX_VM_NO_BUILD=1 $(TOP)/tools/vm/run --arch x86_64 --kernel 6.1 --smp 1 \
		--extra $(TOP)/build/qemu-bundle -- /extra/demo.sh

bench: deps
	@$(TOP)/tools/bench.sh

clean:
	rm -rf build
