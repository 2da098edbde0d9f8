/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kvmx selftests: thin wrappers that return -errno
 * instead of setting errno, so a test can assert the exact error.
 */
#ifndef _KVMX_TEST_H
#define _KVMX_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/kvmx.h>

/* KVMX_ARCH_* of the host's KVM (guest tests: x86 needs processor.h) */
#ifdef __x86_64__
#include <asm/vmx.h>		/* EXIT_REASON_*: VMX's raw reasons */
#define KVMX_HOST_ARCH()	(is_amd_cpu() ? KVMX_ARCH_X86_SVM : KVMX_ARCH_X86_VMX)
#else
#define KVMX_HOST_ARCH()	KVMX_ARCH_ARM64
#endif

/*
 * The guest's own counter, for guest code: x86's TSC (under Bochs with
 * clock sync=none, one tick per instruction the emulated CPU executes),
 * arm64's virtual counter.
 */
static inline __u64 kvmx_guest_ticks(void)
{
#ifdef __x86_64__
	__u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (__u64)hi << 32 | lo;
#else
	__u64 v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
#endif
}

/*
 * Is a module parameter of KVM set: /sys/module/MOD/parameters/PARAM reads
 * Y or 1? What KVM enabled on this CPU (kvm_intel's pml, enable_apicv;
 * kvm's mmio_caching, enable_pmu) decides some exits. @dflt if absent.
 */
static inline bool kvmx_kvm_param(const char *mod, const char *param, bool dflt)
{
	char path[128];
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", mod, param);
	f = fopen(path, "r");
	if (!f)
		return dflt;
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == '1';
}

/*
 * Should this kernel run kvmx's BPF programs (KVMX_CAP_BPF)? What the
 * build tests (compat.mk), seen from the running kernel: 6.10 or later
 * (struct_ops reg() with its link), BTF for modules (kvmx's own in
 * /sys/kernel/btf), the BPF JIT (its sysctl). Not KVMX_CHECK_EXTENSION's
 * answer, which is what a test checks against this.
 */
static inline bool kvmx_kernel_has_bpf(void)
{
	unsigned int major = 0, minor = 0;
	FILE *f = fopen("/proc/sys/kernel/osrelease", "r");

	if (!f)
		return false;
	if (fscanf(f, "%u.%u", &major, &minor) != 2)
		major = 0;
	fclose(f);
	if (major < 6 || (major == 6 && minor < 10))
		return false;
	return !access("/sys/kernel/btf/kvmx", F_OK) &&
	       !access("/proc/sys/net/core/bpf_jit_enable", F_OK);
}

/* 6.12's test_util.h has it; 6.1's does not. Include after test_util.h. */
#if !defined(TEST_ASSERT_EQ) && defined(TEST_ASSERT)
#define TEST_ASSERT_EQ(a, b) do {						\
	typeof(a) __a = (a);							\
	typeof(b) __b = (b);							\
	TEST_ASSERT(__a == __b, "%s == %s: 0x%llx != 0x%llx", #a, #b,		\
		    (unsigned long long)__a, (unsigned long long)__b);		\
} while (0)
#endif

static inline int kvmx_ret(int ret)
{
	return ret < 0 ? -errno : ret;
}

static inline int kvmx_open(void)
{
	return kvmx_ret(open("/dev/kvmx", O_RDWR | O_CLOEXEC));
}

#ifdef TEST_ASSERT
/*
 * /dev/kvmx, or the test is skipped (KSFT_SKIP) where it does not exist:
 * kvmx is not loaded. Any other error fails.
 */
static inline int kvmx_open_or_skip(void)
{
	int fd = kvmx_open();

	if (fd == -ENOENT)
		ksft_exit_skip("no /dev/kvmx: the kvmx module is not loaded\n");
	TEST_ASSERT(fd >= 0, "open /dev/kvmx: %s", strerror(-fd));
	return fd;
}
#endif

static inline int kvmx_attach(int kvmx_fd, int vm_fd)
{
	struct kvmx_attach_vm arg = {
		.argsz = sizeof(arg),
		.vm_fd = vm_fd,
	};

	return kvmx_ret(ioctl(kvmx_fd, KVMX_ATTACH_VM, &arg));
}

static inline int kvmx_info(int session_fd, struct kvmx_session_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return kvmx_ret(ioctl(session_fd, KVMX_SESSION_INFO, info));
}

/* A VM without vCPUs or memory, enough for attach tests. */
static inline int kvmx_create_bare_vm(int *kvm_fd)
{
	*kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (*kvm_fd < 0)
		return -errno;
	return kvmx_ret(ioctl(*kvm_fd, KVM_CREATE_VM, 0));
}

/* Does KVM's debugfs directory of the VM created as fd @vm_fd exist? */
static inline int kvmx_vm_debugfs_exists(pid_t pid, int vm_fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d", pid, vm_fd);
	return access(path, F_OK) == 0;
}

#endif /* _KVMX_TEST_H */
