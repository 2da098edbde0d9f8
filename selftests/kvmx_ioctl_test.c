// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx ioctl tests, the control device and sessions: the version
 * handshake, KVMX_ATTACH_VM and its bad inputs, KVMX_SESSION_INFO, close
 * orderings, module pinning, argsz limits, EFAULT, KVMX_CHECK_EXTENSION and
 * KVMX_GET_NAMES. No session appears (the VM's session count is
 * unchanged) and no file descriptor leaks on a failed call.
 *
 * Every bad input is checked for its errno and for changing nothing.
 */
#define _GNU_SOURCE
#include "kvmx_ioctl.h"

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
	EXPECT_EQ(kvmx_kernel_has_bpf(), CAP(KVMX_CAP_BPF));
	EXPECT_EQ(0, CAP(KVMX_CAP_BPF + 1));
	EXPECT_EQ(0, CAP(63));
	EXPECT_EQ(0, CAP(72));
	EXPECT_EQ(0, CAP(~0ul));
#undef CAP
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

TEST_HARNESS_MAIN
