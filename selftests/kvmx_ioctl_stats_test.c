// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx ioctl tests of the counters: KVMX_GET_STATS, its since_ns,
 * KVMX_RESET_STATS, KVMX_GET_FAULTS and KVMX_RING_SETUP.
 *
 * Every bad input is checked for its errno and for changing nothing.
 */
#define _GNU_SOURCE
#include "kvmx_ioctl.h"

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

TEST_HARNESS_MAIN
