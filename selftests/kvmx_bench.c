// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_bench MODE ROUNDS EXITS [KIND]: time a guest loop of EXITS exits of
 * one KIND, ROUNDS times; prints the medians per exit as one JSON line: ns
 * (the host's clock) and ticks of the guest's own counter (x86: the TSC;
 * under Bochs with clock sync=none that is an exact instruction count of
 * everything the emulated CPU ran, guest, host kernel and this VMM).
 * MODE says what kvmx does meanwhile:
 *   plain     nothing (whether kvmx is loaded is up to the caller)
 *   other     another, idle VM is attached: the exit probes are registered
 *             and this VM pays the "not attached" check
 *   attached  this VM is attached: every exit is classified and counted
 * KIND (default cpuid):
 *   cpuid     CPUID on x86, an OSLSR_EL1 read on arm64: KVM answers itself
 *   pio       x86: OUT to a port KVM_IOEVENTFD serves
 *   mmio      an 8-byte MMIO write a KVM_IOEVENTFD of 8 bytes serves
 *   mmio_fast the same to a zero-length KVM_IOEVENTFD (VMX: KVM's fast MMIO
 *             bus, no instruction decode)
 *   mmio_vmm  an MMIO write with no device: KVM_EXIT_MMIO to this VMM
 */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define MMIO_GPA	0xc0000000ul
#define PORT		0x510

enum { K_CPUID, K_PIO, K_MMIO, K_MMIO_FAST, K_MMIO_VMM, NR_KINDS };
static const char * const kind_name[NR_KINDS] = {
	"cpuid", "pio", "mmio", "mmio_fast", "mmio_vmm",
};

static uint64_t nr_exits, kind;

static void guest_exit(uint64_t i)
{
	switch (kind) {
	case K_CPUID: {
#ifdef __x86_64__
		u32 a = 0, b, c = 0, d;

		asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
#else
		u64 v;

		asm volatile("mrs %0, oslsr_el1" : "=r"(v));
#endif
		break;
	}
#ifdef __x86_64__
	case K_PIO:
		asm volatile("outb %%al, %%dx" : : "a"(0), "d"(PORT));
		break;
#endif
	case K_MMIO:
		WRITE_ONCE(*(u64 *)MMIO_GPA, i);
		break;
	case K_MMIO_FAST:
		WRITE_ONCE(*(u64 *)(MMIO_GPA + 0x1000), i);
		break;
	case K_MMIO_VMM:
		WRITE_ONCE(*(u64 *)(MMIO_GPA + 0x2000), i);
		break;
	}
}

static void guest_code(void)
{
	uint64_t i, t = 0, t0;

	for (;;) {
		GUEST_SYNC(t);
		t0 = kvmx_guest_ticks();
		for (i = 0; i < nr_exits; i++)
			guest_exit(i);
		t = kvmx_guest_ticks() - t0;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct kvm_ioeventfd io[] = {
		{ .addr = MMIO_GPA, .len = 8 },
		{ .addr = MMIO_GPA + 0x1000, .len = 0 },
		{ .addr = PORT, .len = 1, .flags = KVM_IOEVENTFD_FLAG_PIO },
	};
	struct kvm_vm *vm, *other = NULL;
	struct kvm_vcpu *vcpu;
	struct ucall uc;
	struct timespec t0, t1;
	int rounds, kvmx = -1, s = -1, i, efd;
	double *ns, *tk;

	TEST_ASSERT(argc == 4 || argc == 5,
		    "usage: kvmx_bench plain|other|attached ROUNDS EXITS [KIND]");
	rounds = atoi(argv[2]);
	nr_exits = strtoull(argv[3], NULL, 0);
	for (kind = 0; argc == 5 && kind < NR_KINDS; kind++)
		if (!strcmp(argv[4], kind_name[kind]))
			break;
	TEST_ASSERT(kind < NR_KINDS, "unknown kind %s", argv[4]);
#ifndef __x86_64__
	TEST_ASSERT(kind != K_PIO, "pio: x86 only");
#endif
	ns = calloc(rounds, sizeof(*ns));
	tk = calloc(rounds, sizeof(*tk));

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	virt_map(vm, MMIO_GPA, MMIO_GPA, 3);
	sync_global_to_guest(vm, nr_exits);
	sync_global_to_guest(vm, kind);
	efd = eventfd(0, EFD_NONBLOCK);
	for (i = 0; i < (int)ARRAY_SIZE(io); i++) {
		io[i].fd = efd;
		vm_ioctl(vm, KVM_IOEVENTFD, &io[i]);
	}
	if (strcmp(argv[1], "plain")) {
		kvmx = kvmx_open();
		TEST_ASSERT(kvmx >= 0, "open /dev/kvmx: %s", strerror(-kvmx));
		if (!strcmp(argv[1], "other"))
			other = vm_create_barebones();
		s = kvmx_attach(kvmx, other ? other->fd : vm->fd);
		TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));
	}

	/* warm up: fault in the guest's memory, KVM's MMIO SPTEs; then time */
	for (i = -2; i < rounds; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {		/* mmio_vmm: this VMM completes the write */
			vcpu_run(vcpu);
		} while (get_ucall(vcpu, &uc) == UCALL_NONE &&
			 vcpu->run->exit_reason == KVM_EXIT_MMIO);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		TEST_ASSERT(uc.cmd == UCALL_SYNC, "round %d: ucall %lu", i, uc.cmd);
		if (i < 0)
			continue;
		ns[i] = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / nr_exits;
		tk[i] = (double)uc.args[1] / nr_exits;
	}
	qsort(ns, rounds, sizeof(*ns), cmp);
	qsort(tk, rounds, sizeof(*tk), cmp);
	printf("{\"mode\":\"%s\",\"kind\":\"%s\",\"exits\":%lu,\"rounds\":%d,",
	       argv[1], kind_name[kind], nr_exits, rounds);
	printf("\"ns_per_exit\":%.1f,\"ticks_per_exit\":%.1f}\n", ns[rounds / 2], tk[rounds / 2]);
	if (s >= 0)
		close(s);
	if (other)
		kvm_vm_free(other);
	kvm_vm_free(vm);
	close(efd);
	return 0;
}
