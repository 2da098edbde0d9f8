/* SPDX-License-Identifier: GPL-2.0 */
/* kvmxctl: what its commands share (kvmxctl.c) */
#ifndef _KVMXCTL_H
#define _KVMXCTL_H

#include <stdbool.h>
#include <stdio.h>
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

/*
 * "kvmxctl: <message>" on stderr, and ": strerror(err)" for die_err() (as
 * err(3) and warnc(3) do; err 0 adds nothing); both return 1
 */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int die_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void json_str(const char *s);
int open_kvmx(void);
int parse_int(const char *s, const char *what, long *out);

/* vms.c: finding VMs, attaching */
#define MAX_VMS_PER_PROC	16

/* a VM: fd @fd of its VMM @pid (which has @nr_in_proc VMs), named @name */
struct vm_ref {
	long pid;
	int fd;
	int nr_in_proc;
	char name[64];
};

int find_vm_fds(pid_t pid, int *fds, int max);
int pick_vm_fd(pid_t pid, int vm_fd);
int attach_pid(pid_t pid, int vm_fd);
int attach_vm(long pid, int vm_fd, const char *who, int *vm_copy);
void vm_name(long pid, char *out, size_t n);
int list_vms(const char *guest, struct vm_ref **out, int *unreadable);
const char *vm_label(const struct vm_ref *r);
bool vm_still_open(long pid, int vm_fd, int vm_copy);

/*
 * the VM a command works on: -p/--pid PID [--vm-fd FD]; for commands that
 * may work on every VM of the host, -g/--guest NAME or none of them
 */
struct target {
	long pid;
	long vm_fd;
	const char *guest;
};

/* an option of a command, for parse_opts(): "--name", its short letter or 0 */
struct cmd_opt {
	const char *name;
	int short_name;
	bool arg;		/* takes a value */
};

/* what an option callback of parse_opts() did with an argument */
enum { OPT_UNKNOWN, OPT_FLAG, OPT_VALUE, OPT_BAD };
typedef int (*opt_fn)(void *ctx, const char *o, const char *v);
int parse_opts(const char *name, int argc, char **argv, struct target *t,
	       const struct cmd_opt *opts, opt_fn opt, void *ctx);
int parse_vm_opts(const char *name, int argc, char **argv, struct target *t,
		  const struct cmd_opt *opts, opt_fn opt, void *ctx);
int target_vms(const struct target *t, struct vm_ref **out);

/* stats.c: the exit and fault tables */
struct kvmx_stats;
struct kvmx_faults;
void *get_table(int s, unsigned long req, const char *name, size_t hdr, size_t entry);
struct kvmx_stats *read_stats(int s);
int set_fields(const char *re);
struct kvmx_faults *read_faults(int s);
unsigned long long boottime_ns(void);
unsigned long long read_since(int s);
const char *arch_name(unsigned int arch);
int cmd_stats(int argc, char **argv);
int cmd_faults(int argc, char **argv);

/* prom.c: the Prometheus text format */
enum {
	PROM_EXITS, PROM_REASONS, PROM_LATENCY, PROM_LOST, PROM_FAULTS, PROM_FAULTS_TO_VMM,
	PROM_VMS, PROM_NR_FAMILIES
};

struct prom_sample {
	int family;		/* PROM_* */
	const char *suffix;	/* "", "_bucket", "_sum", "_count" */
	char labels[288];
	unsigned int seq;	/* the order collected */
	double v;
};

struct prom_set {
	struct prom_sample *s;
	size_t n, cap;
	unsigned int seq;
};

int prom_collect(struct prom_set *ps, const struct vm_ref *vm, const struct kvmx_stats *st,
		 const struct kvmx_faults *f);
int prom_gauge(struct prom_set *ps, int family, double v);
void prom_sort(struct prom_set *ps);
struct prom_sample *prom_find(const struct prom_set *ps, const struct prom_sample *key);
int prom_add_set(struct prom_set *to, const struct prom_set *from);
void prom_write(FILE *out, struct prom_set *ps);
void prom_free(struct prom_set *ps);

/* hold.c: the session kvmxctl keeps per VM for what it sets */
int held_session(long pid, long vm_fd);
int held_session_if_any(long pid, long vm_fd);
int cmd_release(int argc, char **argv);

/* policy.c, regions.c, live.c */
int cmd_policy(int argc, char **argv);
int cmd_regions(int argc, char **argv);
int prog_load(int s, const char *path, __s32 *link_fd, void **handle);
void prog_close(void *handle);
int cmd_top(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* names.c: the module's names where kvmxctl has none */
struct kvmx_names;
void names_set(unsigned int arch, struct kvmx_names *n);
const char *name_class(unsigned int class);
const char *name_fault_class(unsigned int class);
const char *name_raw(unsigned int arch, unsigned int raw);

/* exporter.c */
int cmd_exporter(int argc, char **argv);

#endif /* _KVMXCTL_H */
