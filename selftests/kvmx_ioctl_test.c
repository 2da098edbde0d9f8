// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx ioctl tests: the version handshake, KVMX_ATTACH_VM and its bad
 * inputs, KVMX_SESSION_INFO, close orderings and module pinning.
 *
 * Every bad input is checked for its errno and for changing nothing: no
 * session appears (the VM's session count is unchanged) and no file
 * descriptor leaks.
 */
#define _GNU_SOURCE
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

TEST(api_version)
{
	int fd = kvmx_open();
	int v;

	ASSERT_GE(fd, 0) TH_LOG("open /dev/kvmx: %s", strerror(-fd));
	v = ioctl(fd, KVMX_GET_API_VERSION, 0);
	ASSERT_EQ(KVMX_API_MAJOR, KVMX_API_VERSION_MAJOR(v));
	EXPECT_GE(KVMX_API_VERSION_MINOR(v), KVMX_API_MINOR);
	/* _IO takes no argument: anything else is a caller bug */
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(fd, KVMX_GET_API_VERSION, 1)));
	EXPECT_EQ(-ENOTTY, kvmx_ret(ioctl(fd, _IO(KVMX_TYPE, 0xff), 0)));
	/* session ioctls are not control-device ioctls */
	EXPECT_EQ(-ENOTTY, kvmx_ret(ioctl(fd, KVMX_SESSION_INFO, 0)));
	close(fd);
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
static int next_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

static unsigned int sessions_of(struct __test_metadata *_metadata, int session)
{
	struct kvmx_session_info info;

	ASSERT_EQ(0, kvmx_info(session, &info));
	return info.nr_sessions;
}

TEST_F(vm, attach_and_info)
{
	struct kvmx_session_info info, info2;
	int second;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0) TH_LOG("attach: %s", strerror(-self->session));
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->session, F_GETFD) & FD_CLOEXEC);

	ASSERT_EQ(0, kvmx_info(self->session, &info));
	EXPECT_EQ(sizeof(info), info.argsz);
	EXPECT_EQ(0, info.flags);
	EXPECT_EQ(KVMX_API_VERSION, info.api_version);
	EXPECT_EQ(0, info.nr_vcpus);
	EXPECT_EQ(1, info.nr_sessions);
	EXPECT_NE(0, info.vm_id);

	/* vCPUs created after attaching are seen */
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);

	ASSERT_GE(vcpu, 0);
	ASSERT_EQ(0, kvmx_info(self->session, &info));
	EXPECT_EQ(1, info.nr_vcpus);

	/* a second session on the same VM shares its state */
	second = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(second, 0);
	ASSERT_EQ(0, kvmx_info(second, &info2));
	EXPECT_EQ(info.vm_id, info2.vm_id);
	EXPECT_EQ(2, info2.nr_sessions);
	close(second);
	EXPECT_EQ(1, sessions_of(_metadata, self->session));
	close(vcpu);
}

TEST_F(vm, two_vms_have_distinct_ids)
{
	struct kvmx_session_info a, b;
	int vm2, s2;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	vm2 = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_GE(vm2, 0);
	s2 = kvmx_attach(self->kvmx, vm2);
	ASSERT_GE(s2, 0);
	ASSERT_EQ(0, kvmx_info(self->session, &a));
	ASSERT_EQ(0, kvmx_info(s2, &b));
	EXPECT_NE(a.vm_id, b.vm_id);
	EXPECT_EQ(1, a.nr_sessions);
	EXPECT_EQ(1, b.nr_sessions);
	close(s2);
	close(vm2);
}

/*
 * Attach with @arg must fail with @err and leave everything as it was: no
 * new fd, still one session (@session) on the VM.
 */
static void __attach_fails(struct __test_metadata *_metadata, int kvmx,
			   int session, void *arg, int err)
{
	int before = next_fd();

	EXPECT_EQ(err, kvmx_ret(ioctl(kvmx, KVMX_ATTACH_VM, arg)));
	EXPECT_EQ(before, next_fd()) TH_LOG("a failed attach leaked an fd");
	EXPECT_EQ(1, sessions_of(_metadata, session));
}

#define attach_fails(arg, err) \
	__attach_fails(_metadata, self->kvmx, self->session, arg, err)

TEST_F(vm, attach_bad_fds)
{
	struct kvmx_attach_vm arg = { .argsz = sizeof(arg) };
	int vcpu, closed, devnull;

	/* one good session, to check that failures add none */
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	arg.vm_fd = -1;
	attach_fails(&arg, -EBADF);

	closed = dup(self->vm);
	close(closed);
	arg.vm_fd = closed;
	attach_fails(&arg, -EBADF);

	arg.vm_fd = 1 << 30;
	attach_fails(&arg, -EBADF);

	vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_GE(vcpu, 0);
	arg.vm_fd = vcpu;
	attach_fails(&arg, -EINVAL);
	close(vcpu);

	arg.vm_fd = self->kvm;		/* /dev/kvm itself */
	attach_fails(&arg, -EINVAL);

	arg.vm_fd = self->kvmx;		/* /dev/kvmx */
	attach_fails(&arg, -EINVAL);

	arg.vm_fd = self->session;	/* a session is not a VM */
	attach_fails(&arg, -EINVAL);

	devnull = open("/dev/null", O_RDWR);
	ASSERT_GE(devnull, 0);
	arg.vm_fd = devnull;
	attach_fails(&arg, -EINVAL);
	close(devnull);
}

TEST_F(vm, attach_bad_struct)
{
	struct {
		struct kvmx_attach_vm arg;
		uint64_t tail[2];
	} big = {};
	struct kvmx_attach_vm arg = { .argsz = sizeof(arg) };
	int s;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	arg.vm_fd = self->vm;
	arg.flags = 1;
	attach_fails(&arg, -EINVAL);
	arg.flags = 1u << 31;
	attach_fails(&arg, -EINVAL);
	arg.flags = 0;

	arg.reserved = 1;
	attach_fails(&arg, -EINVAL);
	arg.reserved = 0;

	arg.argsz = 0;
	attach_fails(&arg, -EINVAL);
	arg.argsz = sizeof(arg) - 1;
	attach_fails(&arg, -EINVAL);
	arg.argsz = sizeof(arg);

	attach_fails(NULL, -EFAULT);
	attach_fails((void *)8, -EFAULT);

	/* a newer, larger struct: unknown bytes must be zero */
	big.arg = arg;
	big.arg.argsz = sizeof(big);
	big.tail[1] = 1;
	attach_fails(&big, -E2BIG);
	big.tail[1] = 0;
	s = kvmx_ret(ioctl(self->kvmx, KVMX_ATTACH_VM, &big));
	ASSERT_GE(s, 0) TH_LOG("larger zero-extended struct: %s", strerror(-s));
	EXPECT_EQ(2, sessions_of(_metadata, self->session));
	close(s);
}

TEST_F(vm, info_bad_input)
{
	struct kvmx_session_info info;
	uint8_t buf[sizeof(info) + 8];
	size_t i;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	info.flags = 1;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_SESSION_INFO, &info)));
	info.flags = 0;
	info.argsz = 7;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_SESSION_INFO, &info)));
	EXPECT_EQ(-EFAULT, kvmx_ret(ioctl(self->session, KVMX_SESSION_INFO, NULL)));
	EXPECT_EQ(-ENOTTY, kvmx_ret(ioctl(self->session, KVMX_ATTACH_VM, 0)));
	EXPECT_EQ(-ENOTTY, kvmx_ret(ioctl(self->session, _IO(KVMX_TYPE, 0xff), 0)));

	/* a short buffer: only argsz bytes written, full size reported */
	memset(buf, 0xa5, sizeof(buf));
	((struct kvmx_session_info *)buf)->argsz = 12;
	((struct kvmx_session_info *)buf)->flags = 0;
	ASSERT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_SESSION_INFO, buf)));
	EXPECT_EQ(sizeof(info), ((struct kvmx_session_info *)buf)->argsz);
	EXPECT_EQ(KVMX_API_VERSION, ((struct kvmx_session_info *)buf)->api_version);
	for (i = 12; i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]) TH_LOG("byte %zu written past argsz", i);

	/* a larger buffer: the tail is left alone */
	memset(buf, 0xa5, sizeof(buf));
	((struct kvmx_session_info *)buf)->argsz = sizeof(buf);
	((struct kvmx_session_info *)buf)->flags = 0;
	ASSERT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_SESSION_INFO, buf)));
	EXPECT_EQ(sizeof(info), ((struct kvmx_session_info *)buf)->argsz);
	for (i = sizeof(info); i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]);
}

/* The session keeps the VM alive after every KVM fd is closed. */
TEST_F(vm, close_vm_fd_first)
{
	struct kvmx_session_info info;
	int vm = self->vm, vcpu;

	ASSERT_TRUE(kvmx_vm_debugfs_exists(getpid(), vm)) TH_LOG("debugfs not mounted?");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	ASSERT_GE(vcpu, 0);
	self->session = kvmx_attach(self->kvmx, vm);
	ASSERT_GE(self->session, 0);

	close(vcpu);
	close(vm);
	self->vm = open("/dev/null", O_RDONLY);	/* for teardown */
	EXPECT_TRUE(kvmx_vm_debugfs_exists(getpid(), vm));
	ASSERT_EQ(0, kvmx_info(self->session, &info));
	EXPECT_EQ(1, info.nr_vcpus);

	close(self->session);
	self->session = -1;
	EXPECT_FALSE(kvmx_vm_debugfs_exists(getpid(), vm))
		TH_LOG("VM still alive after its last session closed");
}

TEST_F(vm, close_session_first)
{
	int vm = self->vm;

	self->session = kvmx_attach(self->kvmx, vm);
	ASSERT_GE(self->session, 0);
	close(self->session);
	self->session = -1;
	/* the VM is unaffected and can be attached again */
	ASSERT_TRUE(kvmx_vm_debugfs_exists(getpid(), vm));
	ASSERT_GE(ioctl(vm, KVM_CREATE_VCPU, 0), 0);
	self->session = kvmx_attach(self->kvmx, vm);
	ASSERT_GE(self->session, 0);
	EXPECT_EQ(1, sessions_of(_metadata, self->session));
}

TEST_F(vm, close_control_device_first)
{
	/* a session does not need /dev/kvmx to stay open */
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	close(self->kvmx);
	self->kvmx = open("/dev/null", O_RDONLY);
	EXPECT_EQ(1, sessions_of(_metadata, self->session));
}

TEST_F(vm, session_survives_fork)
{
	pid_t pid;
	int status;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct kvmx_session_info info;

		close(self->vm);
		_exit(kvmx_info(self->session, &info) || info.nr_sessions != 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(1, sessions_of(_metadata, self->session));
}

TEST_F(vm, stats_bad_input)
{
	struct {
		struct kvmx_stats hdr;
		struct kvmx_stat_entry e[4];
	} buf;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	memset(&buf, 0, sizeof(buf));
	buf.hdr.argsz = sizeof(buf.hdr) - 1;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_STATS, &buf)));
	buf.hdr.argsz = sizeof(buf);
	buf.hdr.flags = KVMX_TABLE_TRUNCATED;	/* an output flag is not an input */
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_STATS, &buf)));
	EXPECT_EQ(-EFAULT, kvmx_ret(ioctl(self->session, KVMX_GET_STATS, NULL)));

	/* no exits yet: a header and no entries */
	buf.hdr.flags = 0;
	ASSERT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_GET_STATS, &buf)));
	EXPECT_EQ(sizeof(buf.hdr), buf.hdr.argsz);
	EXPECT_EQ(0, buf.hdr.nr_entries);
	EXPECT_EQ(0, buf.hdr.nr_total);
	EXPECT_EQ(0, buf.hdr.flags);
	EXPECT_EQ(sizeof(struct kvmx_stat_entry), buf.hdr.entry_size);
	EXPECT_EQ(KVMX_EXIT_NR_CLASSES, buf.hdr.nr_classes);
	EXPECT_EQ(KVMX_LAT_BUCKETS, buf.hdr.lat_buckets);
	EXPECT_NE(0, buf.hdr.arch);

	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_RESET_STATS, 1)));
	EXPECT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_RESET_STATS, 0)));
}

static __u64 boottime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static __u64 since_of(struct __test_metadata *_metadata, int session)
{
	struct kvmx_stats hdr = { .argsz = sizeof(hdr) };

	EXPECT_EQ(0, kvmx_ret(ioctl(session, KVMX_GET_STATS, &hdr)));
	return hdr.since_ns;
}

/* since_ns: the first attach, kept by later sessions, moved by a reset */
TEST_F(vm, stats_since)
{
	__u64 before, after, since;
	int second;

	before = boottime_ns();
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	after = boottime_ns();
	since = since_of(_metadata, self->session);
	EXPECT_LE(before, since);
	EXPECT_GE(after, since);

	/* a second session counts with the first: the same start */
	usleep(10000);
	second = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(second, 0);
	EXPECT_EQ(since, since_of(_metadata, second));

	/* a failed reset changes nothing; a reset starts again */
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(second, KVMX_RESET_STATS, 1)));
	EXPECT_EQ(since, since_of(_metadata, self->session));
	before = boottime_ns();
	ASSERT_EQ(0, kvmx_ret(ioctl(second, KVMX_RESET_STATS, 0)));
	after = boottime_ns();
	since = since_of(_metadata, self->session);
	EXPECT_LE(before, since);
	EXPECT_GE(after, since);
	close(second);
}

TEST_F(vm, faults_bad_input)
{
	struct {
		struct kvmx_faults hdr;
		struct kvmx_fault_entry e[4];
	} buf;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	memset(&buf, 0, sizeof(buf));
	buf.hdr.argsz = sizeof(buf.hdr) - 1;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_FAULTS, &buf)));
	buf.hdr.argsz = 0;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_FAULTS, &buf)));
	buf.hdr.argsz = sizeof(buf);
	buf.hdr.flags = KVMX_TABLE_TRUNCATED;	/* an output flag is not an input */
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_FAULTS, &buf)));
	buf.hdr.flags = 1u << 31;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_FAULTS, &buf)));
	EXPECT_EQ(-EFAULT, kvmx_ret(ioctl(self->session, KVMX_GET_FAULTS, NULL)));
	/* the header is readable but the entries are not */
	buf.hdr.flags = 0;
	EXPECT_EQ(sizeof(buf), buf.hdr.argsz);

	/* no faults yet: a header and no entries */
	ASSERT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_GET_FAULTS, &buf)));
	EXPECT_EQ(sizeof(buf.hdr), buf.hdr.argsz);
	EXPECT_EQ(0, buf.hdr.nr_entries);
	EXPECT_EQ(0, buf.hdr.nr_total);
	EXPECT_EQ(0, buf.hdr.flags);
	EXPECT_EQ(0, buf.hdr.pending);
	EXPECT_EQ(sizeof(struct kvmx_fault_entry), buf.hdr.entry_size);
	EXPECT_EQ(KVMX_FAULT_NR_CLASSES, buf.hdr.nr_classes);
	EXPECT_NE(0, buf.hdr.arch);
	/* on the control device it is not an ioctl */
	EXPECT_EQ(-ENOTTY, kvmx_ret(ioctl(self->kvmx, KVMX_GET_FAULTS, &buf)));
}

/* -- regions --------------------------------------------------------------- */

static int nr_regions(int session)
{
	struct kvmx_region_list l = { .argsz = sizeof(l) };

	if (ioctl(session, KVMX_REGION_LIST, &l))
		return -errno;
	return l.nr_total;
}

static int radd(int session, struct kvmx_region *r)
{
	r->argsz = r->argsz ?: sizeof(*r);
	return kvmx_ret(ioctl(session, KVMX_REGION_ADD, r));
}

#define RB	0xd0000000ull
#define REG_OK(r) ((r) = (struct kvmx_region){ .addr = RB, .size = 8, \
	.mode = KVMX_MODE_BANK, .access_sizes = KVMX_SIZES_ALL, .eventfd = -1 })

TEST_F(vm, region_bad_input)
{
	int efd = eventfd(0, 0), null = open("/dev/null", O_RDONLY);
	struct kvm_ioeventfd io = { .addr = RB + 0x100, .len = 4, .fd = efd };
	struct { struct kvmx_region r; __u64 more; } big = { .more = 1 };
	struct kvmx_region r, r2;
	int before;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	before = nr_regions(self->session);
	ASSERT_EQ(0, before);

	REG_OK(r);
	r.flags = 1u << 7;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.reserved = 1;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.mode = 0;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.mode = KVMX_MODE_WINDOW + 1;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.size = 0;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.addr = ~0ull - 3;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.access_sizes = 0;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.access_sizes = 0x10;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.mode = KVMX_MODE_WINDOW;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.flags = KVMX_REGION_DATAMATCH;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.flags = KVMX_REGION_LOG_DROP;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.eventfd = -2;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.log_records = 8;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.size = KVMX_REGION_MAX_MAP + 1;
	EXPECT_EQ(-E2BIG, radd(self->session, &r));
	REG_OK(r);
	r.argsz = 16;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	/* eventfds */
	REG_OK(r);
	r.mode = KVMX_MODE_DOORBELL;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.eventfd = 999;				/* not open */
	EXPECT_EQ(-EBADF, radd(self->session, &r));
	r.eventfd = null;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	REG_OK(r);
	r.mode = KVMX_MODE_DISCARD;
	r.eventfd = efd;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	/* logs */
	REG_OK(r);
	r.mode = KVMX_MODE_LOG;
	r.log_records = 3;
	r.log_watermark = 1;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.log_records = 1;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.log_records = 2 * KVMX_RING_MAX_RECORDS;
	EXPECT_EQ(-E2BIG, radd(self->session, &r));
	r.log_records = 8;
	r.log_watermark = 0;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.log_watermark = 9;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	/* a fast doorbell: a DOORBELL on MMIO of every size, no data match */
	REG_OK(r);
	r.flags = KVMX_REGION_FAST_MMIO;		/* a BANK */
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.mode = KVMX_MODE_DOORBELL;
	r.eventfd = efd;
	r.access_sizes = 8;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.access_sizes = KVMX_SIZES_ALL;
	r.flags |= KVMX_REGION_DATAMATCH;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.flags = KVMX_REGION_FAST_MMIO | KVMX_REGION_PIO;
	r.addr = 0x100;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	r.flags = KVMX_REGION_FAST_MMIO;
	r.addr = RB;
	EXPECT_EQ(0, radd(self->session, &r));
	EXPECT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_REGION_DEL, r.id))) TH_LOG("id %u", r.id);
	r.id = 0;
	/* port I/O: x86 only, 16-bit ports */
	REG_OK(r);
	r.flags = KVMX_REGION_PIO;
	r.addr = 0xfffc;
	r.size = 4;
#ifdef __x86_64__
	EXPECT_EQ(0, radd(self->session, &r));
	EXPECT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_REGION_DEL, r.id))) TH_LOG("id %u", r.id);
	r.addr = 0xfffe;
	r.id = 0;
#endif
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	/* a larger structure from a newer caller: unknown bytes must be zero */
	REG_OK(big.r);
	big.r.argsz = sizeof(big);
	EXPECT_EQ(-E2BIG, radd(self->session, &big.r));
	EXPECT_EQ(before, nr_regions(self->session));

	/* overlaps */
	REG_OK(r);
	ASSERT_EQ(0, radd(self->session, &r));
	EXPECT_NE(0, r.id);
	REG_OK(r2);
	r2.addr = RB + 4;
	EXPECT_EQ(-EEXIST, radd(self->session, &r2));
	REG_OK(r2);
	r2.addr = RB - 4;
	EXPECT_EQ(-EEXIST, radd(self->session, &r2));
	REG_OK(r2);
	r2.mode = KVMX_MODE_WINDOW;
	r2.access_sizes = 0;
	r2.size = 4096;
	EXPECT_EQ(-EEXIST, radd(self->session, &r2));	/* a window over a region */
	REG_OK(r2);
	r2.addr = RB + 8;
	EXPECT_EQ(0, radd(self->session, &r2));
	EXPECT_EQ(2, nr_regions(self->session));
	/* a device already on KVM's bus: an ioeventfd */
	ASSERT_EQ(0, ioctl(self->vm, KVM_IOEVENTFD, &io));
	REG_OK(r2);
	r2.addr = RB + 0xfc;
	EXPECT_EQ(-EEXIST, radd(self->session, &r2));
	REG_OK(r2);
	r2.addr = RB + 0x100;
	r2.mode = KVMX_MODE_WINDOW;
	r2.access_sizes = 0;
	r2.size = 4096;
	EXPECT_EQ(-EEXIST, radd(self->session, &r2));
	EXPECT_EQ(2, nr_regions(self->session));

	/* removing */
	EXPECT_EQ(-ENOENT, kvmx_ret(ioctl(self->session, KVMX_REGION_DEL, 12345)));
	EXPECT_EQ(-ENOENT, kvmx_ret(ioctl(self->session, KVMX_REGION_DEL, 1ul << 40)));
	EXPECT_EQ(0, ioctl(self->session, KVMX_REGION_DEL, r.id));
	EXPECT_EQ(-ENOENT, kvmx_ret(ioctl(self->session, KVMX_REGION_DEL, r.id)));
	EXPECT_EQ(1, nr_regions(self->session));
	/* the space is free again */
	REG_OK(r);
	EXPECT_EQ(0, radd(self->session, &r));

	/* mmap of a region: only its own offset, only its size */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->session,
				   r.mmap_offset + 4096));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, self->session,
				   r.mmap_offset));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->session,
				   r.mmap_offset + (1ull << 24) * 1000));
	close(efd);
	close(null);
}

TEST_F(vm, region_windows_and_sessions)
{
	struct kvmx_region w = { .addr = RB, .size = 1 << 16, .mode = KVMX_MODE_WINDOW,
				 .eventfd = -1 };
	struct kvmx_region r, r2;
	int other;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	other = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(other, 0);

	ASSERT_EQ(0, radd(self->session, &w));
	REG_OK(r);
	r.addr = RB + 0x100;
	ASSERT_EQ(0, radd(self->session, &r));
	/* inside the window but overlapping a region */
	REG_OK(r2);
	r2.addr = RB + 0x104;
	EXPECT_EQ(-EEXIST, radd(other, &r2));
	/* straddling the window's edge */
	REG_OK(r2);
	r2.addr = RB + (1 << 16) - 4;
	EXPECT_EQ(-EEXIST, radd(other, &r2));
	/* another session may add inside it; regions are per VM */
	REG_OK(r2);
	r2.addr = RB + 0x200;
	EXPECT_EQ(0, radd(other, &r2));
	EXPECT_EQ(3, nr_regions(other));
	/* but not remove what is not its own */
	EXPECT_EQ(-ENOENT, kvmx_ret(ioctl(other, KVMX_REGION_DEL, r.id)));
	EXPECT_EQ(-EBUSY, kvmx_ret(ioctl(self->session, KVMX_REGION_DEL, w.id)));
	/* closing a session removes its regions */
	close(other);
	EXPECT_EQ(2, nr_regions(self->session));
	EXPECT_EQ(0, ioctl(self->session, KVMX_REGION_DEL, r.id));
	EXPECT_EQ(0, ioctl(self->session, KVMX_REGION_DEL, w.id));
	EXPECT_EQ(0, nr_regions(self->session));
}

TEST_F_TIMEOUT(vm, region_budget, 300)
{
	struct kvmx_region w = { .addr = RB, .size = 8 * KVMX_MAX_REGIONS,
				 .mode = KVMX_MODE_WINDOW, .eventfd = -1 };
	struct kvmx_region r;
	int i;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	/* bus devices: KVMX_MAX_BUS_DEVS regions outside windows */
	for (i = 0; i < KVMX_MAX_BUS_DEVS; i++) {
		REG_OK(r);
		r.mode = KVMX_MODE_DISCARD;
		r.addr = RB - 8 * (i + 1);
		ASSERT_EQ(0, radd(self->session, &r)) TH_LOG("region %d", i);
	}
	REG_OK(r);
	r.mode = KVMX_MODE_DISCARD;
	r.addr = RB - 8 * (i + 1);
	EXPECT_EQ(-ENOSPC, radd(self->session, &r));
	/* a window is a device too */
	EXPECT_EQ(-ENOSPC, radd(self->session, &w));
	ASSERT_EQ(0, ioctl(self->session, KVMX_REGION_DEL, 1));
	ASSERT_EQ(0, radd(self->session, &w));
	/* regions: KVMX_MAX_REGIONS in all, windows included */
	for (i = KVMX_MAX_BUS_DEVS; i < KVMX_MAX_REGIONS; i++) {
		REG_OK(r);
		r.mode = KVMX_MODE_DISCARD;
		r.addr = RB + 8 * i;
		ASSERT_EQ(0, radd(self->session, &r)) TH_LOG("region %d", i);
	}
	REG_OK(r);
	r.mode = KVMX_MODE_DISCARD;
	r.addr = RB + 8 * i;
	EXPECT_EQ(-ENOSPC, radd(self->session, &r));
	EXPECT_EQ(KVMX_MAX_REGIONS, nr_regions(self->session));
}

#ifdef __x86_64__
#define KVMX_X86	true
#else
#define KVMX_X86	false
#endif

static int pset(int session, struct kvmx_policy *p)
{
	p->argsz = p->argsz ?: sizeof(*p);
	return kvmx_ret(ioctl(session, KVMX_SET_POLICY, p));
}

/* A valid policy to start from: whatever a failed SET leaves must equal it. */
static void policy_ok(struct kvmx_policy *p)
{
	*p = (struct kvmx_policy){
		.mmio = KVMX_POLICY_DISCARD, .nr_ranges = 1,
		.ranges[0] = { .addr = RB, .size = 0x1000 },
		.classes[KVMX_EXIT_HALT] = { .action = KVMX_CLASS_SAMPLE, .n = 2 },
	};
}

#define POLICY_INPUT_SIZE	offsetof(struct kvmx_policy, mmio_discarded)

TEST_F(vm, policy_bad_input)
{
	int efd = eventfd(0, 0), null = open("/dev/null", O_RDONLY);
	struct { struct kvmx_policy p; __u64 more; } big = { .more = 1 };
	struct kvmx_policy p, set, got;
	const bool x86 = KVMX_X86;
	int i;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	policy_ok(&set);
	ASSERT_EQ(0, pset(self->session, &set));

#define BAD(err, ...) do {						\
		policy_ok(&p);						\
		__VA_ARGS__;						\
		EXPECT_EQ(err, pset(self->session, &p)) TH_LOG("%s", #__VA_ARGS__); \
	} while (0)
	BAD(-EINVAL, p.flags = 1);
	BAD(-EINVAL, p.mmio = KVMX_POLICY_INJECT + 1);
	BAD(-EINVAL, p.pio = KVMX_POLICY_INJECT);
	BAD(-EINVAL, p.unbacked = KVMX_POLICY_DISCARD);
	if (x86) {
		/* x86 has no bus error to inject */
		BAD(-EINVAL, p.mmio = KVMX_POLICY_INJECT);
		BAD(-EINVAL, p.unbacked = KVMX_POLICY_INJECT);
		BAD(-EINVAL, p.nr_ranges = 2; p.ranges[1] = (struct kvmx_policy_range){
			.addr = 0xfff0, .size = 0x20, .flags = KVMX_RANGE_PIO });
	} else {
		/* arm64 has no ports */
		BAD(-EINVAL, p.pio = KVMX_POLICY_DISCARD);
		BAD(-EINVAL, p.nr_ranges = 2; p.ranges[1] = (struct kvmx_policy_range){
			.addr = 0x10, .size = 0x20, .flags = KVMX_RANGE_PIO });
	}
	BAD(-E2BIG, p.nr_ranges = KVMX_POLICY_MAX_RANGES + 1);
	BAD(-EINVAL, p.ranges[0].size = 0);
	BAD(-EINVAL, p.ranges[0].addr = ~0ull - 0x10);
	BAD(-EINVAL, p.ranges[0].flags = 2);
	BAD(-EINVAL, p.ranges[0].reserved = 1);
	BAD(-EINVAL, p.ranges[3].size = 1);		/* past nr_ranges */
	BAD(-EEXIST, p.nr_ranges = 2; p.ranges[1] = (struct kvmx_policy_range){
		.addr = RB + 0xfff, .size = 2 });
	BAD(-EINVAL, p.classes[0].action = KVMX_CLASS_NOTIFY + 1);
	BAD(-EINVAL, p.classes[0].action = KVMX_CLASS_SAMPLE);		/* n = 0 */
	BAD(-EINVAL, p.classes[0].n = 3);				/* COUNT */
	BAD(-EINVAL, p.classes[0].eventfd = efd);			/* COUNT */
	BAD(-EINVAL, p.classes[0].reserved = 1);
	BAD(-EINVAL, p.classes[KVMX_EXIT_NR_CLASSES] = (struct kvmx_class_policy){
		.action = KVMX_CLASS_SAMPLE, .n = 1 });
	BAD(-EINVAL, p.classes[0] = (struct kvmx_class_policy){
		.action = KVMX_CLASS_SAMPLE, .n = 1, .eventfd = efd });
	BAD(-EINVAL, p.classes[0] = (struct kvmx_class_policy){
		.action = KVMX_CLASS_NOTIFY, .eventfd = efd });		/* n = 0 */
	BAD(-EINVAL, p.classes[0] = (struct kvmx_class_policy){
		.action = KVMX_CLASS_NOTIFY, .n = 1, .eventfd = -1 });
	BAD(-EBADF, p.classes[0] = (struct kvmx_class_policy){
		.action = KVMX_CLASS_NOTIFY, .n = 1, .eventfd = 999 });
	BAD(-EINVAL, p.classes[0] = (struct kvmx_class_policy){
		.action = KVMX_CLASS_NOTIFY, .n = 1, .eventfd = null });
	BAD(-EINVAL, p.mmio_discarded = 1);			/* out-only */
	BAD(-EINVAL, p.notified[2] = 1);
	BAD(-EINVAL, p.argsz = POLICY_INPUT_SIZE);
#undef BAD
	policy_ok(&big.p);
	big.p.argsz = sizeof(big);
	EXPECT_EQ(-E2BIG, pset(self->session, &big.p));

	/* nothing changed */
	memset(&got, 0, sizeof(got));
	got.argsz = sizeof(got);
	ASSERT_EQ(0, ioctl(self->session, KVMX_GET_POLICY, &got));
	EXPECT_EQ(KVMX_POLICY_MINE, got.flags);
	EXPECT_EQ(0, memcmp((char *)&got + 8, (char *)&set + 8, POLICY_INPUT_SIZE - 8));
	got.flags = 1;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_POLICY, &got)));
	got.flags = 0;
	got.argsz = POLICY_INPUT_SIZE;
	EXPECT_EQ(-EINVAL, kvmx_ret(ioctl(self->session, KVMX_GET_POLICY, &got)));
	/* the valid edge cases */
	policy_ok(&p);
	p.nr_ranges = KVMX_POLICY_MAX_RANGES;
	for (i = 1; i < KVMX_POLICY_MAX_RANGES; i++)
		p.ranges[i] = (struct kvmx_policy_range){ .addr = RB + i * 0x1000, .size = 0x1000 };
	p.classes[0] = (struct kvmx_class_policy){ .action = KVMX_CLASS_NOTIFY, .n = 1,
						   .eventfd = efd };
	EXPECT_EQ(0, pset(self->session, &p));
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(0, pset(self->session, &p));
	close(efd);
	close(null);
}

static int ring_setup(int session, struct kvmx_ring_setup *rs)
{
	return kvmx_ret(ioctl(session, KVMX_RING_SETUP, rs));
}

TEST_F(vm, ring_bad_input)
{
	struct { struct kvmx_ring_setup rs; __u64 more; } big;
	struct pollfd pfd = { .events = POLLIN };
	struct kvmx_ring_setup rs;
	void *p;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	/* no ring yet */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->session, 0));
	EXPECT_EQ(ENODEV, errno);
	pfd.fd = self->session;
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLERR, pfd.revents);

#define RS_OK() (rs = (struct kvmx_ring_setup){ .argsz = sizeof(rs), \
	.nr_records = 64, .watermark = 1 })
	RS_OK();
	rs.flags = 1;
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	RS_OK();
	rs.nr_records = 0;
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	rs.nr_records = 1;
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	rs.nr_records = 48;		/* not a power of two */
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	rs.nr_records = KVMX_RING_MAX_RECORDS * 2;
	EXPECT_EQ(-E2BIG, ring_setup(self->session, &rs));
	RS_OK();
	rs.watermark = 0;
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	rs.watermark = 65;
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	RS_OK();
	rs.sample[KVMX_EXIT_NR_CLASSES] = 1;	/* no such class */
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	RS_OK();
	rs.fault_sample[KVMX_FAULT_NR_CLASSES] = 1;	/* no such fault class */
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	RS_OK();
	rs.argsz = 8;
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	RS_OK();
	rs.argsz = offsetof(struct kvmx_ring_setup, mmap_size);	/* cuts mmap_size */
	EXPECT_EQ(-EINVAL, ring_setup(self->session, &rs));
	/* a later, larger structure: unknown bytes must be zero */
	big.rs = (struct kvmx_ring_setup){ .argsz = sizeof(big), .nr_records = 64,
					   .watermark = 1 };
	big.more = 1;
	EXPECT_EQ(-E2BIG, ring_setup(self->session, &big.rs));
	/* none of the above made a ring */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->session, 0));

	RS_OK();
	ASSERT_EQ(0, ring_setup(self->session, &rs));
	EXPECT_EQ(4096 + 64 * sizeof(struct kvmx_exit_record), rs.mmap_size);
	/* settings can change, the size cannot */
	RS_OK();
	rs.watermark = 32;
	rs.sample[KVMX_EXIT_HALT] = 8;
	EXPECT_EQ(0, ring_setup(self->session, &rs));
	rs.nr_records = 128;
	EXPECT_EQ(-EBUSY, ring_setup(self->session, &rs));
	/* an API 1.1 caller: the structure ends after mmap_size */
	RS_OK();
	rs.argsz = offsetof(struct kvmx_ring_setup, fault_sample);
	rs.fault_sample[0] = 1;		/* beyond argsz: not read */
	rs.mmap_size = 0;
	EXPECT_EQ(0, ring_setup(self->session, &rs));
	EXPECT_EQ(4096 + 64 * sizeof(struct kvmx_exit_record), rs.mmap_size);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->session, 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, rs.mmap_size * 2, PROT_READ, MAP_SHARED,
				   self->session, 0));
	/* an empty ring: nothing to read */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	p = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, self->session, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(64, ((struct kvmx_ring_header *)p)->nr_records);
	EXPECT_EQ(0, ((struct kvmx_ring_header *)p)->head);
	munmap(p, rs.mmap_size);
}

/* rmmod is refused while a session (or /dev/kvmx) is open. */
TEST_F(vm, module_pinned)
{
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	close(self->kvmx);
	self->kvmx = open("/dev/null", O_RDONLY);
	EXPECT_EQ(-EWOULDBLOCK, kvmx_ret(syscall(SYS_delete_module, "kvmx", O_NONBLOCK)));
	EXPECT_EQ(0, access("/dev/kvmx", F_OK)) TH_LOG("kvmx was unloaded");
}

/* -- what a failed call must not do ---------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * argsz up to 4 GiB: the kernel would scan that much user memory for zero
 * bytes (4 GiB of zero pages here). Capped at a page, -E2BIG at once.
 */
TEST_F(vm, argsz_capped)
{
	const size_t huge = 4ull << 30;
	unsigned long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, huge, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct kvmx_region *r = (void *)m;
	struct kvmx_policy *p = (void *)m;
	struct kvmx_attach_vm *a = (void *)m;
	double t;
	int fd = next_fd();

	ASSERT_NE(MAP_FAILED, m);
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	/* one byte over a page of zeroes: too big, though all zero */
	*a = (struct kvmx_attach_vm){ .argsz = page + 1, .vm_fd = self->vm };
	fd = next_fd();
	EXPECT_EQ(-E2BIG, kvmx_ret(ioctl(self->kvmx, KVMX_ATTACH_VM, a)));
	EXPECT_EQ(fd, next_fd());
	EXPECT_EQ(1, sessions_of(_metadata, self->session));
	memset(p, 0, sizeof(*p));
	p->argsz = page + 1;
	EXPECT_EQ(-E2BIG, kvmx_ret(ioctl(self->session, KVMX_SET_POLICY, p)));

	/* 4 GiB: refused without reading it */
	*r = (struct kvmx_region){ .argsz = 0xffffffffu, .addr = RB, .size = 8,
				   .mode = KVMX_MODE_BANK, .access_sizes = KVMX_SIZES_ALL,
				   .eventfd = -1 };
	t = now_s();
	EXPECT_EQ(-E2BIG, kvmx_ret(ioctl(self->session, KVMX_REGION_ADD, r)));
	t = now_s() - t;
	EXPECT_LT(t, 1.0) TH_LOG("REGION_ADD with argsz 4 GiB took %.1f s", t);
	EXPECT_EQ(0, nr_regions(self->session));
	/* exactly a page is accepted */
	r->argsz = page;
	EXPECT_EQ(0, kvmx_ret(ioctl(self->session, KVMX_REGION_ADD, r)));
	munmap(m, huge);
}

/* Ids: never 0 (the event ring's offset), not reused while live or soon after. */
TEST_F(vm, region_ids)
{
	struct kvmx_region a, b, c;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	REG_OK(a);
	ASSERT_EQ(0, radd(self->session, &a));
	REG_OK(b);
	b.addr = RB + 0x100;
	ASSERT_EQ(0, radd(self->session, &b));
	ASSERT_EQ(0, ioctl(self->session, KVMX_REGION_DEL, a.id));
	REG_OK(c);
	ASSERT_EQ(0, radd(self->session, &c));
	EXPECT_NE(0, a.id);
	EXPECT_NE(a.id, c.id);
	EXPECT_NE(b.id, c.id);
	EXPECT_NE(0, c.mmap_offset);
	EXPECT_NE(b.mmap_offset, c.mmap_offset);
}

/*
 * A struct whose output part lies in a read-only page: the input is
 * readable, the output is not writable. The call fails with EFAULT and
 * changes nothing.
 */
static void *split_struct(size_t out_offset)
{
	unsigned long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	memset(m, 0, 2 * page);
	return m + page - out_offset;
}

static void split_protect(void *s, size_t out_offset)
{
	unsigned long page = sysconf(_SC_PAGESIZE);

	mprotect((char *)s + out_offset, page, PROT_READ);
}

TEST_F(vm, efault_changes_nothing)
{
	const size_t pout = offsetof(struct kvmx_policy, mmio_discarded);
	const size_t rout = offsetof(struct kvmx_ring_setup, mmap_size);
	struct kvmx_policy *p = split_struct(pout), got;
	struct kvmx_ring_setup *rs = split_struct(rout);
	void *ring;

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, rs);
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);

	policy_ok(p);
	p->argsz = sizeof(*p);
	split_protect(p, pout);
	EXPECT_EQ(-EFAULT, kvmx_ret(ioctl(self->session, KVMX_SET_POLICY, p)));
	memset(&got, 0, sizeof(got));
	got.argsz = sizeof(got);
	ASSERT_EQ(0, ioctl(self->session, KVMX_GET_POLICY, &got));
	EXPECT_EQ(0, got.flags) TH_LOG("the policy of a failed SET_POLICY is in force");
	EXPECT_EQ(KVMX_POLICY_FORWARD, got.mmio);

	*rs = (struct kvmx_ring_setup){ .argsz = sizeof(*rs), .nr_records = 64,
					.watermark = 1 };
	split_protect(rs, rout);
	EXPECT_EQ(-EFAULT, kvmx_ret(ioctl(self->session, KVMX_RING_SETUP, rs)));
	ring = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->session, 0);
	EXPECT_EQ(MAP_FAILED, ring) TH_LOG("a failed RING_SETUP left a ring");
	if (ring != MAP_FAILED)
		munmap(ring, 4096);
}

/* KVMX_CHECK_EXTENSION on @fd: what the header and the arch say */
static void check_caps(struct __test_metadata *_metadata, int fd, bool session, __u32 arch)
{
#define CAP(c) kvmx_ret(ioctl(fd, KVMX_CHECK_EXTENSION, (unsigned long)(c)))
	const bool x86 = arch != KVMX_ARCH_ARM64;

	EXPECT_EQ(1, CAP(KVMX_CAP_STATS));
	EXPECT_EQ(1, CAP(KVMX_CAP_FAULTS));
	EXPECT_EQ(1, CAP(KVMX_CAP_REGIONS));
	EXPECT_EQ(1, CAP(KVMX_CAP_POLICY));
	EXPECT_EQ(1, CAP(KVMX_CAP_STATS_SINCE));
	EXPECT_EQ(1, CAP(KVMX_CAP_REGION_LIST_MMAP));
	EXPECT_EQ(1, CAP(KVMX_CAP_GET_NAMES));
	EXPECT_EQ(x86, CAP(KVMX_CAP_REGION_PIO));
	EXPECT_EQ(x86, CAP(KVMX_CAP_POLICY_PIO));
	EXPECT_EQ(!x86, CAP(KVMX_CAP_POLICY_INJECT));
	EXPECT_EQ(session && arch == KVMX_ARCH_X86_VMX ? 2 : 1, CAP(KVMX_CAP_REGION_FAST_MMIO));
	EXPECT_EQ(KVMX_MAX_REGIONS, CAP(KVMX_CAP_MAX_REGIONS));
	EXPECT_EQ(KVMX_MAX_BUS_DEVS, CAP(KVMX_CAP_MAX_BUS_DEVS));
	EXPECT_EQ(KVMX_REGION_MAX_MAP, CAP(KVMX_CAP_REGION_MAX_MAP));
	EXPECT_EQ(KVMX_RING_MAX_RECORDS, CAP(KVMX_CAP_RING_MAX_RECORDS));
	EXPECT_EQ(KVMX_POLICY_MAX_RANGES, CAP(KVMX_CAP_POLICY_MAX_RANGES));
	EXPECT_EQ(KVMX_FAULT_HOT_MAX, CAP(KVMX_CAP_FAULT_HOT_MAX));
	EXPECT_EQ(KVMX_EXIT_NR_CLASSES, CAP(KVMX_CAP_EXIT_NR_CLASSES));
	EXPECT_EQ(KVMX_FAULT_NR_CLASSES, CAP(KVMX_CAP_FAULT_NR_CLASSES));
	/* what the module does not know: 0, not an error */
	EXPECT_EQ(0, CAP(0));
	EXPECT_EQ(0, CAP(12));
	EXPECT_EQ(0, CAP(63));
	EXPECT_EQ(0, CAP(72));
	EXPECT_EQ(0, CAP(~0ul));
#undef CAP
}

static __u32 arch_of(struct __test_metadata *_metadata, int session)
{
	struct kvmx_stats st = { .argsz = sizeof(st) };

	EXPECT_EQ(0, ioctl(session, KVMX_GET_STATS, &st));
	return st.arch;
}

TEST_F(vm, check_extension)
{
	__u32 arch;

	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	arch = arch_of(_metadata, self->session);
	check_caps(_metadata, self->kvmx, false, arch);
	check_caps(_metadata, self->session, true, arch);
}

#define NAMES_MAX 512
struct names {
	struct kvmx_names h;
	struct kvmx_name_entry e[NAMES_MAX];
};

static int get_names(int fd, struct names *n, __u32 argsz, __u32 flags, __u32 arch)
{
	memset(n, 0xa5, sizeof(*n));
	n->h = (struct kvmx_names){ .argsz = argsz, .flags = flags, .arch = arch };
	return kvmx_ret(ioctl(fd, KVMX_GET_NAMES, n));
}

/* every entry is exit_class.c's and fault_decode.c's name, and all are there */
static void check_names(struct __test_metadata *_metadata, const struct names *n, __u32 arch)
{
	unsigned int i, classes = 0, fclasses = 0, types = 0, raws = 0, slot;
	__u32 raw;

	ASSERT_EQ(arch, n->h.arch);
	ASSERT_EQ(sizeof(struct kvmx_name_entry), n->h.entry_size);
	ASSERT_EQ(n->h.nr_total, n->h.nr_entries);
	ASSERT_EQ(0, n->h.flags);
	for (i = 0; i < n->h.nr_entries; i++) {
		const struct kvmx_name_entry *e = &n->e[i];
		const char *want = NULL;

		EXPECT_EQ(0, e->reserved);
		switch (e->kind) {
		case KVMX_NAME_EXIT_CLASS:
			EXPECT_EQ(classes, e->id);
			want = kvmx_class_name(e->id);
			classes++;
			break;
		case KVMX_NAME_FAULT_CLASS:
			EXPECT_EQ(fclasses, e->id);
			want = kvmx_fault_class_name(e->id);
			fclasses++;
			break;
		case KVMX_NAME_FAULT_TYPE:
			EXPECT_EQ(types, e->id);
			want = kvmx_fault_type_name(e->id);
			types++;
			break;
		case KVMX_NAME_RAW:
			want = kvmx_raw_name(arch, e->id);
			EXPECT_EQ(kvmx_exit_class(arch, e->id), e->class);
			raws++;
			break;
		}
		ASSERT_NE(NULL, want) TH_LOG("entry %u: kind %u id 0x%x", i, e->kind, e->id);
		EXPECT_STREQ(want, e->name);
	}
	EXPECT_EQ(KVMX_EXIT_NR_CLASSES, classes);
	EXPECT_EQ(KVMX_FAULT_NR_CLASSES, fclasses);
	EXPECT_EQ(KVMX_FT_NR_TYPES, types);
	/* every raw reason the decoder names, once */
	for (slot = 0, i = 0; slot < KVMX_RAW_SLOTS; slot++)
		if (kvmx_slot_raw(arch, slot, &raw) && kvmx_raw_name(arch, raw))
			i++;
	EXPECT_EQ(i, raws);
	EXPECT_GT(raws, 40);
}

TEST_F(vm, get_names)
{
	struct names *n = malloc(sizeof(*n));
	const __u32 hsz = sizeof(struct kvmx_names), esz = sizeof(struct kvmx_name_entry);
	__u32 arch, total, a;

	ASSERT_NE(NULL, n);
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	arch = arch_of(_metadata, self->session);

	/* the host's arch on /dev/kvmx, the VM's on a session */
	ASSERT_EQ(0, get_names(self->kvmx, n, sizeof(*n), 0, 0));
	check_names(_metadata, n, arch);
	total = n->h.nr_total;
	ASSERT_EQ(0, get_names(self->session, n, sizeof(*n), 0, 0));
	check_names(_metadata, n, arch);
	EXPECT_EQ(hsz + total * esz, n->h.argsz);
	/* any arch by number: an older kvmxctl reading another host's trace */
	for (a = KVMX_ARCH_X86_VMX; a <= KVMX_ARCH_ARM64; a++) {
		ASSERT_EQ(0, get_names(self->kvmx, n, sizeof(*n), 0, a));
		check_names(_metadata, n, a);
	}

	/* a short buffer: what fits, the size all need, nothing past it */
	ASSERT_EQ(0, get_names(self->kvmx, n, hsz + 2 * esz + esz / 2, 0, 0));
	EXPECT_EQ(2, n->h.nr_entries);
	EXPECT_EQ(total, n->h.nr_total);
	EXPECT_EQ(KVMX_TABLE_TRUNCATED, n->h.flags);
	EXPECT_EQ(hsz + total * esz, n->h.argsz);
	EXPECT_STREQ(kvmx_class_name(0), n->e[0].name);
	EXPECT_EQ(0xa5a5a5a5, n->e[2].kind);
	ASSERT_EQ(0, get_names(self->kvmx, n, hsz, 0, 0));
	EXPECT_EQ(0, n->h.nr_entries);
	EXPECT_EQ(total, n->h.nr_total);

	/* bad input: nothing written */
	EXPECT_EQ(-EINVAL, get_names(self->kvmx, n, hsz - 1, 0, 0));
	EXPECT_EQ(-EINVAL, get_names(self->kvmx, n, sizeof(*n), 1, 0));
	EXPECT_EQ(-EINVAL, get_names(self->session, n, sizeof(*n), 1u << 31, 0));
	EXPECT_EQ(-EINVAL, get_names(self->kvmx, n, sizeof(*n), 0, KVMX_ARCH_ARM64 + 1));
	EXPECT_EQ(-EINVAL, get_names(self->session, n, sizeof(*n), 0, ~0u));
	EXPECT_EQ(0xa5a5a5a5, n->e[0].kind);
	EXPECT_EQ(~0u, n->h.arch);
	EXPECT_EQ(-EFAULT, kvmx_ret(ioctl(self->kvmx, KVMX_GET_NAMES, NULL)));
	free(n);
}

struct rlist {
	struct kvmx_region_list h;
	struct kvmx_region_mmap_info e[4];
};

static int rlist(int session, struct rlist *l, __u32 argsz, __u32 flags)
{
	memset(l, 0xa5, sizeof(*l));
	l->h = (struct kvmx_region_list){ .argsz = argsz, .flags = flags };
	return kvmx_ret(ioctl(session, KVMX_REGION_LIST, l));
}

TEST_F(vm, region_list_mmap)
{
	const __u32 hsz = sizeof(struct kvmx_region_list);
	const struct kvmx_region_info *old;
	struct kvmx_region bank, door;
	struct rlist l;
	int other, efd = eventfd(0, 0);
	void *p;

	ASSERT_GE(efd, 0);
	self->session = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(self->session, 0);
	other = kvmx_attach(self->kvmx, self->vm);
	ASSERT_GE(other, 0);
	REG_OK(bank);
	bank.size = 2 * 4096;
	ASSERT_EQ(0, radd(self->session, &bank));
	door = (struct kvmx_region){ .addr = RB + 0x10000, .size = 4, .mode = KVMX_MODE_DOORBELL,
				     .access_sizes = 4, .eventfd = efd };
	ASSERT_EQ(0, radd(self->session, &door));

	/* with the flag: the larger entries, the owner's mmap offset and size */
	ASSERT_EQ(0, rlist(self->session, &l, sizeof(l), KVMX_REGION_LIST_MMAP));
	ASSERT_EQ(2, l.h.nr_entries);
	EXPECT_EQ(0, l.h.flags);
	EXPECT_EQ(hsz + 2 * sizeof(struct kvmx_region_mmap_info), l.h.argsz);
	EXPECT_EQ(bank.id, l.e[0].info.id);
	EXPECT_EQ(bank.mmap_offset, l.e[0].mmap_offset);
	EXPECT_EQ(bank.mmap_size, l.e[0].mmap_size);
	EXPECT_EQ(2 * 4096, l.e[0].mmap_size);
	EXPECT_EQ(door.id, l.e[1].info.id);
	EXPECT_EQ(0, l.e[1].mmap_offset);
	EXPECT_EQ(0, l.e[1].mmap_size);
	/* the listed offset maps the bank */
	p = mmap(NULL, l.e[0].mmap_size, PROT_READ, MAP_SHARED, self->session, l.e[0].mmap_offset);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, l.e[0].mmap_size);
	/* another session sees the region, not an offset it could not map */
	ASSERT_EQ(0, rlist(other, &l, sizeof(l), KVMX_REGION_LIST_MMAP));
	ASSERT_EQ(2, l.h.nr_entries);
	EXPECT_EQ(0, l.e[0].mmap_offset);
	EXPECT_EQ(0, l.e[0].mmap_size);

	/* without it: API 1.3's entries, packed as before */
	ASSERT_EQ(0, rlist(self->session, &l, sizeof(l), 0));
	ASSERT_EQ(2, l.h.nr_entries);
	EXPECT_EQ(hsz + 2 * sizeof(struct kvmx_region_info), l.h.argsz);
	old = (const struct kvmx_region_info *)l.e;
	EXPECT_EQ(bank.id, old[0].id);
	EXPECT_EQ(door.id, old[1].id);
	EXPECT_EQ(0xa5a5a5a5, old[2].id);
	/* a short buffer with the flag: one entry fits */
	ASSERT_EQ(0, rlist(self->session, &l, hsz + sizeof(l.e[0]) + 8, KVMX_REGION_LIST_MMAP));
	EXPECT_EQ(1, l.h.nr_entries);
	EXPECT_EQ(2, l.h.nr_total);
	EXPECT_EQ(KVMX_TABLE_TRUNCATED, l.h.flags);
	EXPECT_EQ(hsz + 2 * sizeof(l.e[0]), l.h.argsz);
	EXPECT_EQ(0xa5a5a5a5, l.e[1].info.id);
	/* an unknown flag: nothing written */
	EXPECT_EQ(-EINVAL, rlist(self->session, &l, sizeof(l), 1u << 2));
	EXPECT_EQ(-EINVAL, rlist(self->session, &l, sizeof(l), KVMX_TABLE_TRUNCATED));
	EXPECT_EQ(0xa5a5a5a5, l.e[0].info.id);
	close(other);
	close(efd);
}

TEST_HARNESS_MAIN
