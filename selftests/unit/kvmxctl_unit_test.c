// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl's argument and output code on the host, without /dev/kvmx: every
 * malformed command line gets exit status 2 and a message naming the
 * problem before anything is opened; --help succeeds; the Prometheus
 * output of a known stats table is exact, and so is the exporter's sum of
 * the reads before and after a reset. kvmxctl's sources are built in with
 * its main() renamed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "kselftest_harness.h"
#include "../../tools/kvmxctl/kvmxctl.h"

int kvmxctl_main(int argc, char **argv);

static char out[1 << 16], err[4096];

/* Run kvmxctl with the arguments given (NULL-terminated); capture its output. */
static int run(const char *arg0, ...)
{
	FILE *o = tmpfile(), *e = tmpfile();
	int so = dup(1), se = dup(2), argc = 1, ret;
	char *argv[32] = { "kvmxctl" };
	const char *a = arg0;
	va_list ap;
	size_t n;

	va_start(ap, arg0);
	for (; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = strdup(a);
	va_end(ap);
	argv[argc] = NULL;
	json = 0;
	fflush(stdout);
	fflush(stderr);
	dup2(fileno(o), 1);
	dup2(fileno(e), 2);
	ret = kvmxctl_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	rewind(o);
	rewind(e);
	n = fread(out, 1, sizeof(out) - 1, o);
	out[n] = 0;
	n = fread(err, 1, sizeof(err) - 1, e);
	err[n] = 0;
	fclose(o);
	fclose(e);
	return ret;
}

#define EXPECT_USAGE(msg, ...) do {					\
		EXPECT_EQ(2, run(__VA_ARGS__, NULL));			\
		EXPECT_NE(NULL, strstr(err, msg)) TH_LOG("stderr: %s", err); \
	} while (0)

TEST(help)
{
	EXPECT_EQ(0, run("--help", NULL));
	EXPECT_NE(NULL, strstr(out, "usage: kvmxctl"));
	EXPECT_NE(NULL, strstr(out, "regions add"));
	EXPECT_NE(NULL, strstr(out, "--prometheus"));
	EXPECT_EQ(2, run(NULL));
}

TEST(bad_command_lines)
{
	EXPECT_USAGE("unknown command 'frob'", "frob");
	EXPECT_USAGE("bad --pid", "stats", "--pid", "12x");
	EXPECT_USAGE("bad --pid", "stats", "--pid", "-1");
	EXPECT_USAGE("bad --pid", "stats", "--pid", "99999999999");
	EXPECT_USAGE("trace needs --pid", "trace");
	EXPECT_USAGE("--vm-fd needs --pid", "stats", "--vm-fd", "3");
	EXPECT_USAGE("interval must be at least 1", "stats", "--interval", "0");
	EXPECT_USAGE("unexpected '--hist'", "faults", "--hist");
	EXPECT_USAGE("unexpected '-g'", "trace", "--pid", "1", "-g", "x");
	EXPECT_USAGE("bad --listen 'nope'", "exporter", "--listen", "nope");
	EXPECT_USAGE("port 1-65535", "exporter", "--listen", "127.0.0.1:0");
	EXPECT_USAGE("bad --listen '::1:80'", "exporter", "--listen", "::1:80");
	EXPECT_USAGE("at least 1 s", "exporter", "--interval", "0");
	EXPECT_USAGE("not --pid", "exporter", "--pid", "1");
	EXPECT_USAGE("version: unexpected 'x'", "version", "x");
	EXPECT_USAGE("unexpected '--prometheus'", "faults", "--pid", "1", "--prometheus");
	EXPECT_USAGE("needs show, set or clear", "policy", "frob");
	EXPECT_USAGE("unknown action 'drop'", "policy", "set", "--pid", "1", "--mmio", "drop");
	EXPECT_USAGE("bad range '5'", "policy", "set", "--pid", "1", "--range", "5");
	EXPECT_USAGE("bad range '5:'", "policy", "set", "--pid", "1", "--range", "5:");
	EXPECT_USAGE("bad range '5:0'", "policy", "set", "--pid", "1", "--range", "5:0");
	EXPECT_USAGE("bad range '1:2:3'", "policy", "set", "--pid", "1", "--range", "1:2:3");
	EXPECT_USAGE("--sample: bad 'mmio'", "policy", "set", "--pid", "1", "--sample", "mmio");
	EXPECT_USAGE("N must be at least 1", "policy", "set", "--pid", "1", "--sample", "mmio:0");
	EXPECT_USAGE("unexpected '--mmio'", "policy", "show", "--pid", "1", "--mmio", "discard");
	EXPECT_USAGE("needs add, list, show or remove", "regions");
	EXPECT_USAGE("unknown mode 'frob'", "regions", "add", "--pid", "1", "--addr", "0",
		     "--size", "4", "--mode", "frob");
	EXPECT_USAGE("needs --addr, --size and --mode", "regions", "add", "--pid", "1");
	EXPECT_USAGE("bad --sizes '3'", "regions", "add", "--pid", "1", "--addr", "0",
		     "--size", "4", "--mode", "bank", "--sizes", "3");
	EXPECT_USAGE("bad --addr", "regions", "add", "--pid", "1", "--addr", "0xg",
		     "--size", "4", "--mode", "bank");
	EXPECT_USAGE("needs a region id", "regions", "show", "--pid", "1");
	EXPECT_USAGE("bad region id", "regions", "remove", "--pid", "1", "x");
	EXPECT_USAGE("release needs --pid", "release");
	EXPECT_USAGE("unexpected '--frob'", "release", "--pid", "1", "--frob");
	EXPECT_USAGE("regions list: unexpected '3'", "regions", "list", "--pid", "1", "3");
	EXPECT_USAGE("unexpected '--reset'", "top", "--pid", "1", "--reset");
	EXPECT_USAGE("interval must be at least 1", "top", "--pid", "1", "--interval", "0");
	EXPECT_USAGE("unknown class 'frob'", "trace", "--pid", "1", "--class", "frob");
	EXPECT_USAGE("unexpected '--interval'", "trace", "--pid", "1", "--interval", "2");
	/* as getopt_long takes them: --opt=V, -oV, a missing value */
	EXPECT_USAGE("bad --pid", "stats", "--pid=12x");
	EXPECT_USAGE("bad --pid", "stats", "-p12x");
	EXPECT_USAGE("stats: --pid needs a value", "stats", "--pid");
	EXPECT_USAGE("top: -d needs a value", "top", "-1", "-d");
	EXPECT_USAGE("interval must be at least 1", "top", "-d0");
	EXPECT_USAGE("interval must be at least 1", "stats", "--interval=0");
	EXPECT_USAGE("bad --fields '('", "stats", "-f", "(");
	EXPECT_USAGE("bad --fields '[x'", "top", "--fields=[x");
	EXPECT_USAGE("unexpected '--fields'", "faults", "-f", "mmio");
	EXPECT_USAGE("unexpected '--fields'", "trace", "--pid", "1", "--fields", "mmio");
	EXPECT_USAGE("unexpected '-z'", "stats", "-z");
	EXPECT_USAGE("regions show: unexpected '7'", "regions", "show", "--pid", "1", "3", "7");
}

/* The exposition of @ps, in out[] */
static void write_set(struct prom_set *ps)
{
	FILE *o = tmpfile();
	size_t n;

	prom_write(o, ps);
	rewind(o);
	n = fread(out, 1, sizeof(out) - 1, o);
	out[n] = 0;
	fclose(o);
}

/* every string of @want in out[] */
static void expect_all(struct __test_metadata *_metadata, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strstr(out, want[i]))
			TH_LOG("missing %s in:\n%s", want[i], out);
		EXPECT_NE(NULL, strstr(out, want[i]));
	}
}

static struct {
	struct kvmx_stats st;
	struct kvmx_stat_entry e[3];
} t = {
	.st = { .nr_entries = 3, .arch = KVMX_ARCH_ARM64, .lost = 2 },
	.e = {
		{ .vcpu = KVMX_STAT_VM, .kind = KVMX_STAT_CLASS, .class = KVMX_EXIT_MMIO,
		  .count = 7, .lat_count = 7, .lat_sum_ns = 3000,
		  .lat_hist = { [8] = 3, [9] = 4 } },
		{ .vcpu = 0, .kind = KVMX_STAT_CLASS, .class = KVMX_EXIT_MMIO, .count = 7 },
		{ .vcpu = KVMX_STAT_VM, .kind = KVMX_STAT_RAW, .raw = 0x24, .count = 7 },
	},
};

/* the VMM names the guest: a quote and a backslash must not end the label */
static const struct vm_ref vm = { .pid = 42, .fd = 5, .nr_in_proc = 1, .name = "g\"1\\" };

/* A VM-wide and a vCPU entry of one class: counter, cumulative histogram. */
TEST(prometheus_output)
{
	struct prom_set ps = { 0 };

	ASSERT_EQ(0, prom_collect(&ps, &vm, &t.st, NULL));
	write_set(&ps);
	prom_free(&ps);

	static const char * const want[] = {
		"# TYPE kvmx_exits_total counter\n",
		"kvmx_exits_total{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",class=\"mmio\"} 7\n",
		"kvmx_exits_total{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"0\",class=\"mmio\"} 7\n",
		"kvmx_exits_by_reason_total{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",reason=\"",
		/* [256, 512) ns holds 3, [512, 1024) 4: cumulative */
		"vcpu=\"all\",class=\"mmio\",le=\"0.000000256\"} 0\n",
		"vcpu=\"all\",class=\"mmio\",le=\"0.000000512\"} 3\n",
		"vcpu=\"all\",class=\"mmio\",le=\"0.000001024\"} 7\n",
		"vcpu=\"all\",class=\"mmio\",le=\"+Inf\"} 7\n",
		"kvmx_exit_latency_seconds_sum{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",class=\"mmio\"} 3e-06\n",
		"kvmx_exit_latency_seconds_count{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",class=\"mmio\"} 7\n",
		"kvmx_lost_exits_total{vm=\"g\\\"1\\\\\",pid=\"42\"} 2\n",
	};
	expect_all(_metadata, want, ARRAY_SIZE(want));
	/* each family's HELP and TYPE once, before its samples */
	EXPECT_EQ(NULL, strstr(strstr(out, "# TYPE kvmx_exits_total") + 1,
			       "# TYPE kvmx_exits_total"));
	EXPECT_LT(strstr(out, "# TYPE kvmx_exits_total"), strstr(out, "kvmx_exits_total{"));
}

/*
 * The exporter's sum across a reset: the samples read before it plus those
 * after, key by key; a series only one of them has is kept.
 */
TEST(prometheus_sum_across_reset)
{
	struct prom_set before = { 0 }, after = { 0 }, acc = { 0 };

	ASSERT_EQ(0, prom_collect(&before, &vm, &t.st, NULL));
	t.e[1].count = 0;
	t.st.nr_entries = 1;		/* after the reset: only the VM's mmio, 7 again */
	ASSERT_EQ(0, prom_collect(&after, &vm, &t.st, NULL));
	t.st.nr_entries = 3;
	t.e[1].count = 7;
	prom_sort(&before);
	prom_sort(&after);
	ASSERT_EQ(0, prom_add_set(&acc, &before));
	ASSERT_EQ(0, prom_add_set(&acc, &after));
	write_set(&acc);
	static const char * const want[] = {
		"kvmx_exits_total{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",class=\"mmio\"} 14\n",
		"kvmx_exits_total{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"0\",class=\"mmio\"} 7\n",
		"vcpu=\"all\",class=\"mmio\",le=\"+Inf\"} 14\n",
		"kvmx_exit_latency_seconds_sum{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",class=\"mmio\"} 6e-06\n",
		"kvmx_exits_by_reason_total{vm=\"g\\\"1\\\\\",pid=\"42\",vcpu=\"all\",reason=\"DABT_LOW\"} 7\n",
		"kvmx_lost_exits_total{vm=\"g\\\"1\\\\\",pid=\"42\"} 4\n",
	};
	expect_all(_metadata, want, ARRAY_SIZE(want));
	prom_free(&before);
	prom_free(&after);
	prom_free(&acc);
}

/* a KVMX_GET_NAMES answer, as a newer module would give it */
static struct kvmx_names *names_of(unsigned int arch, unsigned int n,
				   const struct kvmx_name_entry *e)
{
	struct kvmx_names *t = calloc(1, sizeof(*t) + n * sizeof(*e));

	*t = (struct kvmx_names){ .arch = arch, .entry_size = sizeof(*e),
				  .nr_entries = n, .nr_total = n };
	memcpy(t->entries, e, n * sizeof(*e));
	return t;
}

TEST(names_of_a_newer_module)
{
	const struct kvmx_name_entry e[] = {
		{ KVMX_NAME_EXIT_CLASS, 0, 0, 0, "not_other" },
		{ KVMX_NAME_EXIT_CLASS, KVMX_EXIT_NR_CLASSES, 0, 0, "new_class" },
		{ KVMX_NAME_FAULT_CLASS, KVMX_FAULT_NR_CLASSES + 1, 0, 0, "new_fault" },
		{ KVMX_NAME_RAW, 0x7ff0, 0, KVMX_EXIT_NR_CLASSES, "NEW_EXIT" },
	};

	/* no module here: kvmxctl's own names, "?" or none beyond */
	EXPECT_STREQ("other", name_class(0));
	EXPECT_STREQ("?", name_class(KVMX_EXIT_NR_CLASSES));
	EXPECT_EQ(NULL, name_raw(KVMX_ARCH_ARM64, 0x7ff0));

	names_set(0, names_of(KVMX_ARCH_ARM64, 4, e));
	names_set(KVMX_ARCH_ARM64, names_of(KVMX_ARCH_ARM64, 4, e));
	/* what kvmxctl knows it names itself; what it does not, the module */
	EXPECT_STREQ("other", name_class(0));
	EXPECT_STREQ("new_class", name_class(KVMX_EXIT_NR_CLASSES));
	EXPECT_STREQ("?", name_class(KVMX_EXIT_NR_CLASSES + 1));
	EXPECT_STREQ("new_fault", name_fault_class(KVMX_FAULT_NR_CLASSES + 1));
	EXPECT_STREQ("NEW_EXIT", name_raw(KVMX_ARCH_ARM64, 0x7ff0));
	EXPECT_STREQ("DABT_LOW", name_raw(KVMX_ARCH_ARM64, 0x24));
	EXPECT_EQ(NULL, name_raw(KVMX_ARCH_X86_SVM, 0x7ff0));
	names_set(0, NULL);
	names_set(KVMX_ARCH_ARM64, NULL);
	EXPECT_STREQ("?", name_class(KVMX_EXIT_NR_CLASSES));
}

TEST_HARNESS_MAIN
