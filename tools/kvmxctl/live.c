// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl's live views of a running VMM's VM, and the Prometheus output:
 *
 *   top      per-second exit rates by class and raw reason, sorted, redrawn
 *            like kvm_stat (or printed --count times, batch style, or as
 *            JSON lines)
 *   trace    the event ring streamed: one line per sampled exit or fault
 *   stats --prometheus   the text exposition format, for node_exporter's
 *            textfile collector
 *
 * top and trace watch the VMM's pidfd: when it exits they say so and fail.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "fault_decode.h"
#include "kvmxctl.h"

struct live_args {
	bool trace, faults;
	long interval, count, sample;
	__u32 classes;		/* trace: a bit per class; 0: all */
};

/* top: --interval --count; trace: --sample --class --faults --count */
static int live_opt(void *ctx, const char *o, const char *v)
{
	struct live_args *a = ctx;
	unsigned int c;

	if (a->trace && !strcmp(o, "--faults")) {
		a->faults = true;
		return OPT_FLAG;
	}
	if (!a->trace && !strcmp(o, "--once")) {
		a->count = 1;
		return OPT_FLAG;
	}
	if (!v)
		return OPT_UNKNOWN;
	if (!strcmp(o, "--count"))
		return parse_int(v, o, &a->count) ? OPT_BAD : OPT_VALUE;
	if (!a->trace && !strcmp(o, "--fields"))
		return set_fields(v) ? OPT_BAD : OPT_VALUE;
	if (!a->trace && (!strcmp(o, "--interval") || !strcmp(o, "--delay"))) {
		if (parse_int(v, o, &a->interval))
			return OPT_BAD;
		if (!a->interval)
			return die("--interval must be at least 1 s"), OPT_BAD;
		return OPT_VALUE;
	}
	if (a->trace && !strcmp(o, "--sample")) {
		if (parse_int(v, o, &a->sample))
			return OPT_BAD;
		if (!a->sample)
			return die("--sample must be at least 1"), OPT_BAD;
		return OPT_VALUE;
	}
	if (a->trace && !strcmp(o, "--class")) {
		for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++)
			if (!strcmp(v, name_class(c)))
				break;
		if (c == KVMX_EXIT_NR_CLASSES)
			return die("unknown class '%s'", v), OPT_BAD;
		a->classes |= 1u << c;
		return OPT_VALUE;
	}
	return OPT_UNKNOWN;
}

static const struct cmd_opt top_opts[] = {
	{ "--count", 0, true }, { "--interval", 0, true }, { "--delay", 'd', true },
	{ "--once", '1', false }, { "--fields", 'f', true },
	{ NULL },
};

static const struct cmd_opt trace_opts[] = {
	{ "--count", 0, true }, { "--sample", 0, true }, { "--class", 0, true },
	{ "--faults", 0, false },
	{ NULL },
};

static int parse_live_args(const char *cmd, int argc, char **argv, struct target *t,
			   struct live_args *a)
{
	*a = (struct live_args){ .trace = !strcmp(cmd, "trace"), .interval = 1, .sample = 1 };
	if (a->trace)
		return parse_opts(cmd, argc, argv, t, trace_opts, live_opt, a);
	return parse_vm_opts(cmd, argc, argv, t, top_opts, live_opt, a);
}

/* A VM-wide entry's key: a class, or a raw reason after the classes. */
#define TOP_KEYS	(KVMX_EXIT_NR_CLASSES + 4096)

static int top_key(const struct kvmx_stat_entry *e)
{
	if (e->vcpu != KVMX_STAT_VM)
		return -1;
	if (e->kind == KVMX_STAT_CLASS)
		return e->class < KVMX_EXIT_NR_CLASSES ? (int)e->class : -1;
	if (e->kind == KVMX_STAT_RAW && e->raw < 4096)
		return KVMX_EXIT_NR_CLASSES + e->raw;
	return -1;
}

struct top_row {
	int key;
	unsigned long long delta, total;
};

static int row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->delta != y->delta)
		return x->delta < y->delta ? 1 : -1;
	return x->key - y->key;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Has the VMM exited? */
static bool vmm_gone(int vmm)
{
	struct pollfd p = { .fd = vmm, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static void top_print(const struct kvmx_stats *st, const struct top_row *rows, int n,
		      double secs, const struct vm_ref *vm, bool clear)
{
	unsigned long long sum = 0;
	char raw[64];
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].key < KVMX_EXIT_NR_CLASSES)
			sum += rows[i].delta;
	if (json) {
		printf("{\"vm\":");
		json_str(vm->name);
		printf(",\"pid\":%ld,\"vm_fd\":%d,\"interval_s\":%.3f,\"rates\":[", vm->pid,
		       vm->fd, secs);
		for (i = 0; i < n; i++) {
			const struct top_row *r = &rows[i];

			printf("%s{", i ? "," : "");
			if (r->key < KVMX_EXIT_NR_CLASSES)
				printf("\"class\":\"%s\"", name_class(r->key));
			else
				printf("\"raw\":%d", r->key - KVMX_EXIT_NR_CLASSES);
			printf(",\"per_s\":%.1f,\"total\":%llu}", r->delta / secs, r->total);
		}
		printf("]}\n");
		fflush(stdout);
		return;
	}
	if (clear)
		printf("\033[H\033[2J");
	printf("kvmx top: VM %s, %.1f s, %.1f exits/s\n\n", vm_label(vm), secs, sum / secs);
	printf("%-16s %12s %14s   %-16s %12s %14s\n", "class", "per s", "total", "raw reason",
	       "per s", "total");
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];

		if (r->key < KVMX_EXIT_NR_CLASSES)
			printf("%-16s %12.1f %14llu\n", name_class(r->key), r->delta / secs,
			       r->total);
	}
	printf("\n");
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];
		__u32 code = r->key - KVMX_EXIT_NR_CLASSES;
		const char *name;

		if (r->key < KVMX_EXIT_NR_CLASSES)
			continue;
		name = name_raw(st->arch, code);
		if (name)
			snprintf(raw, sizeof(raw), "%s", name);
		else
			snprintf(raw, sizeof(raw), "0x%x", code);
		printf("%-16s %12s %14s   %-16s %12.1f %14llu\n", "", "", "", raw,
		       r->delta / secs, r->total);
	}
	fflush(stdout);
}

/* one VM watched by top */
struct top_vm {
	struct vm_ref ref;
	int s, vmm;
	unsigned long long *prev;
	bool gone;
};

/*
 * The rates of @v since the last call, printed if @print (a block; @clear:
 * the screen first).
 */
static int top_round(struct top_vm *v, struct top_row *rows, double secs, bool clear,
		     bool print)
{
	struct kvmx_stats *st = read_stats(v->s);
	__u32 i;
	int n = 0;

	if (!st)
		return -1;
	for (i = 0; i < st->nr_entries; i++) {
		int k = top_key(&st->entries[i]);

		if (k < 0)
			continue;
		rows[n++] = (struct top_row){ k, st->entries[i].count - v->prev[k],
					      st->entries[i].count };
		v->prev[k] = st->entries[i].count;
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	if (print)
		top_print(st, rows, n, secs, &v->ref, clear);
	free(st);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct top_row *rows = calloc(TOP_KEYS, sizeof(*rows));
	struct vm_ref *refs = NULL;
	struct top_vm *v = NULL;
	int i, n, ret, live = 0;
	struct live_args a;
	struct target t;
	double t0, t1;
	long round;

	ret = parse_live_args("top", argc, argv, &t, &a);
	if (ret)
		return ret;
	n = target_vms(&t, &refs);
	if (n <= 0 || !rows)
		return 1;
	v = calloc(n, sizeof(*v));
	if (!v)
		return die("out of memory");
	for (i = 0; i < n; i++) {
		v[i].ref = refs[i];
		v[i].s = attach_vm(refs[i].pid, refs[i].fd, vm_label(&refs[i]), NULL);
		v[i].vmm = syscall(SYS_pidfd_open, refs[i].pid, 0);
		v[i].prev = calloc(TOP_KEYS, sizeof(*v[i].prev));
		v[i].gone = v[i].s < 0 || v[i].vmm < 0 || !v[i].prev;
		if (v[i].gone) {
			ret = 1;
			continue;
		}
		live++;
		/* the first report shows what happened after this */
		top_round(&v[i], rows, 1, false, false);
	}
	if (!live)
		return 1;
	t0 = now_s();
	for (round = 0; !a.count || round < a.count; round++) {
		sleep(a.interval);
		t1 = now_s();
		for (i = 0, live = 0; i < n; i++) {
			if (v[i].gone)
				continue;
			if (vmm_gone(v[i].vmm)) {
				fprintf(stderr, "kvmxctl: VM %s: process exited\n",
					vm_label(&v[i].ref));
				v[i].gone = true;
				close(v[i].s);
				ret = 1;
				continue;
			}
			if (top_round(&v[i], rows, t1 - t0, !a.count && !live, true))
				return 1;
			live++;
		}
		if (!live)
			return 1;
		t0 = t1;
	}
	for (i = 0; i < n; i++)
		if (!v[i].gone)
			close(v[i].s);
	return ret;
}

/* -- trace ------------------------------------------------------------------- */

static void trace_print(__u32 arch, const struct kvmx_exit_record *r)
{
	bool fault = r->flags & KVMX_REC_FAULT;
	const char *cls = fault ? name_fault_class(r->class) : name_class(r->class);
	const char *raw = fault ? NULL : name_raw(arch, r->raw);

	if (json) {
		printf("{\"ts_ns\":%llu,\"vcpu\":%u,\"%s\":\"%s\",\"raw\":%u,\"gpa\":%llu,",
		       r->timestamp_ns, r->vcpu, fault ? "fault" : "class",
		       cls ? cls : "?", r->raw, r->gpa);
		printf("\"pc\":%llu,\"info\":[%llu,%llu,%llu]}\n",
		       r->pc, r->info[0],
		       r->info[1], r->info[2]);
		return;
	}
	printf("%llu.%09llu vcpu %-3u %-6s %-14s %-14s gpa %#-14llx ",
	       r->timestamp_ns / 1000000000,
	       r->timestamp_ns % 1000000000, r->vcpu,
	       fault ? "fault" : "exit", cls ? cls : "?", raw ? raw : "",
	       r->gpa);
	printf("pc %#llx info %#llx %#llx %#llx\n", r->pc,
	       r->info[0], r->info[1],
	       r->info[2]);
}

int cmd_trace(int argc, char **argv)
{
	struct kvmx_ring_setup rs = { .argsz = sizeof(rs), .nr_records = 4096, .watermark = 1 };
	struct pollfd p[2] = { { .events = POLLIN }, { .events = POLLIN } };
	const struct kvmx_exit_record *recs;
	struct kvmx_ring_header *h;
	struct live_args a;
	struct target t;
	struct kvmx_stats *st;
	__u32 arch, tail, head, c;
	long seen = 0;
	int s, ret;

	ret = parse_live_args("trace", argc, argv, &t, &a);
	if (ret)
		return ret;
	s = attach_pid(t.pid, t.vm_fd);
	if (s < 0)
		return 1;
	st = read_stats(s);
	if (!st)
		return 1;
	arch = st->arch;
	free(st);
	for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++)
		if (!a.classes || (a.classes & (1u << c)))
			rs.sample[c] = a.sample;
	for (c = 0; a.faults && c < KVMX_FAULT_NR_CLASSES; c++)
		rs.fault_sample[c] = a.sample;
	if (ioctl(s, KVMX_RING_SETUP, &rs))
		return die_err(errno, "KVMX_RING_SETUP");
	h = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	if (h == MAP_FAILED)
		return die_err(errno, "mmap of the event ring");
	recs = (const void *)((char *)h + h->records_offset);
	p[0].fd = s;
	p[1].fd = syscall(SYS_pidfd_open, t.pid, 0);
	if (p[1].fd < 0)
		return die_err(errno, "pidfd_open");
	tail = h->tail;
	while (!a.count || seen < a.count) {
		head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
		for (; tail != head && (!a.count || seen < a.count); tail++, seen++)
			trace_print(arch, &recs[tail % h->nr_records]);
		/* the records read before the kernel may reuse their slots */
		__atomic_store_n(&h->tail, tail, __ATOMIC_RELEASE);
		fflush(stdout);
		if (a.count && seen >= a.count)
			break;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return die_err(errno, "poll");
		if (p[1].revents) {
			fprintf(stderr, "kvmxctl: process %ld exited (%ld records)\n", t.pid, seen);
			return 1;
		}
	}
	if (h->overflow)
		fprintf(stderr, "kvmxctl: %llu records lost to a full ring\n",
			h->overflow);
	munmap(h, rs.mmap_size);
	close(s);
	return 0;
}
