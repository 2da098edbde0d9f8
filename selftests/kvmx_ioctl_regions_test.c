// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx ioctl tests of regions: KVMX_REGION_ADD, _DEL and _LIST, windows
 * and sessions, the budgets, ids, and the listed mmap offsets.
 *
 * Every bad input is checked for its errno and for changing nothing.
 */
#define _GNU_SOURCE
#include "kvmx_ioctl.h"

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
	r.mode = KVMX_MODE_PROGRAM + 1;
	EXPECT_EQ(-EINVAL, radd(self->session, &r));
	/* a program region: a kernel that runs BPF, and a BPF link */
	REG_OK(r);
	r.mode = KVMX_MODE_PROGRAM;
	r.link_fd = null;
	EXPECT_EQ(kvmx_kernel_has_bpf() ? -EINVAL : -EOPNOTSUPP, radd(self->session, &r));
	REG_OK(r);
	r.link_fd = null;			/* a link is a program region's */
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
