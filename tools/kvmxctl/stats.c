// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl stats and faults: the exit and stage-2 fault tables of one VM
 * (--pid, -g) or of every VM on the host.
 *
 * A VM's counters are shared by all its sessions and count from the first
 * session on (KVMX_GET_STATS' since_ns). So what a one-shot command can
 * show depends on whether some session already kept the VM:
 *   - none did (kvmxctl's attach is the first): it measures for --interval
 *     seconds (1) and shows the exits of that interval;
 *   - one did (the VMM, a kvmxctl holder, the exporter): it shows the
 *     totals since then, or with --interval the difference of two reads
 *     --interval apart.
 * The header says which, and rates are per second of what was measured.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "fault_decode.h"
#include "kvmxctl.h"

/*
 * KVMX_GET_STATS or KVMX_GET_FAULTS: both answer with a header (argsz,
 * flags, ...) and entries, and say the size they need when truncated.
 */
void *get_table(int s, unsigned long req, const char *name, size_t hdr, size_t entry)
{
	size_t size = hdr + 64 * entry;
	__u32 *t;

	for (;;) {
		t = calloc(1, size);
		if (!t)
			return NULL;
		t[0] = size;			/* argsz */
		if (ioctl(s, req, t)) {
			die_err(errno, "%s", name);
			free(t);
			return NULL;
		}
		if (!(t[1] & KVMX_TABLE_TRUNCATED))
			return t;
		/* the VM made more entries meanwhile: ask for what it said, and some */
		size = t[0] + 16 * entry;
		free(t);
	}
}

/* -f/--fields REGEX of stats and top, as kvm_stat's: the rows shown */
static regex_t fields;
static bool fields_set;

int set_fields(const char *re)
{
	if (fields_set)
		regfree(&fields);
	fields_set = !regcomp(&fields, re, REG_EXTENDED | REG_NOSUB);
	if (!fields_set)
		return die("bad --fields '%s' (an extended regular expression)", re), -1;
	return 0;
}

/* a class row if its class matches, a reason row if its reason or class does */
static bool field_shown(__u32 arch, const struct kvmx_stat_entry *e)
{
	const char *raw = e->kind == KVMX_STAT_RAW ? name_raw(arch, e->raw) : NULL;

	if (!fields_set || !regexec(&fields, name_class(e->class), 0, NULL, 0))
		return true;
	return raw && !regexec(&fields, raw, 0, NULL, 0);
}

/* The VM's exit table; with --fields, only the entries it shows. */
struct kvmx_stats *read_stats(int s)
{
	struct kvmx_stats *st;
	__u32 i, n = 0;

	st = get_table(s, KVMX_GET_STATS, "KVMX_GET_STATS", sizeof(struct kvmx_stats),
		       sizeof(struct kvmx_stat_entry));
	for (i = 0; st && fields_set && i < st->nr_entries; i++)
		if (field_shown(st->arch, &st->entries[i]))
			st->entries[n++] = st->entries[i];
	if (st && fields_set)
		st->nr_entries = n;
	return st;
}

struct kvmx_faults *read_faults(int s)
{
	return get_table(s, KVMX_GET_FAULTS, "KVMX_GET_FAULTS", sizeof(struct kvmx_faults),
			 sizeof(struct kvmx_fault_entry));
}

/* CLOCK_BOOTTIME in ns, the clock of since_ns */
__u64 boottime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* since_ns of session @s's VM: when its counting started; 0 on error */
__u64 read_since(int s)
{
	struct kvmx_stats hdr = { .argsz = sizeof(hdr) };

	if (ioctl(s, KVMX_GET_STATS, &hdr))
		return 0;
	return hdr.since_ns;
}

/*
 * Upper bound (ns) of the latency below which a fraction @q of exits fall:
 * the bound of the histogram bucket, or the largest latency seen if smaller.
 */
static unsigned long long percentile(const struct kvmx_stat_entry *e, double q)
{
	unsigned long long want = (unsigned long long)(q * e->lat_count + 0.999999), seen = 0;
	int i;

	for (i = 0; i < KVMX_LAT_BUCKETS; i++) {
		seen += e->lat_hist[i];
		if (seen >= want && seen) {
			unsigned long long bound = 2ull << i;

			if (!e->lat_max_ns)	/* a difference: no max known */
				return bound;
			return i == KVMX_LAT_BUCKETS - 1 || bound > e->lat_max_ns ?
				e->lat_max_ns : bound;
		}
	}
	return 0;
}

const char *arch_name(__u32 arch)
{
	switch (arch) {
	case KVMX_ARCH_X86_VMX: return "x86-vmx";
	case KVMX_ARCH_X86_SVM: return "x86-svm";
	case KVMX_ARCH_ARM64: return "arm64";
	}
	return "unknown";
}

/* -- differences of two reads ---------------------------------------------- */

static bool stat_same(const struct kvmx_stat_entry *a, const struct kvmx_stat_entry *b)
{
	return a->vcpu == b->vcpu && a->kind == b->kind && a->class == b->class &&
	       a->raw == b->raw;
}

/* @st minus @old, entry by entry; min and max become 0 (not known) */
static void stats_sub(struct kvmx_stats *st, const struct kvmx_stats *old)
{
	__u32 i, j, n = 0;
	int b;

	for (i = 0; i < st->nr_entries; i++) {
		struct kvmx_stat_entry e = st->entries[i];

		for (j = 0; j < old->nr_entries; j++) {
			const struct kvmx_stat_entry *o = &old->entries[j];

			if (!stat_same(&e, o))
				continue;
			e.count -= o->count;
			e.lat_count -= o->lat_count;
			e.lat_sum_ns -= o->lat_sum_ns;
			for (b = 0; b < KVMX_LAT_BUCKETS; b++)
				e.lat_hist[b] -= o->lat_hist[b];
			break;
		}
		e.lat_min_ns = 0;
		e.lat_max_ns = 0;
		if (e.count)
			st->entries[n++] = e;
	}
	st->nr_entries = n;
	st->lost -= old->lost;
}

static void faults_sub(struct kvmx_faults *f, const struct kvmx_faults *old)
{
	__u32 i, j, n = 0;
	int l;

	for (i = 0; i < f->nr_entries; i++) {
		struct kvmx_fault_entry e = f->entries[i];

		for (j = 0; j < old->nr_entries; j++) {
			const struct kvmx_fault_entry *o = &old->entries[j];

			if (o->vcpu != e.vcpu || o->kind != e.kind || o->class != e.class ||
			    o->gpa != e.gpa)
				continue;
			e.count -= o->count;
			e.read -= o->read;
			e.write -= o->write;
			e.exec -= o->exec;
			e.to_user -= o->to_user;
			for (l = 0; l < KVMX_FAULT_LEVELS; l++)
				e.level[l] -= o->level[l];
			break;
		}
		if (e.count)
			f->entries[n++] = e;
	}
	f->nr_entries = n;
}

/* -- printing ------------------------------------------------------------- */

/* what was measured: the header of each VM's block */
struct span {
	const struct vm_ref *vm;
	bool kept;		/* another session kept the VM before */
	bool diff;		/* two reads, subtracted */
	double secs;		/* of what the counts cover */
	__u64 since_ns;
};

static void print_span(const struct span *sp)
{
	char when[32] = "?";
	struct timespec now;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &now);
	t = now.tv_sec - (time_t)((boottime_ns() - sp->since_ns) / 1000000000ull);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	printf("== VM %s: ", vm_label(sp->vm));
	if (sp->diff)
		printf("the last %.1f s (counting since %s)\n", sp->secs, when);
	else if (sp->kept)
		printf("totals of %.1f s, since %s (a session keeps the VM)\n", sp->secs, when);
	else
		printf("the %.1f s after kvmxctl attached (no session kept the VM)\n", sp->secs);
}

static void json_span(const struct span *sp)
{
	printf("\"vm\":");
	json_str(sp->vm->name);
	printf(",\"pid\":%ld,\"vm_fd\":%d,\"measured\":\"%s\",\"seconds\":%.3f,",
	       sp->vm->pid, sp->vm->fd,
	       sp->diff ? "interval" : sp->kept ? "totals" : "attach_interval", sp->secs);
	printf("\"since_ns\":%llu,", sp->since_ns);
}

/* ",{"vcpu":N" (or "vm"): the start of the i-th entry of a JSON table */
static void json_entry_start(__u32 i, __u32 vcpu)
{
	printf("%s{\"vcpu\":", i ? "," : "");
	if (vcpu == KVMX_STAT_VM)
		printf("\"vm\"");
	else
		printf("%u", vcpu);
}

static void print_stats_json(const struct kvmx_stats *st, const struct span *sp)
{
	__u32 i;
	int j;

	printf("{");
	json_span(sp);
	printf("\"arch\":\"%s\",\"lost\":%llu,\"entries\":[", arch_name(st->arch),
	       st->lost);
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];
		const char *name = name_raw(st->arch, e->raw);

		json_entry_start(i, e->vcpu);
		printf(",\"class\":\"%s\",\"count\":%llu", name_class(e->class),
		       e->count);
		printf(",\"per_s\":%.1f", sp->secs > 0 ? e->count / sp->secs : 0);
		if (e->kind == KVMX_STAT_RAW) {
			printf(",\"raw\":%u,\"raw_name\":\"%s\"}", e->raw, name ? name : "");
			continue;
		}
		printf(",\"lat_count\":%llu", e->lat_count);
		printf(",\"lat_sum_ns\":%llu", e->lat_sum_ns);
		printf(",\"lat_min_ns\":%llu", e->lat_min_ns);
		printf(",\"lat_max_ns\":%llu", e->lat_max_ns);
		printf(",\"lat_p50_ns\":%llu", percentile(e, 0.5));
		printf(",\"lat_p99_ns\":%llu,\"lat_hist\":[", percentile(e, 0.99));
		for (j = 0; j < KVMX_LAT_BUCKETS; j++)
			printf("%s%llu", j ? "," : "", e->lat_hist[j]);
		printf("]}");
	}
	printf("]}\n");
}

/* "512", "1K", "2M": a power of two the way bpftrace's hist() prints it */
static void pow2_label(char *buf, size_t n, unsigned long long v)
{
	static const char unit[] = " KMGTPE";
	int u = 0;

	while (v >= 1024 && !(v % 1024) && unit[u + 1]) {
		v /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, n, "%llu%c", v, unit[u]);
	else
		snprintf(buf, n, "%llu", v);
}

#define HIST_WIDTH	40

/* @e's latency histogram as bars, bucket bounds in ns (bpftrace's hist()) */
static void print_hist(const struct kvmx_stat_entry *e)
{
	unsigned long long max = 0;
	int b, lo = -1, hi = -1;

	for (b = 0; b < KVMX_LAT_BUCKETS; b++) {
		if (!e->lat_hist[b])
			continue;
		if (lo < 0)
			lo = b;
		hi = b;
		if (e->lat_hist[b] > max)
			max = e->lat_hist[b];
	}
	if (lo < 0)
		return;
	printf("\n  @%s latency (ns), %llu exits:\n", name_class(e->class),
	       e->lat_count);
	for (b = lo; b <= hi; b++) {
		char l[24], h[24], range[56], bar[HIST_WIDTH + 1];
		int w = max ? (int)(e->lat_hist[b] * HIST_WIDTH / max) : 0;

		/* bucket 0: [0, 2); b: [2^b, 2^(b+1)); the last: all above */
		pow2_label(l, sizeof(l), b ? 1ull << b : 0);
		pow2_label(h, sizeof(h), 2ull << b);
		if (b == KVMX_LAT_BUCKETS - 1)
			snprintf(range, sizeof(range), "[%s, ...)", l);
		else
			snprintf(range, sizeof(range), "[%s, %s)", l, h);
		memset(bar, '@', w);
		bar[w] = 0;
		printf("  %-16s %8llu |%-*s|\n", range, e->lat_hist[b],
		       HIST_WIDTH, bar);
	}
}

static void print_stats_table(const struct kvmx_stats *st, const struct span *sp, bool hist)
{
	__u32 i, vcpu = ~0u - 1;
	char label[64], rate[16];

	print_span(sp);
	printf("arch %s; latency is exit to next entry, p50/p99 are histogram bucket bounds\n",
	       arch_name(st->arch));
	if (st->lost)
		printf("lost (not attributed to a vCPU): %llu\n", st->lost);
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];
		const char *name;

		if (e->vcpu != vcpu) {
			vcpu = e->vcpu;
			if (vcpu == KVMX_STAT_VM)
				printf("\nVM total\n");
			else
				printf("\nvCPU %u\n", vcpu);
			printf("  %-28s %10s %10s %10s %10s %10s %10s %10s\n",
			       "class / raw reason", "exits", "per_s", "avg_ns", "p50_ns",
			       "p99_ns", "min_ns", "max_ns");
		}
		snprintf(rate, sizeof(rate), "%.1f", sp->secs > 0 ? e->count / sp->secs : 0);
		if (e->kind == KVMX_STAT_RAW) {
			name = name_raw(st->arch, e->raw);
			snprintf(label, sizeof(label), "0x%x %s", e->raw,
				 name ? name : "(unknown)");
			/* a stage-2 reason with no memslot behind it was counted as mmio */
			printf("    %-26s %10llu %10s  (%s)\n", label, e->count,
			       rate, e->class == KVMX_EXIT_STAGE2 ? "stage2 or mmio" :
			       name_class(e->class));
			continue;
		}
		printf("  %-28s %10llu %10s", name_class(e->class),
		       e->count, rate);
		if (e->lat_count) {
			printf(" %10llu %10llu %10llu",
			       (unsigned long long)(e->lat_sum_ns / e->lat_count),
			       percentile(e, 0.5), percentile(e, 0.99));
			if (e->lat_max_ns)
				printf(" %10llu %10llu", e->lat_min_ns,
				       e->lat_max_ns);
			else
				printf(" %10s %10s", "-", "-");
		}
		printf("\n");
	}
	for (i = 0; hist && i < st->nr_entries; i++)
		if (st->entries[i].vcpu == KVMX_STAT_VM &&
		    st->entries[i].kind == KVMX_STAT_CLASS)
			print_hist(&st->entries[i]);
	if (!st->nr_entries)
		printf("no exits\n");
}

static void print_levels(const struct kvmx_fault_entry *e, char *buf, size_t n)
{
	size_t len = 0;
	int l;

	buf[0] = 0;
	for (l = 0; l < KVMX_FAULT_LEVELS && len < n; l++) {
		if (!e->level[l])
			continue;
		if (l == KVMX_FAULT_LEVEL_NONE)
			len += snprintf(buf + len, n - len, "%s-:%llu", len ? " " : "",
					e->level[l]);
		else
			len += snprintf(buf + len, n - len, "%sL%d:%llu", len ? " " : "",
					l - 2, e->level[l]);
	}
}

static void print_faults_json(const struct kvmx_faults *f, const struct span *sp)
{
	__u32 i;
	int l;

	printf("{");
	json_span(sp);
	printf("\"arch\":\"%s\",\"pending\":%llu,\"entries\":[", arch_name(f->arch),
	       f->pending);
	for (i = 0; i < f->nr_entries; i++) {
		const struct kvmx_fault_entry *e = &f->entries[i];

		json_entry_start(i, e->vcpu);
		if (e->kind != KVMX_FAULT_KIND_CLASS) {
			printf(",\"page\":\"%s\",\"gpa\":%llu,\"count\":%llu,\"error\":%llu}",
			       e->kind == KVMX_FAULT_KIND_PAGE_4K ? "4k" : "2m",
			       e->gpa, e->count,
			       e->error);
			continue;
		}
		printf(",\"class\":\"%s\",\"count\":%llu", name_fault_class(e->class),
		       e->count);
		printf(",\"per_s\":%.1f", sp->secs > 0 ? e->count / sp->secs : 0);
		printf(",\"read\":%llu,\"write\":%llu,\"exec\":%llu",
		       e->read, e->write,
		       e->exec);
		printf(",\"to_user\":%llu,\"levels\":{", e->to_user);
		for (l = 0; l < KVMX_FAULT_LEVELS; l++) {
			if (l == KVMX_FAULT_LEVEL_NONE)
				printf("%s\"none\":%llu", l ? "," : "",
				       e->level[l]);
			else
				printf("%s\"%d\":%llu", l ? "," : "", l - 2,
				       e->level[l]);
		}
		printf("}}");
	}
	printf("]}\n");
}

static void print_faults_table(const struct kvmx_faults *f, const struct span *sp)
{
	__u32 i, vcpu = ~0u - 1, kind = 0;
	char levels[96];

	print_span(sp);
	printf("arch %s; faults are classified when their vCPU enters the guest again\n",
	       arch_name(f->arch));
	printf("pending (vCPU not re-entered yet): %llu\n", f->pending);
	for (i = 0; i < f->nr_entries; i++) {
		const struct kvmx_fault_entry *e = &f->entries[i];

		if (e->kind != KVMX_FAULT_KIND_CLASS) {
			if (e->kind != kind)
				printf("\nhottest %s          faults  (count may be over by)\n",
				       e->kind == KVMX_FAULT_KIND_PAGE_4K ? "4 KiB pages " :
				       "2 MiB ranges");
			kind = e->kind;
			printf("  0x%016llx %14llu  %llu\n", e->gpa,
			       e->count, e->error);
			continue;
		}
		if (e->vcpu != vcpu) {
			vcpu = e->vcpu;
			if (vcpu == KVMX_STAT_VM)
				printf("\nVM total\n");
			else
				printf("\nvCPU %u\n", vcpu);
			printf("  %-12s %10s %10s %8s %8s %8s %8s  %s\n", "class", "faults",
			       "per_s", "read", "write", "exec", "to_vmm",
			       "levels (-: none given)");
		}
		print_levels(e, levels, sizeof(levels));
		printf("  %-12s %10llu %10.1f %8llu %8llu %8llu %8llu  %s\n",
		       name_fault_class(e->class), e->count,
		       sp->secs > 0 ? e->count / sp->secs : 0,
		       e->read, e->write,
		       e->exec, e->to_user, levels);
	}
	if (!f->nr_entries)
		printf("no stage-2 faults\n");
}

/* -- the commands ------------------------------------------------------------ */

struct table_args {
	bool faults;		/* faults, else stats */
	bool reset, prometheus, hist, interval_given;
	long interval;
};

static const struct cmd_opt table_opts[] = {
	{ "--reset", 0, false }, { "--prometheus", 0, false }, { "--hist", 0, false },
	{ "--interval", 0, true }, { "--delay", 'd', true }, { "--fields", 'f', true },
	{ NULL },
};

/* --reset --interval; stats: --prometheus --hist */
static int table_opt(void *ctx, const char *o, const char *v)
{
	struct table_args *a = ctx;

	if (!strcmp(o, "--reset")) {
		a->reset = true;
		return OPT_FLAG;
	}
	if (!a->faults && !strcmp(o, "--prometheus")) {
		a->prometheus = true;
		return OPT_FLAG;
	}
	if (!a->faults && !strcmp(o, "--hist")) {
		a->hist = true;
		return OPT_FLAG;
	}
	if (!a->faults && !strcmp(o, "--fields"))
		return set_fields(v) ? OPT_BAD : OPT_VALUE;
	if (!strcmp(o, "--interval") || !strcmp(o, "--delay")) {
		if (parse_int(v, o, &a->interval))
			return OPT_BAD;
		if (!a->interval)
			return die("--interval must be at least 1 s"), OPT_BAD;
		a->interval_given = true;
		return OPT_VALUE;
	}
	return OPT_UNKNOWN;
}

/* one VM of the command */
struct table_vm {
	struct vm_ref ref;
	int s;			/* -1: not attached */
	__u64 before_ns;	/* of our attach */
	struct span sp;
	void *old;		/* the first read of a difference */
	void *tab;
};

static void *read_table(int s, bool faults)
{
	return faults ? (void *)read_faults(s) : (void *)read_stats(s);
}

static int cmd_table(int argc, char **argv, bool faults)
{
	struct table_args a = { .faults = faults, .interval = 1 };
	const char *name = faults ? "faults" : "stats";
	struct table_vm *v = NULL;
	struct prom_set ps = { 0 };
	bool sleep_needed = false;
	int n, i, ret, failed = 0;
	struct vm_ref *refs;
	struct target t;

	ret = parse_vm_opts(name, argc, argv, &t, table_opts, table_opt, &a);
	if (ret)
		return ret;
	n = target_vms(&t, &refs);
	if (n <= 0)
		return 1;
	v = calloc(n, sizeof(*v));
	if (!v)
		return die("out of memory");
	for (i = 0; i < n; i++) {
		v[i].ref = refs[i];
		v[i].before_ns = boottime_ns();
		v[i].s = attach_vm(refs[i].pid, refs[i].fd, vm_label(&refs[i]), NULL);
		if (v[i].s < 0) {
			failed++;
			continue;
		}
		v[i].sp = (struct span){ .vm = &v[i].ref, .since_ns = read_since(v[i].s) };
		v[i].sp.kept = v[i].sp.since_ns && v[i].sp.since_ns < v[i].before_ns;
		v[i].sp.diff = v[i].sp.kept && a.interval_given;
		if (v[i].sp.diff)
			v[i].old = read_table(v[i].s, faults);
		sleep_needed |= !v[i].sp.kept || v[i].sp.diff;
	}
	if (failed == n) {
		ret = 1;
		goto out;
	}
	if (sleep_needed) {
		/* said on stderr: the pause, and for tests the moment it starts */
		fprintf(stderr, "kvmxctl: measuring for %ld s\n", a.interval);
		sleep(a.interval);
	}
	for (i = 0; i < n; i++) {
		struct table_vm *x = &v[i];
		__u64 now;

		if (x->s < 0)
			continue;
		x->tab = read_table(x->s, faults);
		now = boottime_ns();
		if (!x->tab || (x->sp.diff && !x->old)) {
			ret = 1;
			continue;
		}
		if (x->sp.diff && faults)
			faults_sub(x->tab, x->old);
		else if (x->sp.diff)
			stats_sub(x->tab, x->old);
		/* a diff covers the interval; else the counting since since_ns */
		x->sp.secs = (now - (x->sp.diff ? x->before_ns : x->sp.since_ns)) / 1e9;
		if (a.prometheus)
			prom_collect(&ps, &x->ref, x->tab, NULL);
		else if (json && faults)
			print_faults_json(x->tab, &x->sp);
		else if (json)
			print_stats_json(x->tab, &x->sp);
		else if (faults)
			print_faults_table(x->tab, &x->sp);
		else
			print_stats_table(x->tab, &x->sp, a.hist);
		if (!a.prometheus && !json && i + 1 < n)
			printf("\n");
		if (a.reset && ioctl(x->s, KVMX_RESET_STATS, 0))
			ret = die_err(errno, "KVMX_RESET_STATS");
	}
	if (a.prometheus) {
		prom_write(stdout, &ps);
		prom_free(&ps);
	}
	if (failed)
		ret = 1;
out:
	for (i = 0; i < n; i++) {
		free(v[i].old);
		free(v[i].tab);
		if (v[i].s >= 0)
			close(v[i].s);
	}
	free(v);
	free(refs);
	return ret;
}

int cmd_stats(int argc, char **argv)
{
	return cmd_table(argc, argv, false);
}

int cmd_faults(int argc, char **argv)
{
	return cmd_table(argc, argv, true);
}
