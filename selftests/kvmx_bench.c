// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_bench MODE ROUNDS EXITS: time a guest loop of EXITS in-kernel exits
 * (CPUID on x86, an OSLSR_EL1 read on arm64), ROUNDS times; prints the
 * median ns per exit as one JSON line. MODE says what kvmx does meanwhile:
 *   plain     nothing (whether kvmx is loaded is up to the caller)
 *   other     another, idle VM is attached: the exit probes are registered
 *             and this VM pays the "not attached" check
 *   attached  this VM is attached: every exit is classified and counted
 */
#include <stdlib.h>
#include <time.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

static uint64_t nr_exits;

static void guest_code(void)
{
	uint64_t i;

	for (;;) {
		for (i = 0; i < nr_exits; i++) {
#ifdef __x86_64__
			u32 a = 0, b, c = 0, d;

			asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
#else
			u64 v;

			asm volatile("mrs %0, oslsr_el1" : "=r"(v));
#endif
		}
		GUEST_SYNC(0);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct kvm_vm *vm, *other = NULL;
	struct kvm_vcpu *vcpu;
	struct ucall uc;
	struct timespec t0, t1;
	int rounds, kvmx = -1, s = -1, i;
	double *ns;

	TEST_ASSERT(argc == 4, "usage: kvmx_bench plain|other|attached ROUNDS EXITS");
	rounds = atoi(argv[2]);
	nr_exits = strtoull(argv[3], NULL, 0);
	ns = calloc(rounds, sizeof(*ns));

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	sync_global_to_guest(vm, nr_exits);
	if (strcmp(argv[1], "plain")) {
		kvmx = kvmx_open();
		TEST_ASSERT(kvmx >= 0, "open /dev/kvmx: %s", strerror(-kvmx));
		if (!strcmp(argv[1], "other"))
			other = vm_create_barebones();
		s = kvmx_attach(kvmx, other ? other->fd : vm->fd);
		TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	}

	/* warm up: fault in the guest's memory, then time */
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "warm-up");
	for (i = 0; i < rounds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		vcpu_run(vcpu);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "round %d", i);
		ns[i] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / nr_exits;
	}
	qsort(ns, rounds, sizeof(*ns), cmp);
	printf("{\"mode\":\"%s\",\"exits\":%lu,\"rounds\":%d,\"ns_per_exit\":%.1f}\n",
	       argv[1], nr_exits, rounds, ns[rounds / 2]);
	if (s >= 0)
		close(s);
	if (other)
		kvm_vm_free(other);
	kvm_vm_free(vm);
	return 0;
}
