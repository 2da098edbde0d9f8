// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx ioctl tests of the exit policy: KVMX_SET_POLICY and KVMX_GET_POLICY.
 *
 * Every bad input is checked for its errno and for changing nothing.
 */
#define _GNU_SOURCE
#include "kvmx_ioctl.h"

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

TEST_HARNESS_MAIN
