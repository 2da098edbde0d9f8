// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx guest tests: a guest keeps running, unchanged, while kvmx sessions
 * attach to and detach from its VM, and the session sees its vCPUs.
 *
 * The guest counts with GUEST_SYNC(i); the host checks that every value
 * arrives once and in order, attached or not.
 */
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include <sys/mman.h>
#include "kvmx_test.h"

#define NR_SYNCS	200

static void guest_code(void)
{
	uint64_t i;

	for (i = 0; i < NR_SYNCS; i++)
		GUEST_SYNC(i);
	GUEST_DONE();
}

/* Run @vcpu until it has synced up to (excluding) @until, or until DONE. */
static void run_until(struct kvm_vcpu *vcpu, uint64_t *next, uint64_t until)
{
	struct ucall uc;

	while (*next < until) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			TEST_ASSERT(uc.args[1] == *next,
				    "vCPU %u: sync %lu, expected %lu",
				    vcpu->id, uc.args[1], *next);
			(*next)++;
			break;
		case UCALL_DONE:
			TEST_ASSERT(*next == NR_SYNCS, "vCPU %u: done after %lu syncs",
				    vcpu->id, *next);
			*next = UINT64_MAX;
			return;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			TEST_FAIL("vCPU %u: unexpected exit %u (%s)", vcpu->id,
				  vcpu->run->exit_reason,
				  exit_reason_str(vcpu->run->exit_reason));
		}
	}
}

/*
 * The 6.1 selftest library leaves ucall set-up to the test (arm64 needs an
 * MMIO address for it; on x86 it is port I/O and this is a no-op).
 */
static struct kvm_vm *create_vm(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_code);

	ucall_init(vm, NULL);
	return vm;
}

static int attach(int kvmx, struct kvm_vm *vm)
{
	int s = kvmx_attach(kvmx, vm->fd);

	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	return s;
}

static void test_guest_runs_while_attached(int kvmx)
{
	struct kvmx_session_info info;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t next = 0;
	int s;

	vm = create_vm(&vcpu);
	run_until(vcpu, &next, NR_SYNCS / 4);

	s = attach(kvmx, vm);
	TEST_ASSERT(!kvmx_info(s, &info), "KVMX_SESSION_INFO");
	TEST_ASSERT(info.nr_vcpus == 1, "nr_vcpus %u, expected 1", info.nr_vcpus);
	run_until(vcpu, &next, NR_SYNCS / 2);

	/* detach mid-run, attach again, run to the end */
	close(s);
	run_until(vcpu, &next, 3 * NR_SYNCS / 4);
	s = attach(kvmx, vm);
	run_until(vcpu, &next, UINT64_MAX);
	TEST_ASSERT(next == UINT64_MAX, "guest did not finish");
	close(s);
	kvm_vm_free(vm);
	ksft_test_result_pass("guest runs while attached, detached, re-attached\n");
}

static void test_vcpus_added_after_attach(int kvmx)
{
	struct kvmx_session_info info;
	struct kvm_vcpu *vcpu[2];
	uint64_t next[2] = {};
	struct kvm_vm *vm;
	int s, i;

	vm = create_vm(&vcpu[0]);
	s = attach(kvmx, vm);
	vcpu[1] = vm_vcpu_add(vm, 1, guest_code);
	TEST_ASSERT(!kvmx_info(s, &info), "KVMX_SESSION_INFO");
	TEST_ASSERT(info.nr_vcpus == 2, "nr_vcpus %u, expected 2", info.nr_vcpus);
	for (i = 0; i < 2; i++)
		run_until(vcpu[i], &next[i], UINT64_MAX);
	close(s);
	kvm_vm_free(vm);
	ksft_test_result_pass("vCPUs added after attach run and are seen\n");
}

/*
 * A ring too small for the guest's exits: what does not fit is counted as
 * overflow, nothing is overwritten. Then userspace lies about its tail:
 * the kernel must treat the ring as full, not write where the lie points.
 */
static void test_ring_overflow_and_hostile_tail(int kvmx)
{
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs), .nr_records = 4, .watermark = 4 };
	struct kvmx_ring_header *hdr;
	struct kvmx_exit_record *recs, saved[4];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t next = 0, overflow;
	int s, c;

	vm = create_vm(&vcpu);
	s = attach(kvmx, vm);
	for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++)
		rs.sample[c] = 1;
	TEST_ASSERT(!ioctl(s, KVMX_RING_SETUP, &rs), "KVMX_RING_SETUP: %s", strerror(errno));
	hdr = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	TEST_ASSERT(hdr != MAP_FAILED, "mmap: %s", strerror(errno));
	recs = (void *)hdr + hdr->records_offset;

	run_until(vcpu, &next, NR_SYNCS / 2);
	TEST_ASSERT(hdr->head == 4, "head %u after overflow, expected 4", hdr->head);
	overflow = hdr->overflow;
	/* NR_SYNCS / 2 ucalls at least, 4 of them recorded */
	TEST_ASSERT(overflow >= NR_SYNCS / 2 - 4, "overflow %llu", (unsigned long long)overflow);

	/* a tail far ahead of head: counts as full, the records stay put */
	memcpy(saved, recs, sizeof(saved));
	hdr->tail = hdr->head + 1000;
	run_until(vcpu, &next, NR_SYNCS / 2 + 10);
	TEST_ASSERT(hdr->head == 4, "head moved to %u with a bogus tail", hdr->head);
	TEST_ASSERT(hdr->overflow >= overflow + 10, "overflow %llu after bogus tail",
		    (unsigned long long)hdr->overflow);
	TEST_ASSERT(!memcmp(saved, recs, sizeof(saved)), "records rewritten");

	/* an honest tail: the ring takes records again */
	hdr->tail = hdr->head;
	run_until(vcpu, &next, UINT64_MAX);
	TEST_ASSERT(hdr->head == 8, "head %u after draining, expected 8", hdr->head);
	munmap(hdr, rs.mmap_size);
	close(s);
	kvm_vm_free(vm);
	ksft_test_result_pass("ring overflow counted; a hostile tail is not trusted\n");
}

/* the cases, a TAP result each: the plan is their number */
static void (*const cases[])(int kvmx) = {
	test_guest_runs_while_attached,
	test_vcpus_added_after_attach,
	test_ring_overflow_and_hostile_tail,
};

int main(void)
{
	unsigned int i;
	int kvmx;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(cases));
	kvmx = kvmx_open_or_skip();
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cases[i](kvmx);

	close(kvmx);
	ksft_finished();
}
