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
	if (!v)
		return OPT_UNKNOWN;
	if (!strcmp(o, "--count"))
		return parse_int(v, o, &a->count) ? OPT_BAD : OPT_VALUE;
	if (!a->trace && !strcmp(o, "--interval")) {
		if (parse_int(v, o, &a->interval))
			return OPT_BAD;
		if (!a->interval)
			return die("%s", "--interval must be at least 1 s", 0), OPT_BAD;
		return OPT_VALUE;
	}
	if (a->trace && !strcmp(o, "--sample")) {
		if (parse_int(v, o, &a->sample))
			return OPT_BAD;
		if (!a->sample)
			return die("%s", "--sample must be at least 1", 0), OPT_BAD;
		return OPT_VALUE;
	}
	if (a->trace && !strcmp(o, "--class")) {
		for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++)
			if (!strcmp(v, kvmx_class_name(c)))
				break;
		if (c == KVMX_EXIT_NR_CLASSES)
			return die("unknown class '%s'", v, 0), OPT_BAD;
		a->classes |= 1u << c;
		return OPT_VALUE;
	}
	return OPT_UNKNOWN;
}

static int parse_live_args(const char *cmd, int argc, char **argv, struct target *t,
			   struct live_args *a)
{
	*a = (struct live_args){ .trace = !strcmp(cmd, "trace"), .interval = 1, .sample = 1 };
	return parse_opts(cmd, argc, argv, t, live_opt, a);
}

static struct kvmx_stats *read_stats(int s)
{
	return get_table(s, KVMX_GET_STATS, "KVMX_GET_STATS", sizeof(struct kvmx_stats),
			 sizeof(struct kvmx_stat_entry));
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
		      double secs, long pid, bool clear)
{
	unsigned long long sum = 0;
	char raw[64];
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].key < KVMX_EXIT_NR_CLASSES)
			sum += rows[i].delta;
	if (json) {
		printf("{\"pid\":%ld,\"interval_s\":%.3f,\"rates\":[", pid, secs);
		for (i = 0; i < n; i++) {
			const struct top_row *r = &rows[i];

			printf("%s{", i ? "," : "");
			if (r->key < KVMX_EXIT_NR_CLASSES)
				printf("\"class\":\"%s\"", kvmx_class_name(r->key));
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
	printf("kvmx top: process %ld, %.1f s, %.1f exits/s\n\n", pid, secs, sum / secs);
	printf("%-16s %12s %14s   %-16s %12s %14s\n", "class", "per s", "total", "raw reason",
	       "per s", "total");
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];

		if (r->key < KVMX_EXIT_NR_CLASSES)
			printf("%-16s %12.1f %14llu\n", kvmx_class_name(r->key), r->delta / secs,
			       r->total);
	}
	printf("\n");
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];
		__u32 code = r->key - KVMX_EXIT_NR_CLASSES;
		const char *name;

		if (r->key < KVMX_EXIT_NR_CLASSES)
			continue;
		name = kvmx_raw_name(st->arch, code);
		if (name)
			snprintf(raw, sizeof(raw), "%s", name);
		else
			snprintf(raw, sizeof(raw), "0x%x", code);
		printf("%-16s %12s %14s   %-16s %12.1f %14llu\n", "", "", "", raw,
		       r->delta / secs, r->total);
	}
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	unsigned long long *prev = calloc(TOP_KEYS, sizeof(*prev));
	struct top_row *rows = calloc(TOP_KEYS, sizeof(*rows));
	struct live_args a;
	struct target t;
	struct kvmx_stats *st;
	int s, vmm, ret, n;
	double t0, t1;
	long round;
	__u32 i;

	ret = parse_live_args("top", argc, argv, &t, &a);
	if (ret)
		return ret;
	s = attach_pid(t.pid, t.vm_fd);
	if (s < 0)
		return 1;
	vmm = syscall(SYS_pidfd_open, t.pid, 0);
	st = read_stats(s);
	if (!st || vmm < 0 || !prev || !rows)
		return 1;
	for (i = 0; i < st->nr_entries; i++)
		if (top_key(&st->entries[i]) >= 0)
			prev[top_key(&st->entries[i])] = st->entries[i].count;
	free(st);
	t0 = now_s();
	for (round = 0; !a.count || round < a.count; round++) {
		sleep(a.interval);
		if (vmm_gone(vmm)) {
			fprintf(stderr, "kvmxctl: process %ld exited\n", t.pid);
			return 1;
		}
		st = read_stats(s);
		if (!st)
			return 1;
		t1 = now_s();
		n = 0;
		for (i = 0; i < st->nr_entries; i++) {
			int k = top_key(&st->entries[i]);

			if (k < 0)
				continue;
			rows[n++] = (struct top_row){ k, st->entries[i].count - prev[k],
						      st->entries[i].count };
			prev[k] = st->entries[i].count;
		}
		qsort(rows, n, sizeof(*rows), row_cmp);
		top_print(st, rows, n, t1 - t0, t.pid, !a.count);
		free(st);
		t0 = t1;
	}
	close(s);
	return 0;
}

/* -- trace ------------------------------------------------------------------- */

static void trace_print(__u32 arch, const struct kvmx_exit_record *r)
{
	bool fault = r->flags & KVMX_REC_FAULT;
	const char *cls = fault ? kvmx_fault_class_name(r->class) : kvmx_class_name(r->class);
	const char *raw = fault ? NULL : kvmx_raw_name(arch, r->raw);

	if (json) {
		printf("{\"ts_ns\":%llu,\"vcpu\":%u,\"%s\":\"%s\",\"raw\":%u,\"gpa\":%llu,",
		       (unsigned long long)r->timestamp_ns, r->vcpu, fault ? "fault" : "class",
		       cls ? cls : "?", r->raw, (unsigned long long)r->gpa);
		printf("\"pc\":%llu,\"info\":[%llu,%llu,%llu]}\n",
		       (unsigned long long)r->pc, (unsigned long long)r->info[0],
		       (unsigned long long)r->info[1], (unsigned long long)r->info[2]);
		return;
	}
	printf("%llu.%09llu vcpu %-3u %-6s %-14s %-14s gpa %#-14llx ",
	       (unsigned long long)r->timestamp_ns / 1000000000,
	       (unsigned long long)r->timestamp_ns % 1000000000, r->vcpu,
	       fault ? "fault" : "exit", cls ? cls : "?", raw ? raw : "",
	       (unsigned long long)r->gpa);
	printf("pc %#llx info %#llx %#llx %#llx\n", (unsigned long long)r->pc,
	       (unsigned long long)r->info[0], (unsigned long long)r->info[1],
	       (unsigned long long)r->info[2]);
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
		return die("%s", "KVMX_RING_SETUP", errno);
	h = mmap(NULL, rs.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	if (h == MAP_FAILED)
		return die("%s", "mmap of the event ring", errno);
	recs = (const void *)((char *)h + h->records_offset);
	p[0].fd = s;
	p[1].fd = syscall(SYS_pidfd_open, t.pid, 0);
	if (p[1].fd < 0)
		return die("%s", "pidfd_open", errno);
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
			return die("%s", "poll", errno);
		if (p[1].revents) {
			fprintf(stderr, "kvmxctl: process %ld exited (%ld records)\n", t.pid, seen);
			return 1;
		}
	}
	if (h->overflow)
		fprintf(stderr, "kvmxctl: %llu records lost to a full ring\n",
			(unsigned long long)h->overflow);
	munmap(h, rs.mmap_size);
	close(s);
	return 0;
}

/* -- stats --prometheus ------------------------------------------------------ */

static void prom_labels(char *buf, size_t n, long pid, const struct kvmx_stat_entry *e)
{
	int len = snprintf(buf, n, "pid=\"%ld\",vcpu=\"", pid);

	if (e->vcpu == KVMX_STAT_VM)
		snprintf(buf + len, n - len, "all\"");
	else
		snprintf(buf + len, n - len, "%u\"", e->vcpu);
}

/* The text exposition format (version 0.0.4) of @st, the VM of @pid. */
void print_prometheus(const struct kvmx_stats *st, long pid)
{
	char lbl[96], raw[64];
	__u32 i, b;

	printf("# HELP kvmx_exits_total VM exits seen by kvmx, by exit class.\n");
	printf("# TYPE kvmx_exits_total counter\n");
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];

		if (e->kind != KVMX_STAT_CLASS)
			continue;
		prom_labels(lbl, sizeof(lbl), pid, e);
		printf("kvmx_exits_total{%s,class=\"%s\"} %llu\n", lbl, kvmx_class_name(e->class),
		       (unsigned long long)e->count);
	}
	printf("# HELP kvmx_exits_by_reason_total VM exits by the arch's raw exit reason.\n");
	printf("# TYPE kvmx_exits_by_reason_total counter\n");
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];
		const char *name;

		if (e->kind != KVMX_STAT_RAW)
			continue;
		prom_labels(lbl, sizeof(lbl), pid, e);
		name = kvmx_raw_name(st->arch, e->raw);
		if (name)
			snprintf(raw, sizeof(raw), "%s", name);
		else
			snprintf(raw, sizeof(raw), "0x%x", e->raw);
		printf("kvmx_exits_by_reason_total{%s,reason=\"%s\"} %llu\n", lbl, raw,
		       (unsigned long long)e->count);
	}
	printf("# HELP kvmx_exit_latency_seconds Time from a VM exit to the next entry.\n");
	printf("# TYPE kvmx_exit_latency_seconds histogram\n");
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];
		unsigned long long cum = 0;

		if (e->kind != KVMX_STAT_CLASS)
			continue;
		prom_labels(lbl, sizeof(lbl), pid, e);
		/* bucket b holds [2^b, 2^(b+1)) ns; the last one everything above */
		for (b = 0; b < KVMX_LAT_BUCKETS; b++) {
			char le[32] = "+Inf";

			cum += e->lat_hist[b];
			if (b < KVMX_LAT_BUCKETS - 1)
				snprintf(le, sizeof(le), "%.9f", (double)(2ull << b) / 1e9);
			printf("kvmx_exit_latency_seconds_bucket{%s,class=\"%s\",le=\"%s\"} %llu\n",
			       lbl, kvmx_class_name(e->class), le, cum);
		}
		printf("kvmx_exit_latency_seconds_sum{%s,class=\"%s\"} %.9f\n", lbl,
		       kvmx_class_name(e->class), e->lat_sum_ns / 1e9);
		printf("kvmx_exit_latency_seconds_count{%s,class=\"%s\"} %llu\n", lbl,
		       kvmx_class_name(e->class), (unsigned long long)e->lat_count);
	}
	printf("# HELP kvmx_lost_exits_total Exits not counted for lack of memory.\n");
	printf("# TYPE kvmx_lost_exits_total counter\n");
	printf("kvmx_lost_exits_total{pid=\"%ld\"} %llu\n", pid, (unsigned long long)st->lost);
}
