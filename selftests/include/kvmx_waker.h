/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Waking a vCPU blocked in HLT or WFI with no interrupt to come: a thread
 * signals the vCPU's thread every 0.5 ms, which ends KVM_RUN with EINTR.
 * Include after kvm_util.h.
 */
#ifndef _KVMX_WAKER_H
#define _KVMX_WAKER_H

#include <pthread.h>
#include <signal.h>

struct kvmx_waker {
	pthread_t thread;	/* the waker */
	pthread_t target;	/* the vCPU's thread */
	int on;			/* READ_ONCE/WRITE_ONCE: the waker runs while set */
};

static void kvmx_waker_sig(int sig) { }

static void *kvmx_waker_fn(void *arg)
{
	struct kvmx_waker *w = arg;

	while (READ_ONCE(w->on)) {
		pthread_kill(w->target, SIGUSR1);
		usleep(500);
	}
	return NULL;
}

/* Start waking the calling thread. */
static inline void kvmx_waker_start(struct kvmx_waker *w)
{
	/*
	 * KVM_RUN ends with EINTR on a signal whatever SA_RESTART says;
	 * SA_RESTART keeps the signal from breaking the test's other calls.
	 */
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = kvmx_waker_sig,
		  .sa_flags = SA_RESTART }, NULL);
	w->target = pthread_self();
	WRITE_ONCE(w->on, 1);
	pthread_create(&w->thread, NULL, kvmx_waker_fn, w);
}

static inline void kvmx_waker_stop(struct kvmx_waker *w)
{
	WRITE_ONCE(w->on, 0);
	pthread_join(w->thread, NULL);
}

/*
 * KVM_RUN, again whenever a signal ended a HLT/WFI block: arm64 has already
 * stepped past the WFI; x86 leaves the vCPU halted, so make it runnable.
 * Returns KVM_RUN's result otherwise.
 */
static inline int kvmx_run_woken(struct kvm_vcpu *vcpu)
{
	for (;;) {
		int ret = ioctl(vcpu->fd, KVM_RUN, NULL);

		if (ret < 0 && errno == EINTR) {
#ifdef __x86_64__
			struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

			vcpu_ioctl(vcpu, KVM_SET_MP_STATE, &mp);
#endif
			continue;
		}
		return ret;
	}
}

#endif /* _KVMX_WAKER_H */
