/* SPDX-License-Identifier: GPL-2.0 */
/* kvmxctl: what its commands share (kvmxctl.c) */
#ifndef _KVMXCTL_H
#define _KVMXCTL_H

#include <stdbool.h>
#include <sys/types.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

extern int json;		/* --json */

/* "kvmxctl: <fmt with arg>[: strerror(err)]" on stderr; returns 1 */
int die(const char *fmt, const char *arg, int err);
int open_kvmx(void);
int pick_vm_fd(pid_t pid, int vm_fd);
int attach_pid(pid_t pid, int vm_fd);
int parse_int(const char *s, const char *what, long *out);

/* the VM a command works on: --pid PID [--vm-fd FD] */
struct target {
	long pid;
	long vm_fd;
};

/* what an option callback of parse_opts() did with an argument */
enum { OPT_UNKNOWN, OPT_FLAG, OPT_VALUE, OPT_BAD };
typedef int (*opt_fn)(void *ctx, const char *o, const char *v);
int parse_opts(const char *name, int argc, char **argv, struct target *t, opt_fn opt,
	       void *ctx);
void *get_table(int s, unsigned long req, const char *name, size_t hdr, size_t entry);

/* hold.c: the session kvmxctl keeps per VM for what it sets */
int held_session(long pid, long vm_fd);
int held_session_if_any(long pid, long vm_fd);
int cmd_release(int argc, char **argv);

/* policy.c, regions.c, live.c */
int cmd_policy(int argc, char **argv);
int cmd_regions(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_trace(int argc, char **argv);
struct kvmx_stats;
void print_prometheus(const struct kvmx_stats *st, long pid);

#endif /* _KVMXCTL_H */
