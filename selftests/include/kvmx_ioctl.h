/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kvmx_ioctl_*_test programs share: the fixture (/dev/kvmx, a
 * bare VM, a session slot), the skip without kvmx, and the helpers of
 * each kind of object.
 */
#ifndef _KVMX_IOCTL_H
#define _KVMX_IOCTL_H

#include <stdint.h>
#include <stdlib.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include <time.h>
#include "kvmx_test.h"
#include "exit_class.h"
#include "fault_decode.h"
#include "kselftest_harness.h"

/* without kvmx loaded there is nothing to test: KSFT_SKIP, not a failure */
static void __attribute__((constructor)) need_kvmx(void)
{
	if (access("/dev/kvmx", F_OK) && errno == ENOENT)
		ksft_exit_skip("no /dev/kvmx: the kvmx module is not loaded\n");
}

FIXTURE(vm) {
	int kvmx;
	int kvm;
	int vm;
	int session;
};

FIXTURE_SETUP(vm)
{
	self->kvmx = kvmx_open();
	ASSERT_GE(self->kvmx, 0) TH_LOG("open /dev/kvmx: %s", strerror(-self->kvmx));
	self->vm = kvmx_create_bare_vm(&self->kvm);
	ASSERT_GE(self->vm, 0) TH_LOG("KVM_CREATE_VM: %s", strerror(-self->vm));
	self->session = -1;
}

FIXTURE_TEARDOWN(vm)
{
	if (self->session >= 0)
		close(self->session);
	close(self->vm);
	close(self->kvm);
	close(self->kvmx);
}

/* The lowest free fd: unchanged by a call that changes nothing. */
static inline int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static inline unsigned int sessions_of(struct __test_metadata *_metadata, int session)
{
	struct kvmx_session_info info;

	ASSERT_EQ(0, kvmx_info(session, &info));
	return info.nr_sessions;
}

static inline int nr_regions(int session)
{
	struct kvmx_region_list l = { .argsz = sizeof(l) };

	if (ioctl(session, KVMX_REGION_LIST, &l))
		return -errno;
	return l.nr_total;
}

static inline int radd(int session, struct kvmx_region *r)
{
	r->argsz = r->argsz ?: sizeof(*r);
	return kvmx_ret(ioctl(session, KVMX_REGION_ADD, r));
}

#define RB	0xd0000000ull
#define REG_OK(r) ((r) = (struct kvmx_region){ .addr = RB, .size = 8, \
	.mode = KVMX_MODE_BANK, .access_sizes = KVMX_SIZES_ALL, .eventfd = -1 })

#ifdef __x86_64__
#define KVMX_X86	true
#else
#define KVMX_X86	false
#endif

static inline int pset(int session, struct kvmx_policy *p)
{
	p->argsz = p->argsz ?: sizeof(*p);
	return kvmx_ret(ioctl(session, KVMX_SET_POLICY, p));
}

/* A valid policy to start from: whatever a failed SET leaves must equal it. */
static inline void policy_ok(struct kvmx_policy *p)
{
	*p = (struct kvmx_policy){
		.mmio = KVMX_POLICY_DISCARD, .nr_ranges = 1,
		.ranges[0] = { .addr = RB, .size = 0x1000 },
		.classes[KVMX_EXIT_HALT] = { .action = KVMX_CLASS_SAMPLE, .n = 2 },
	};
}

#define POLICY_INPUT_SIZE	offsetof(struct kvmx_policy, mmio_discarded)

static inline int ring_setup(int session, struct kvmx_ring_setup *rs)
{
	return kvmx_ret(ioctl(session, KVMX_RING_SETUP, rs));
}

static inline __u32 arch_of(struct __test_metadata *_metadata, int session)
{
	struct kvmx_stats st = { .argsz = sizeof(st) };

	EXPECT_EQ(0, ioctl(session, KVMX_GET_STATS, &st));
	return st.arch;
}

#endif /* _KVMX_IOCTL_H */
