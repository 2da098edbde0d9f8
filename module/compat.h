/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels kvmx supports (Debian 6.1 and 6.12),
 * force-included into every kvmx object by Kbuild. This is the only place
 * that knows about them. Each shim tests a feature, not a version: the
 * KVMX_HAVE_* symbols come from module/compat.mk, which greps the headers of
 * the kernel being built against.
 */
#ifndef _KVMX_COMPAT_H
#define _KVMX_COMPAT_H

#include <linux/eventfd.h>

/* eventfd_signal(ctx) since 6.8; eventfd_signal(ctx, n) before */
static inline void kvmx_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef KVMX_HAVE_EVENTFD_SIGNAL_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

#endif /* _KVMX_COMPAT_H */
