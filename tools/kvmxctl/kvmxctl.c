// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl: the kvmx userspace controller.
 *
 * Its commands (the usage text below says what they do):
 *   version, and the command table             kvmxctl.c
 *   finding the host's VMs, attaching           vms.c
 *   stats, faults                               stats.c
 *   the Prometheus format                       prom.c
 *   top, trace                                  live.c
 *   exporter                                    exporter.c
 *   policy show|set|clear                       policy.c
 *   regions add|list|show|remove                regions.c
 *   release, and the holder process             hold.c
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
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
"VM selection: -p/--pid PID [--vm-fd FD] picks the VM of process PID (--vm-fd\n"
"if it has several); stats, faults and top also take -g/--guest NAME (the\n"
"VMM's guest name: QEMU's -name, else its process name), or neither: every\n"
"VM on the host. Options as getopt_long takes them: --opt V, --opt=V, -o V.\n"
"\n"
"commands:\n"
"  version                  versions of kvmxctl's uapi and of the loaded module,\n"
"                           and the module's capabilities and limits; fails\n"
"                           if their major versions differ\n"
"  stats [VMS]              exit counts, rates and latency per exit class and\n"
"        [-d/--interval S] raw reason, VM and per vCPU. A VM no session keeps\n"
"        [--reset]          is measured for SEC (1) after attaching; a kept one\n"
"        [--hist]           (the VMM's, a holder's, the exporter's) shows totals\n"
"        [--prometheus]     since counting started, or with --interval the\n"
"        [-f/--fields RE]   difference over SEC. --hist: latency histograms as\n"
"                           bars; --prometheus: the text exposition format;\n"
"                           --reset zeroes the counters after printing; -f:\n"
"                           only classes or reasons whose name matches RE\n"
"  top [VMS]                exit rates per second by class and raw reason,\n"
"        [-d/--delay SEC]   redrawn every SEC (1); --count N: N reports, then\n"
"        [--count N] [-1]   exit (batch mode), -1/--once: one; a block per VM;\n"
"        [-f/--fields RE]   -f: only classes or reasons whose name matches RE\n"
"  faults [VMS]             stage-2 faults per class (first touch, permission,\n"
"        [--interval SEC]   MMIO in the kernel or to the VMM, unbacked, guest\n"
"        [--reset]          table walk), by access and level, and the hottest\n"
"                           4 KiB pages and 2 MiB ranges; measured as stats\n"
"  trace --pid PID          stream the event ring, a line per exit (every\n"
"        [--sample N]       N-th of each vCPU and class), --class: only\n"
"        [--class CLASS]    those classes, --faults: stage-2 faults too,\n"
"        [--faults]         --count: stop after N records\n"
"        [--count N]\n"
"  exporter                 keep a session on every VM of the host (and on\n"
"        [--listen A:P]     each new one, from KVM's uevents) and serve their\n"
"        [--textfile PATH]  counters in the Prometheus format over HTTP on\n"
"        [--interval SEC]   A:P (127.0.0.1:9848) and/or rewrite PATH every\n"
"        [-g NAME]          SEC (15); -g: only that guest\n"
"  policy show --pid PID    the VM's exit policy and its counters\n"
"  policy set --pid PID     set it. ACTION: forward, discard, inject (inject:\n"
"        [--mmio ACTION]    arm64 only; unclaimed MMIO or unbacked faults get\n"
"        [--pio ACTION]     an external abort). Ranges limit --mmio/--pio\n"
"        [--unbacked ACTION] (up to 16); --sample records 1 in N exits of\n"
"        [--range ADDR:SIZE] CLASS into event rings\n"
"        [--port-range P:N]\n"
"        [--sample CLASS:N] --prog: a BPF object whose struct kvmx_ops\n"
"        [--prog FILE.o]    exit() decides its classes' exits (6.10+)\n"
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
"exits when the VMM exits or closes the VM, or on release.\n"
"\n"
"options:\n"
"  --json     machine-readable output (JSON; a line per VM, top and trace: a\n"
"             line each)\n"
"  -h, --help this text\n";

int json;

static int vdie(int err, const char *fmt, va_list ap)
{
	fprintf(stderr, "kvmxctl: ");
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	return 1;
}

int die(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vdie(0, fmt, ap);
	va_end(ap);
	return ret;
}

int die_err(int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vdie(err, fmt, ap);
	va_end(ap);
	return ret;
}

/* @s as a JSON string: quoted; quotes, backslashes and controls escaped */
void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int open_kvmx(void)
{
	int fd = open("/dev/kvmx", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die_err(errno, "/dev/kvmx%s",
			errno == ENOENT ? " (is the kvmx module loaded?)" : "");
	return fd;
}

/* KVMX_CHECK_EXTENSION's capabilities, as kvmxctl version shows them */
static const struct {
	unsigned long cap;
	const char *name;
} caps[] = {
	{ KVMX_CAP_STATS, "stats" },
	{ KVMX_CAP_FAULTS, "faults" },
	{ KVMX_CAP_REGIONS, "regions" },
	{ KVMX_CAP_REGION_PIO, "region_pio" },
	{ KVMX_CAP_POLICY, "policy" },
	{ KVMX_CAP_POLICY_INJECT, "policy_inject" },
	{ KVMX_CAP_POLICY_PIO, "policy_pio" },
	{ KVMX_CAP_REGION_FAST_MMIO, "region_fast_mmio" },
	{ KVMX_CAP_STATS_SINCE, "stats_since" },
	{ KVMX_CAP_REGION_LIST_MMAP, "region_list_mmap" },
	{ KVMX_CAP_GET_NAMES, "get_names" },
	{ KVMX_CAP_BPF, "bpf" },
	{ KVMX_CAP_MAX_REGIONS, "max_regions" },
	{ KVMX_CAP_MAX_BUS_DEVS, "max_bus_devs" },
	{ KVMX_CAP_REGION_MAX_MAP, "region_max_map" },
	{ KVMX_CAP_RING_MAX_RECORDS, "ring_max_records" },
	{ KVMX_CAP_POLICY_MAX_RANGES, "policy_max_ranges" },
	{ KVMX_CAP_FAULT_HOT_MAX, "fault_hot_max" },
	{ KVMX_CAP_EXIT_NR_CLASSES, "exit_classes" },
	{ KVMX_CAP_FAULT_NR_CLASSES, "fault_classes" },
};

static int cmd_version(void)
{
	int fd = open_kvmx(), v, c;
	size_t i;

	if (fd < 0)
		return 1;
	v = ioctl(fd, KVMX_GET_API_VERSION, 0);
	if (v < 0) {
		close(fd);
		return die_err(errno, "KVMX_GET_API_VERSION");
	}
	if (json)
		printf("{\"uapi\":\"%u.%u\",\"module\":\"%u.%u\",\"capabilities\":{",
		       KVMX_API_MAJOR, KVMX_API_MINOR,
		       KVMX_API_VERSION_MAJOR(v), KVMX_API_VERSION_MINOR(v));
	else
		printf("kvmxctl uapi %u.%u, module api %u.%u\ncapabilities:",
		       KVMX_API_MAJOR, KVMX_API_MINOR,
		       KVMX_API_VERSION_MAJOR(v), KVMX_API_VERSION_MINOR(v));
	/* a module before 1.7 has no KVMX_CHECK_EXTENSION: ENOTTY, shown as none */
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		c = ioctl(fd, KVMX_CHECK_EXTENSION, caps[i].cap);
		if (c < 0)
			c = 0;
		if (json)
			printf("%s\"%s\":%d", i ? "," : "", caps[i].name, c);
		else if (c)
			printf(c == 1 ? " %s" : " %s=%d", caps[i].name, c);
	}
	printf(json ? "}}\n" : "\n");
	close(fd);
	if (KVMX_API_VERSION_MAJOR(v) != KVMX_API_MAJOR) {
		fprintf(stderr, "kvmxctl: module API major %u, kvmxctl speaks %u\n",
			KVMX_API_VERSION_MAJOR(v), KVMX_API_MAJOR);
		return 1;
	}
	return 0;
}

int parse_int(const char *s, const char *what, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (!*s || *end || errno || *out < 0 || *out > INT_MAX)
		return die("bad %s", what), -1;
	return 0;
}

#define MAX_OPTS	24

/* getopt_long()'s table: -p/--pid, --vm-fd, [-g/--guest], then @opts */
static void build_opts(const struct cmd_opt *opts, bool any_vm, struct option *lo,
		       char *shorts, size_t nshort)
{
	static const struct cmd_opt common[] = {
		{ "--pid", 'p', true }, { "--vm-fd", 0, true }, { "--guest", 'g', true },
	};
	const struct cmd_opt *o;
	size_t i, n = 0, k;

	/* "-": other arguments come back in order (val 1); ":": a missing value */
	k = snprintf(shorts, nshort, "-:");
	for (i = 0; i < ARRAY_SIZE(common) + MAX_OPTS; i++) {
		o = i < ARRAY_SIZE(common) ? &common[i] : &opts[i - ARRAY_SIZE(common)];
		if (i >= ARRAY_SIZE(common) && (!opts || !o->name))
			break;
		if (o == &common[2] && !any_vm)
			continue;
		lo[n] = (struct option){ o->name + 2, o->arg ? required_argument : no_argument,
					 NULL, o->short_name ?: 256 + (int)i };
		if (o->short_name && k + 3 < nshort)
			k += snprintf(shorts + k, nshort - k, o->arg ? "%c:" : "%c", o->short_name);
		n++;
	}
	lo[n] = (struct option){ 0 };
}

static int parse_args(const char *name, int argc, char **argv, struct target *t,
		      const struct cmd_opt *opts, opt_fn opt, void *ctx, bool any_vm)
{
	struct option lo[MAX_OPTS + 4];
	char shorts[2 * MAX_OPTS + 8], **av, o[64];
	int c, r, idx, ret = 2;

	*t = (struct target){ .pid = -1, .vm_fd = -1 };
	build_opts(opts, any_vm, lo, shorts, sizeof(shorts));
	/* getopt_long() wants argv[0]: the command's name */
	av = calloc(argc + 2, sizeof(*av));
	if (!av)
		return die("out of memory"), 2;
	av[0] = (char *)name;
	memcpy(av + 1, argv, argc * sizeof(*av));
	optind = 0;		/* glibc: start afresh */
	opterr = 0;		/* the messages are ours */
	for (;;) {
		idx = -1;
		c = getopt_long(argc + 1, av, shorts, lo, &idx);
		if (c == -1)
			break;
		if (c == '?') {
			fprintf(stderr, "kvmxctl: %s: unexpected '%s' (kvmxctl --help)\n", name,
				av[optind - 1]);
			goto out;
		}
		if (c == ':') {
			fprintf(stderr, "kvmxctl: %s: %s needs a value\n", name, av[optind - 1]);
			goto out;
		}
		if (c == 1) {
			/* a word that is no option: the command's, if it takes one */
			r = opt ? opt(ctx, optarg, NULL) : OPT_UNKNOWN;
			if (r == OPT_UNKNOWN) {
				fprintf(stderr, "kvmxctl: %s: unexpected '%s' (kvmxctl --help)\n",
					name, optarg);
				goto out;
			}
			if (r == OPT_BAD)
				goto out;
			continue;
		}
		/* the option by its long name, however it was written */
		if (idx < 0)
			for (idx = 0; lo[idx].name && lo[idx].val != c; idx++)
				;
		snprintf(o, sizeof(o), "--%s", lo[idx].name);
		if (c == 'p') {
			r = parse_int(optarg, "--pid", &t->pid) ? OPT_BAD : OPT_VALUE;
		} else if (!strcmp(o, "--vm-fd")) {
			r = parse_int(optarg, "--vm-fd", &t->vm_fd) ? OPT_BAD : OPT_VALUE;
		} else if (c == 'g') {
			t->guest = optarg;
			r = OPT_VALUE;
		} else {
			r = opt ? opt(ctx, o, lo[idx].has_arg ? optarg : NULL) : OPT_UNKNOWN;
		}
		if (r == OPT_BAD)
			goto out;
		if (r == OPT_UNKNOWN) {
			fprintf(stderr, "kvmxctl: %s: unexpected '%s' (kvmxctl --help)\n", name, o);
			goto out;
		}
	}
	if (t->pid < 0 && !any_vm) {
		fprintf(stderr, "kvmxctl: %s needs --pid\n", name);
		goto out;
	}
	if (t->pid < 0 && t->vm_fd >= 0) {
		fprintf(stderr, "kvmxctl: %s: --vm-fd needs --pid\n", name);
		goto out;
	}
	ret = 0;
out:
	free(av);
	return ret;
}

/**
 * parse_opts() - the arguments of a command on one VM, with getopt_long()
 * @name:	the command, for messages ("policy set", ...)
 * @argc:	arguments after the command
 * @argv:	them
 * @t:		-p/--pid and --vm-fd go here; --pid is required
 * @opts:	the command's other options, up to one with a NULL name; NULL:
 *		none
 * @opt:	each of them goes to it by its long name ("--delay", whether
 *		given as -d V, --delay V or --delay=V), with its value or NULL;
 *		and each argument that is no option, as @o with a NULL value.
 *		It returns OPT_VALUE or OPT_FLAG, OPT_BAD (its message printed)
 *		or OPT_UNKNOWN (not in this use). NULL: no others.
 * @ctx:	for @opt
 *
 * Return: 0, or 2 for bad usage, its message printed.
 */
int parse_opts(const char *name, int argc, char **argv, struct target *t,
	       const struct cmd_opt *opts, opt_fn opt, void *ctx)
{
	return parse_args(name, argc, argv, t, opts, opt, ctx, false);
}

/* parse_opts() for commands on one VM or many: --pid, -g/--guest or neither */
int parse_vm_opts(const char *name, int argc, char **argv, struct target *t,
		  const struct cmd_opt *opts, opt_fn opt, void *ctx)
{
	return parse_args(name, argc, argv, t, opts, opt, ctx, true);
}

/*
 * The VMs @t names: its --pid (and --vm-fd), else every VM of the host of
 * guest --guest, or of any guest. *@out is malloc'd. Returns how many; 0 or
 * -1 (the reason printed) if none.
 */
int target_vms(const struct target *t, struct vm_ref **out)
{
	struct vm_ref *r;
	int fd, n, unreadable, fds[MAX_VMS_PER_PROC];

	if (t->pid < 0) {
		n = list_vms(t->guest, out, &unreadable);
		if (unreadable)
			fprintf(stderr, "kvmxctl: cannot look for VMs in %d processes (%s)\n",
				unreadable, "reading /proc/PID/fd needs ptrace rights over PID");
		if (!n && t->guest)
			fprintf(stderr, "kvmxctl: no VM of guest '%s' on this host\n", t->guest);
		else if (!n)
			fprintf(stderr, "kvmxctl: no KVM VM on this host\n");
		if (n <= 0)
			free(*out);
		return n;
	}
	fd = pick_vm_fd(t->pid, t->vm_fd);
	if (fd < 0)
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return die("out of memory"), -1;
	*r = (struct vm_ref){ .pid = t->pid, .fd = fd,
			      .nr_in_proc = find_vm_fds(t->pid, fds, MAX_VMS_PER_PROC) };
	vm_name(t->pid, r->name, sizeof(r->name));
	if (t->guest && strcmp(t->guest, r->name)) {
		fprintf(stderr, "kvmxctl: process %ld runs guest '%s', not '%s'\n", t->pid,
			r->name, t->guest);
		free(r);
		return -1;
	}
	*out = r;
	return 1;
}

static int cmd_version_args(int argc, char **argv)
{
	if (argc) {
		fprintf(stderr, "kvmxctl: version: unexpected '%s'\n", argv[0]);
		return 2;
	}
	return cmd_version();
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "version", cmd_version_args },
	{ "stats", cmd_stats },
	{ "faults", cmd_faults },
	{ "top", cmd_top },
	{ "trace", cmd_trace },
	{ "policy", cmd_policy },
	{ "regions", cmd_regions },
	{ "release", cmd_release },
	{ "exporter", cmd_exporter },
};

int main(int argc, char **argv)
{
	size_t k;
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
	for (k = 0; k < ARRAY_SIZE(commands); k++)
		if (!strcmp(argv[i], commands[k].name))
			return commands[k].fn(argc - i - 1, argv + i + 1);
	fprintf(stderr, "kvmxctl: unknown command '%s'\n%s", argv[i], usage);
	return 2;
}
