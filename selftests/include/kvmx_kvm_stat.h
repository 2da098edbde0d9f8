/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM's own statistics of a vCPU (KVM_GET_STATS_FD), by name: what a test
 * checks kvmx's counts against when the guest cannot know how many exits
 * it made. Guest tests only: the KVM selftest library reads them.
 */
#ifndef _KVMX_KVM_STAT_H
#define _KVMX_KVM_STAT_H

#include <stdlib.h>
#include <string.h>
#include "kvm_util.h"

static inline uint64_t kvmx_vcpu_stat(struct kvm_vcpu *vcpu, const char *name)
{
	int fd = vcpu_get_stats_fd(vcpu);
	struct kvm_stats_header h;
	struct kvm_stats_desc *descs, *d;
	uint64_t v = 0;
	bool found = false;
	__u32 i;

	read_stats_header(fd, &h);
	descs = read_stats_descriptors(fd, &h);
	for (i = 0; i < h.num_desc && !found; i++) {
		d = get_stats_descriptor(descs, i, &h);
		if (strcmp(d->name, name))
			continue;
		read_stat_data(fd, &h, d, &v, 1);
		found = true;
	}
	free(descs);
	close(fd);
	TEST_ASSERT(found, "KVM has no vCPU statistic %s", name);
	return v;
}

#endif /* _KVMX_KVM_STAT_H */
