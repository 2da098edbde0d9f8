// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_demo: the guest behind `make demo`. Creates a VM with a small guest,
 * attaches a kvmx session, runs the guest and prints what kvmx reports.
 */
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define NR_ROUNDS	50

static void guest_code(void)
{
	uint64_t i;

	for (i = 0; i < NR_ROUNDS; i++)
		GUEST_SYNC(i);
	GUEST_DONE();
}

int main(void)
{
	struct kvmx_session_info info;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int kvmx, s, syncs = 0;

	kvmx = kvmx_open();
	TEST_ASSERT(kvmx >= 0, "open /dev/kvmx: %s", strerror(-kvmx));
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	s = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));

	for (;;) {
		vcpu_run(vcpu);
		if (get_ucall(vcpu, &uc) != UCALL_SYNC)
			break;
		syncs++;
	}
	TEST_ASSERT(uc.cmd == UCALL_DONE, "guest stopped with ucall %lu", uc.cmd);

	TEST_ASSERT(!kvmx_info(s, &info), "KVMX_SESSION_INFO");
	printf("guest: %d rounds of GUEST_SYNC, then GUEST_DONE\n", syncs);
	printf("kvmx session: vm_id %llu, %u vCPU(s), %u session(s), api %u.%u\n",
	       (unsigned long long)info.vm_id, info.nr_vcpus, info.nr_sessions,
	       KVMX_API_VERSION_MAJOR(info.api_version),
	       KVMX_API_VERSION_MINOR(info.api_version));
	close(s);
	kvm_vm_free(vm);
	close(kvmx);
	return 0;
}
