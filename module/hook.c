// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks on KVM functions, for the exit policy (policy.c): an ftrace ops on
 * the function's entry sends its callers to a kvmx wrapper, as livepatch
 * does (FTRACE_OPS_FL_IPMODIFY). On arm64 the wrapper calls the original
 * (its address checked callable at load) and acts on its result; on x86 it
 * replaces it (x86.c, iobus.c: the originals are sealed on IBT kernels).
 *
 * Recursion: a wrapper's own call to the original passes the same ftrace
 * site; a call from this module's text is let through. FTRACE_OPS_FL_RECURSION
 * has ftrace guard the callback itself.
 *
 * Unload: ftrace removes the hook before unregister_ftrace_function()
 * returns, but a wrapper may still be running, even asleep inside a
 * device's callback (a device's mutex on x86's buses). Wrappers run inside
 * kvmx_hook_srcu, and kvmx_hooks_exit() waits for them: nothing of this
 * module runs after it but the wrapper's return.
 *
 * vCPU and VM teardown: a wrapper looks the VM up with kvmx_vm_find()
 * under RCU, as the probes do; a VM kvmx is done with is simply not found.
 */
#include <linux/ftrace.h>
#include <linux/module.h>
#include "kvmx.h"

DEFINE_STATIC_SRCU(kvmx_hook_srcu);

/* A wrapper's first and last step: kvmx_hooks_exit() waits for what is between. */
int kvmx_hook_enter(void)
	__acquires(kvmx_hook_srcu)
{
	return srcu_read_lock(&kvmx_hook_srcu);
}

void kvmx_hook_leave(int idx)
	__releases(kvmx_hook_srcu)
{
	srcu_read_unlock(&kvmx_hook_srcu, idx);
}

static void notrace kvmx_hook_ftrace(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct kvmx_hook *h = container_of(ops, struct kvmx_hook, ops);

	/* the wrapper calling the original: let it through */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	kvmx_ftrace_set_ip(fregs, (unsigned long)h->wrapper);
}

/* At load: @h->addr and @h->wrapper set; the hook is not active yet. */
int __init kvmx_hook_init(struct kvmx_hook *h)
{
	int ret;

	h->ops.func = kvmx_hook_ftrace;
	h->ops.flags = KVMX_FTRACE_OPS_FLAGS | FTRACE_OPS_FL_IPMODIFY |
		       FTRACE_OPS_FL_RECURSION;
	ret = ftrace_set_filter_ip(&h->ops, h->addr, 0, 0);
	if (ret)
		pr_err("cannot hook %ps (ftrace: %d): the exit policy needs it\n",
		       (void *)h->addr, ret);
	return ret;
}

/* At unload (or a failed load): the filter set up by kvmx_hook_init() */
void kvmx_hook_fini(struct kvmx_hook *h)
{
	ftrace_free_filter(&h->ops);
}

static int kvmx_hook_enable(struct kvmx_hook *h)
{
	int ret = register_ftrace_function(&h->ops);

	if (ret)
		pr_warn("cannot hook %ps (ftrace: %d)\n", (void *)h->addr, ret);
	return ret;
}

static void kvmx_hook_disable(struct kvmx_hook *h)
{
	unregister_ftrace_function(&h->ops);
}

/**
 * kvmx_hooks_set() - turn @n hooks on or off, all or none
 * @h:		the hooks
 * @n:		how many
 * @on:		on, or off (in the reverse order)
 *
 * Return: 0, or the error of the hook that could not be turned on (those
 * before it are off again).
 */
int kvmx_hooks_set(struct kvmx_hook *h, unsigned int n, bool on)
{
	unsigned int i;
	int ret;

	if (!on) {
		for (i = n; i-- > 0;)
			kvmx_hook_disable(&h[i]);
		return 0;
	}
	for (i = 0; i < n; i++) {
		ret = kvmx_hook_enable(&h[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	while (i-- > 0)
		kvmx_hook_disable(&h[i]);
	return ret;
}

/* At unload, every hook disabled: wait for wrappers still running. */
void kvmx_hooks_exit(void)
{
	synchronize_srcu(&kvmx_hook_srcu);
}
