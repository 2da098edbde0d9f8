// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx_demo: a small VMM for `make demo`. It runs a guest that makes a mix
 * of exits, with a kvmx session attached, prints what kvmx counted, then
 * keeps the VM alive (writing its pid to the file given as argument) until
 * it gets SIGTERM, so that `kvmxctl stats --pid` can attach to it. Each
 * SIGUSR1 runs the guest through another batch of rounds, and the file's
 * ".batch" sibling then says "<batch> <MMIO writes that reached the VMM>":
 * what kvmxctl changed (a policy, a region) shows there.
 * With "--no-session" after the file it closes its own kvmx session once it
 * has printed, so that no session keeps the VM. SIGHUP makes it close the
 * VM (and its session) and go on living until SIGTERM: a VMM that is done
 * with a VM.
 */
#include <signal.h>
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "kvmx_test.h"

#define MMIO_GPA	0xc0000000ul
#define ROUNDS		40

static void guest_code(void)
{
	int i;

	for (;;) {
		for (i = 0; i < ROUNDS; i++) {
#ifdef __x86_64__
			u32 a = 0, b, c = 0, d;

			asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
			asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
#else
			u64 v;

			asm volatile("mrs %0, oslsr_el1" : "=r"(v));
			asm volatile("mrs %0, oslsr_el1" : "=r"(v));
#endif
			WRITE_ONCE(*(u32 *)MMIO_GPA, i);
			GUEST_SYNC(i);
		}
		GUEST_SYNC(ROUNDS);		/* the batch is done */
	}
}

/* Run to the end of a batch; returns the device writes the VMM saw. */
static int run_batch(struct kvm_vcpu *vcpu, int *syncs)
{
	struct ucall uc;
	int writes = 0;

	for (;;) {
		vcpu_run(vcpu);
		/* the guest's device write: nothing to do (arm64 ucalls are MMIO too) */
		if (vcpu->run->exit_reason == KVM_EXIT_MMIO &&
		    vcpu->run->mmio.phys_addr == MMIO_GPA) {
			writes++;
			continue;
		}
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "guest stopped with ucall %lu",
			    uc.cmd);
		if (uc.args[1] == ROUNDS)
			return writes;
		(*syncs)++;
	}
}

int main(int argc, char **argv)
{
	struct kvmx_stats *st;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	size_t size = 1 << 16;
	int kvmx, s, syncs = 0;
	FILE *f;

	kvmx = kvmx_open_or_skip();
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ucall_init(vm, NULL);
	virt_pg_map(vm, MMIO_GPA, MMIO_GPA);
	s = kvmx_attach(kvmx, vm->fd);
	TEST_ASSERT(s >= 0, "KVMX_ATTACH_VM: %s", strerror(-s));

	run_batch(vcpu, &syncs);
	st = calloc(1, size);
	st->argsz = size;
	TEST_ASSERT(!ioctl(s, KVMX_GET_STATS, st), "KVMX_GET_STATS");
	printf("guest: %d rounds of 2 trapped instructions, 1 MMIO write, 1 GUEST_SYNC\n",
	       syncs);
	printf("kvmx (in the VMM): %u stat entries over the VM and its vCPU\n",
	       st->nr_entries);
	fflush(stdout);

	if (argc > 2 && !strcmp(argv[2], "--no-session")) {
		close(s);
		s = -1;
	}
	/* stay alive, VM and session open, for kvmxctl; a batch per SIGUSR1 */
	if (argc > 1) {
		int sig, batch = 0, writes;
		char batch_file[256];
		sigset_t set;

		snprintf(batch_file, sizeof(batch_file), "%s.batch", argv[1]);
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		f = fopen(argv[1], "w");
		fprintf(f, "%d\n", getpid());
		fclose(f);
		while (!sigwait(&set, &sig) && sig != SIGTERM) {
			if (sig == SIGHUP && vm) {
				if (s >= 0)
					close(s);
				s = -1;
				kvm_vm_free(vm);
				vm = NULL;
				f = fopen(batch_file, "w");
				fprintf(f, "closed\n");
				fclose(f);
				continue;
			}
			if (sig != SIGUSR1 || !vm)
				continue;
			writes = run_batch(vcpu, &syncs);
			f = fopen(batch_file, "w");
			fprintf(f, "%d %d\n", ++batch, writes);
			fclose(f);
		}
	}
	if (s >= 0)
		close(s);
	if (vm)
		kvm_vm_free(vm);
	close(kvmx);
	return 0;
}
