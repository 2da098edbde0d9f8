/* SPDX-License-Identifier: GPL-2.0 */
/* kvmxctl: what its commands share (kvmxctl.c) */
#ifndef _KVMXCTL_H
#define _KVMXCTL_H

#include <sys/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern int json;		/* --json */

/* "kvmxctl: <fmt with arg>[: strerror(err)]" on stderr; returns 1 */
int die(const char *fmt, const char *arg, int err);
int open_kvmx(void);
int attach_pid(pid_t pid, int vm_fd, int *picked);
int parse_int(const char *s, const char *what, long *out);

/* policy.c */
int cmd_policy(int argc, char **argv);

#endif /* _KVMXCTL_H */
