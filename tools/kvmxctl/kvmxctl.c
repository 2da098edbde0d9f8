// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl: the kvmx userspace controller.
 *
 *   kvmxctl version [--json]
 *   kvmxctl stats --pid PID [--vm-fd FD] [--reset] [--json]
 *   kvmxctl faults --pid PID [--vm-fd FD] [--reset] [--json]
 *   kvmxctl policy show|set|clear --pid PID [--vm-fd FD] [...] (policy.c)
 *   kvmxctl regions add|list|show|remove --pid PID [...] (regions.c)
 *   kvmxctl release --pid PID [--vm-fd FD] (hold.c)
 *   kvmxctl top|trace --pid PID [...], stats --prometheus (live.c)
 *
 * "stats" and "faults" attach to the VM of a running VMM: it finds the VM's
 * anon_inode:kvm-vm file descriptor under /proc/PID/fd and takes a copy of
 * it with pidfd_getfd(), which needs ptrace rights over PID.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "fault_decode.h"
#include "kvmxctl.h"

static const char usage[] =
"usage: kvmxctl [--json] COMMAND [OPTIONS]\n"
"\n"
"commands:\n"
"  version                  versions of kvmxctl's uapi and of the loaded module;\n"
"                           fails if their major versions differ\n"
"  stats --pid PID          exit counts and latency of the VM of process PID,\n"
"        [--vm-fd FD]       per exit class and raw reason, VM and per vCPU;\n"
"        [--reset]          --vm-fd picks one VM of a VMM that has several,\n"
"                           --reset zeroes the counters after printing;\n"
"        [--prometheus]     --prometheus prints the text exposition format\n"
"  top --pid PID            exit rates per second by class and raw reason,\n"
"        [--interval SEC]   redrawn every SEC (1); --count N: N reports, then\n"
"        [--count N]        exit (batch mode)\n"
"  faults --pid PID         stage-2 faults of the VM of process PID per class\n"
"        [--vm-fd FD]       (first touch, permission, MMIO in the kernel or to\n"
"        [--reset]          the VMM, unbacked, guest table walk), by access and\n"
"                           level, and the hottest 4 KiB pages and 2 MiB ranges\n"
"  trace --pid PID          stream the event ring, a line per exit (every\n"
"        [--sample N]       N-th of each vCPU and class), --class: only\n"
"        [--class CLASS]    those classes, --faults: stage-2 faults too,\n"
"        [--faults]         --count: stop after N records\n"
"        [--count N]\n"
"  policy show --pid PID    the VM's exit policy and its counters\n"
"  policy set --pid PID     set it. ACTION: forward, discard, inject (inject:\n"
"        [--mmio ACTION]    arm64 only; unclaimed MMIO or unbacked faults get\n"
"        [--pio ACTION]     an external abort). Ranges limit --mmio/--pio\n"
"        [--unbacked ACTION] (up to 16); --sample records 1 in N exits of\n"
"        [--range ADDR:SIZE] CLASS into event rings\n"
"        [--port-range P:N]\n"
"        [--sample CLASS:N]\n"
"  policy clear --pid PID   back to the default: forward, count\n"
"  regions list --pid PID   the VM's in-kernel regions with their counters\n"
"  regions show --pid PID ID one region (a bank's registers too)\n"
"  regions add --pid PID    add one: MODE doorbell, bank, log, discard or\n"
"        --addr A --size S  window; --sizes 1,2,4,8 or all (default);\n"
"        --mode MODE        --pio for ports (x86); --datamatch V (doorbell);\n"
"        [--sizes L] [--pio] --log-records N, --log-drop (log)\n"
"        [--datamatch V] ...  --fast: any write, and on VMX without decoding\n"
"                           the instruction (doorbell, all sizes)\n"
"  regions remove --pid PID ID\n"
"  release --pid PID        drop every region and the policy kvmxctl set\n"
"\n"
"What policy set and regions add change stays in effect after kvmxctl\n"
"returns: kvmxctl keeps a session per VM open in a holder process, which\n"
"exits with the VMM or on release.\n"
"\n"
"options:\n"
"  --json     machine-readable output (JSON; top and trace: a line each)\n"
"  -h, --help this text\n";

int json;
static int prometheus;		/* stats --prometheus */
static long target_pid;		/* the VMM of a table command */

int die(const char *fmt, const char *arg, int err)
{
	fprintf(stderr, "kvmxctl: ");
	fprintf(stderr, fmt, arg);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	return 1;
}

int open_kvmx(void)
{
	int fd = open("/dev/kvmx", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("/dev/kvmx%s", errno == ENOENT ? " (is the kvmx module loaded?)" : "",
		    errno);
	return fd;
}

static int cmd_version(void)
{
	int fd = open_kvmx(), v;

	if (fd < 0)
		return 1;
	v = ioctl(fd, KVMX_GET_API_VERSION, 0);
	close(fd);
	if (v < 0)
		return die("%s", "KVMX_GET_API_VERSION", errno);
	if (json)
		printf("{\"uapi\":\"%u.%u\",\"module\":\"%u.%u\"}\n",
		       KVMX_API_MAJOR, KVMX_API_MINOR,
		       KVMX_API_VERSION_MAJOR(v), KVMX_API_VERSION_MINOR(v));
	else
		printf("kvmxctl uapi %u.%u, module api %u.%u\n",
		       KVMX_API_MAJOR, KVMX_API_MINOR,
		       KVMX_API_VERSION_MAJOR(v), KVMX_API_VERSION_MINOR(v));
	if (KVMX_API_VERSION_MAJOR(v) != KVMX_API_MAJOR) {
		fprintf(stderr, "kvmxctl: module API major %u, kvmxctl speaks %u\n",
			KVMX_API_VERSION_MAJOR(v), KVMX_API_MAJOR);
		return 1;
	}
	return 0;
}

/* -- attaching to a VMM's VM --------------------------------------------- */

/* The fd numbers of PID's KVM VMs, up to @max; returns how many there are. */
static int find_vm_fds(pid_t pid, int *fds, int max)
{
	char dir[64], path[PATH_MAX], link[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		ssize_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = 0;
		if (strcmp(link, "anon_inode:kvm-vm"))
			continue;
		if (n < max)
			fds[n] = atoi(de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * The fd number in @pid of its VM: @vm_fd checked, or its only VM if -1.
 * -1 (the reason printed) if there is none, or several and no @vm_fd.
 */
int pick_vm_fd(pid_t pid, int vm_fd)
{
	int fds[16], n, i;
	char pidstr[16];

	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	n = find_vm_fds(pid, fds, 16);
	if (n == -EACCES || n == -EPERM)
		return die("cannot read /proc/%s/fd (needs ptrace rights over it)", pidstr, -n), -1;
	if (n < 0)
		return die("no process %s", pidstr, -n), -1;
	if (!n)
		return die("process %s has no KVM VM", pidstr, 0), -1;
	if (vm_fd < 0 && n > 1) {
		fprintf(stderr, "kvmxctl: process %d has %d VMs; pick one with --vm-fd:", pid, n);
		for (i = 0; i < n && i < 16; i++)
			fprintf(stderr, " %d", fds[i]);
		fputc('\n', stderr);
		return -1;
	}
	if (vm_fd < 0)
		return fds[0];
	for (i = 0; i < n && i < 16 && fds[i] != vm_fd; i++)
		;
	if (i == n || i == 16) {
		fprintf(stderr, "kvmxctl: fd %d of process %d is not a KVM VM\n", vm_fd, pid);
		return -1;
	}
	return vm_fd;
}

/* A new session on the VM of @pid (its fd @vm_fd, or its only VM if -1). */
int attach_pid(pid_t pid, int vm_fd)
{
	struct kvmx_attach_vm arg = { .argsz = sizeof(arg) };
	int pidfd, local, kvmx, s;
	char pidstr[16];

	vm_fd = pick_vm_fd(pid, vm_fd);
	if (vm_fd < 0)
		return -1;
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return die("pidfd_open %s", pidstr, errno), -1;
	local = syscall(SYS_pidfd_getfd, pidfd, vm_fd, 0);
	close(pidfd);
	if (local < 0)
		return die("cannot take the VM fd of process %s (needs ptrace rights)",
			   pidstr, errno), -1;
	kvmx = open_kvmx();
	if (kvmx < 0) {
		close(local);
		return -1;
	}
	arg.vm_fd = local;
	s = ioctl(kvmx, KVMX_ATTACH_VM, &arg);
	if (s < 0)
		die("%s", "KVMX_ATTACH_VM", errno);
	close(kvmx);
	close(local);
	return s;
}

/* -- stats ---------------------------------------------------------------- */

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
			die("%s", name, errno);
			free(t);
			return NULL;
		}
		if (!(t[1] & KVMX_STATS_TRUNCATED))
			return t;
		/* the VM made more entries meanwhile: ask for what it said, and some */
		size = t[0] + 16 * entry;
		free(t);
	}
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

			return i == KVMX_LAT_BUCKETS - 1 || bound > e->lat_max_ns ?
				e->lat_max_ns : bound;
		}
	}
	return 0;
}

static const char *arch_name(__u32 arch)
{
	switch (arch) {
	case KVMX_ARCH_X86_VMX: return "x86-vmx";
	case KVMX_ARCH_X86_SVM: return "x86-svm";
	case KVMX_ARCH_ARM64: return "arm64";
	}
	return "unknown";
}

static void raw_label(__u32 arch, __u32 raw, char *buf, size_t n)
{
	const char *name = kvmx_raw_name(arch, raw);

	snprintf(buf, n, "0x%x %s", raw, name ? name : "(unknown)");
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

static void print_json(const struct kvmx_stats *st)
{
	__u32 i;
	int j;

	printf("{\"arch\":\"%s\",\"lost\":%llu,\"entries\":[", arch_name(st->arch),
	       (unsigned long long)st->lost);
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];
		const char *name = kvmx_raw_name(st->arch, e->raw);

		json_entry_start(i, e->vcpu);
		printf(",\"class\":\"%s\",\"count\":%llu", kvmx_class_name(e->class),
		       (unsigned long long)e->count);
		if (e->kind == KVMX_STAT_RAW) {
			printf(",\"raw\":%u,\"raw_name\":\"%s\"}", e->raw, name ? name : "");
			continue;
		}
		printf(",\"lat_count\":%llu", (unsigned long long)e->lat_count);
		printf(",\"lat_sum_ns\":%llu", (unsigned long long)e->lat_sum_ns);
		printf(",\"lat_min_ns\":%llu", (unsigned long long)e->lat_min_ns);
		printf(",\"lat_max_ns\":%llu", (unsigned long long)e->lat_max_ns);
		printf(",\"lat_p50_ns\":%llu", percentile(e, 0.5));
		printf(",\"lat_p99_ns\":%llu,\"lat_hist\":[", percentile(e, 0.99));
		for (j = 0; j < KVMX_LAT_BUCKETS; j++)
			printf("%s%llu", j ? "," : "", (unsigned long long)e->lat_hist[j]);
		printf("]}");
	}
	printf("]}\n");
}

static void print_table(const struct kvmx_stats *st)
{
	__u32 i, vcpu = ~0u - 1;
	char label[64];

	printf("arch %s; latency is exit to next entry, p50/p99 are histogram bucket bounds\n",
	       arch_name(st->arch));
	if (st->lost)
		printf("lost (not attributed to a vCPU): %llu\n", (unsigned long long)st->lost);
	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];

		if (e->vcpu != vcpu) {
			vcpu = e->vcpu;
			if (vcpu == KVMX_STAT_VM)
				printf("\nVM total\n");
			else
				printf("\nvCPU %u\n", vcpu);
			printf("  %-28s %10s %10s %10s %10s %10s %10s\n", "class / raw reason",
			       "exits", "avg_ns", "p50_ns", "p99_ns", "min_ns", "max_ns");
		}
		if (e->kind == KVMX_STAT_CLASS) {
			printf("  %-28s %10llu", kvmx_class_name(e->class),
			       (unsigned long long)e->count);
			if (e->lat_count)
				printf(" %10llu %10llu %10llu %10llu %10llu",
				       (unsigned long long)(e->lat_sum_ns / e->lat_count),
				       percentile(e, 0.5), percentile(e, 0.99),
				       (unsigned long long)e->lat_min_ns,
				       (unsigned long long)e->lat_max_ns);
			printf("\n");
		} else {
			raw_label(st->arch, e->raw, label, sizeof(label));
			/* a stage-2 reason with no memslot behind it was counted as mmio */
			printf("    %-26s %10llu  (%s)\n", label, (unsigned long long)e->count,
			       e->class == KVMX_EXIT_STAGE2 ? "stage2 or mmio" :
			       kvmx_class_name(e->class));
		}
	}
}

int parse_int(const char *s, const char *what, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (!*s || *end || errno || *out < 0 || *out > INT_MAX)
		return die("bad %s", what, 0), -1;
	return 0;
}

/**
 * parse_opts() - the arguments of a command
 * @name:	the command, for messages ("stats", "policy set", ...)
 * @argc:	arguments after the command
 * @argv:	them
 * @t:		--pid and --vm-fd go here; --pid is required
 * @opt:	every other argument @o (with @v the next one, or NULL) goes to
 *		it: it returns OPT_VALUE if it used @v too, OPT_FLAG if not,
 *		OPT_BAD (its message printed) or OPT_UNKNOWN. NULL: none.
 * @ctx:	for @opt
 *
 * Return: 0, or 2 for bad usage, its message printed.
 */
int parse_opts(const char *name, int argc, char **argv, struct target *t, opt_fn opt,
	       void *ctx)
{
	int i, r;

	*t = (struct target){ .pid = -1, .vm_fd = -1 };
	for (i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--pid") && v)
			r = parse_int(v, "--pid", &t->pid) ? OPT_BAD : OPT_VALUE;
		else if (!strcmp(o, "--vm-fd") && v)
			r = parse_int(v, "--vm-fd", &t->vm_fd) ? OPT_BAD : OPT_VALUE;
		else
			r = opt ? opt(ctx, o, v) : OPT_UNKNOWN;
		if (r == OPT_BAD)
			return 2;
		if (r == OPT_UNKNOWN) {
			fprintf(stderr, "kvmxctl: %s: unexpected '%s' (kvmxctl --help)\n", name, o);
			return 2;
		}
		i += r == OPT_VALUE;
	}
	if (t->pid < 0) {
		fprintf(stderr, "kvmxctl: %s needs --pid\n", name);
		return 2;
	}
	return 0;
}

/* stats and faults: --reset; stats: --prometheus */
static int table_opt(void *ctx, const char *o, const char *v)
{
	int *reset = ctx;

	if (!strcmp(o, "--reset")) {
		*reset = 1;
		return OPT_FLAG;
	}
	if (!strcmp(o, "--prometheus") && reset[1]) {
		prometheus = 1;
		return OPT_FLAG;
	}
	return OPT_UNKNOWN;
}

/* -- faults --------------------------------------------------------------- */

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
					(unsigned long long)e->level[l]);
		else
			len += snprintf(buf + len, n - len, "%sL%d:%llu", len ? " " : "",
					l - 2, (unsigned long long)e->level[l]);
	}
}

static void print_faults_json(const struct kvmx_faults *f)
{
	__u32 i;
	int l;

	printf("{\"arch\":\"%s\",\"pending\":%llu,\"entries\":[", arch_name(f->arch),
	       (unsigned long long)f->pending);
	for (i = 0; i < f->nr_entries; i++) {
		const struct kvmx_fault_entry *e = &f->entries[i];

		json_entry_start(i, e->vcpu);
		if (e->kind != KVMX_FAULT_KIND_CLASS) {
			printf(",\"page\":\"%s\",\"gpa\":%llu,\"count\":%llu,\"error\":%llu}",
			       e->kind == KVMX_FAULT_KIND_PAGE_4K ? "4k" : "2m",
			       (unsigned long long)e->gpa, (unsigned long long)e->count,
			       (unsigned long long)e->error);
			continue;
		}
		printf(",\"class\":\"%s\",\"count\":%llu", kvmx_fault_class_name(e->class),
		       (unsigned long long)e->count);
		printf(",\"read\":%llu,\"write\":%llu,\"exec\":%llu",
		       (unsigned long long)e->read, (unsigned long long)e->write,
		       (unsigned long long)e->exec);
		printf(",\"to_user\":%llu,\"levels\":{", (unsigned long long)e->to_user);
		for (l = 0; l < KVMX_FAULT_LEVELS; l++) {
			if (l == KVMX_FAULT_LEVEL_NONE)
				printf("%s\"none\":%llu", l ? "," : "",
				       (unsigned long long)e->level[l]);
			else
				printf("%s\"%d\":%llu", l ? "," : "", l - 2,
				       (unsigned long long)e->level[l]);
		}
		printf("}}");
	}
	printf("]}\n");
}

static void print_faults_table(const struct kvmx_faults *f)
{
	__u32 i, vcpu = ~0u - 1, kind = 0;
	char levels[96];

	printf("arch %s; faults are classified when their vCPU enters the guest again\n",
	       arch_name(f->arch));
	printf("pending (vCPU not re-entered yet): %llu\n", (unsigned long long)f->pending);
	for (i = 0; i < f->nr_entries; i++) {
		const struct kvmx_fault_entry *e = &f->entries[i];

		if (e->kind != KVMX_FAULT_KIND_CLASS) {
			if (e->kind != kind)
				printf("\nhottest %s          faults  (count may be over by)\n",
				       e->kind == KVMX_FAULT_KIND_PAGE_4K ? "4 KiB pages " :
				       "2 MiB ranges");
			kind = e->kind;
			printf("  0x%016llx %14llu  %llu\n", (unsigned long long)e->gpa,
			       (unsigned long long)e->count, (unsigned long long)e->error);
			continue;
		}
		if (e->vcpu != vcpu) {
			vcpu = e->vcpu;
			if (vcpu == KVMX_STAT_VM)
				printf("\nVM total\n");
			else
				printf("\nvCPU %u\n", vcpu);
			printf("  %-12s %10s %8s %8s %8s %8s  %s\n", "class", "faults", "read",
			       "write", "exec", "to_vmm", "levels (-: none given)");
		}
		print_levels(e, levels, sizeof(levels));
		printf("  %-12s %10llu %8llu %8llu %8llu %8llu  %s\n",
		       kvmx_fault_class_name(e->class), (unsigned long long)e->count,
		       (unsigned long long)e->read, (unsigned long long)e->write,
		       (unsigned long long)e->exec, (unsigned long long)e->to_user, levels);
	}
	if (!f->nr_entries)
		printf("no stage-2 faults since the VM was attached or reset\n");
}

static void print_stats(const void *t)
{
	if (prometheus)
		print_prometheus(t, target_pid);
	else if (json)
		print_json(t);
	else
		print_table(t);
}

static void print_faults(const void *t)
{
	if (json)
		print_faults_json(t);
	else
		print_faults_table(t);
}

/* a command that reads one table of a VMM's VM: stats, faults */
static const struct table_cmd {
	const char *name;
	unsigned long req;
	const char *req_name;
	size_t hdr, entry;
	void (*print)(const void *t);
} table_cmds[] = {
	{ "stats", KVMX_GET_STATS, "KVMX_GET_STATS", sizeof(struct kvmx_stats),
	  sizeof(struct kvmx_stat_entry), print_stats },
	{ "faults", KVMX_GET_FAULTS, "KVMX_GET_FAULTS", sizeof(struct kvmx_faults),
	  sizeof(struct kvmx_fault_entry), print_faults },
};

static int cmd_table(const struct table_cmd *c, int argc, char **argv)
{
	int s, ret, flags[2] = { 0, !strcmp(c->name, "stats") };	/* reset, stats */
	struct target t;
	void *tab;

	ret = parse_opts(c->name, argc, argv, &t, table_opt, flags);
	if (ret)
		return ret;
	s = attach_pid(t.pid, t.vm_fd);
	if (s < 0)
		return 1;
	target_pid = t.pid;
	tab = get_table(s, c->req, c->req_name, c->hdr, c->entry);
	if (!tab) {
		close(s);
		return 1;
	}
	c->print(tab);
	if (flags[0] && ioctl(s, KVMX_RESET_STATS, 0))
		ret = die("%s", "KVMX_RESET_STATS", errno);
	free(tab);
	close(s);
	return ret;
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--json"))
			break;
		json = 1;
	}
	if (i == argc) {
		fputs(usage, stderr);
		return 2;
	}
	/* --json may also follow the command */
	for (int j = i + 1; j < argc; j++)
		if (!strcmp(argv[j], "--json")) {
			json = 1;
			memmove(&argv[j], &argv[j + 1], (argc - j) * sizeof(*argv));
			argc--;
			j--;
		}
	if (!strcmp(argv[i], "version") && i + 1 == argc)
		return cmd_version();
	if (!strcmp(argv[i], "policy"))
		return cmd_policy(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "regions"))
		return cmd_regions(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "release"))
		return cmd_release(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "top"))
		return cmd_top(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "trace"))
		return cmd_trace(argc - i - 1, argv + i + 1);
	for (size_t k = 0; k < ARRAY_SIZE(table_cmds); k++)
		if (!strcmp(argv[i], table_cmds[k].name))
			return cmd_table(&table_cmds[k], argc - i - 1, argv + i + 1);
	fprintf(stderr, "kvmxctl: unknown command '%s'\n%s", argv[i], usage);
	return 2;
}
