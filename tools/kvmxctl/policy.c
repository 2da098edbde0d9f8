// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl policy show|set|clear: the exit policy of a running VMM's VM.
 *
 * A policy lasts as long as the kvmx session that set it. So "set" leaves a
 * holder behind: a child process that keeps the session open until the VMM
 * exits (it polls a pidfd of the VMM), or until a later "set" or "clear" of
 * the same VM replaces the policy and stops it. The holder's pid is kept in
 * /run/kvmxctl/policy-<pid>-<vm fd>.pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "kvmxctl.h"

static const char * const action_names[] = { "forward", "discard", "inject" };
static const char * const class_action_names[] = { "count", "sample", "notify" };

static int parse_action(const char *s, const char *what, __u32 *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(action_names); i++)
		if (!strcmp(s, action_names[i])) {
			*out = i;
			return 0;
		}
	fprintf(stderr, "kvmxctl: %s: unknown action '%s' (forward, discard, inject)\n", what, s);
	return -1;
}

static int parse_u64(const char *s, __u64 *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return !*s || *s == '-' || errno || (*end && *end != ':') ? -1 : (int)(end - s);
}

/* ADDR:SIZE (each decimal or 0x hex) */
static int parse_range(const char *s, const char *what, struct kvmx_policy_range *r)
{
	int n = parse_u64(s, &r->addr);

	if (n < 0 || s[n] != ':' || parse_u64(s + n + 1, &r->size) < 0 ||
	    strchr(s + n + 1, ':') || !r->size) {
		fprintf(stderr, "kvmxctl: %s: bad range '%s' (ADDR:SIZE)\n", what, s);
		return -1;
	}
	return 0;
}

/* CLASS:N, CLASS an exit class name */
static int parse_sample(const char *s, struct kvmx_policy *p)
{
	const char *colon = strchr(s, ':');
	unsigned int c;
	long n;

	for (c = 0; colon && c < KVMX_EXIT_NR_CLASSES; c++)
		if (strlen(kvmx_class_name(c)) == (size_t)(colon - s) &&
		    !strncmp(s, kvmx_class_name(c), colon - s))
			break;
	if (!colon || c == KVMX_EXIT_NR_CLASSES) {
		fprintf(stderr, "kvmxctl: --sample: bad '%s' (CLASS:N, CLASS one of", s);
		for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++)
			fprintf(stderr, " %s", kvmx_class_name(c));
		fprintf(stderr, ")\n");
		return -1;
	}
	if (parse_int(colon + 1, "--sample N", &n))
		return -1;
	if (!n) {
		die("%s", "--sample: N must be at least 1", 0);
		return -1;
	}
	p->classes[c] = (struct kvmx_class_policy){ .action = KVMX_CLASS_SAMPLE, .n = n };
	return 0;
}

struct policy_args {
	long pid, vm_fd;
	struct kvmx_policy p;
};

/* 0, or 2 for bad usage (the message printed) */
static int parse_policy_args(const char *sub, int argc, char **argv, struct policy_args *a)
{
	bool set = !strcmp(sub, "set");
	struct kvmx_policy *p = &a->p;
	int i;

	memset(a, 0, sizeof(*a));
	a->pid = -1;
	a->vm_fd = -1;
	for (i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(o, "--pid") && v) {
			bad = parse_int(v, "--pid", &a->pid);
		} else if (!strcmp(o, "--vm-fd") && v) {
			bad = parse_int(v, "--vm-fd", &a->vm_fd);
		} else if (set && !strcmp(o, "--mmio") && v) {
			bad = parse_action(v, o, &p->mmio);
		} else if (set && !strcmp(o, "--pio") && v) {
			bad = parse_action(v, o, &p->pio);
		} else if (set && !strcmp(o, "--unbacked") && v) {
			bad = parse_action(v, o, &p->unbacked);
		} else if (set && (!strcmp(o, "--range") || !strcmp(o, "--port-range")) && v) {
			if (p->nr_ranges == KVMX_POLICY_MAX_RANGES) {
				fprintf(stderr, "kvmxctl: at most %d ranges\n",
					KVMX_POLICY_MAX_RANGES);
				return 2;
			}
			bad = parse_range(v, o, &p->ranges[p->nr_ranges]);
			if (o[2] == 'p')
				p->ranges[p->nr_ranges].flags = KVMX_RANGE_PIO;
			p->nr_ranges++;
		} else if (set && !strcmp(o, "--sample") && v) {
			bad = parse_sample(v, p);
		} else {
			fprintf(stderr, "kvmxctl: policy %s: unexpected '%s' (kvmxctl --help)\n",
				sub, o);
			return 2;
		}
		if (bad)
			return 2;
		i++;
	}
	if (a->pid < 0) {
		fprintf(stderr, "kvmxctl: policy %s needs --pid\n", sub);
		return 2;
	}
	return 0;
}

/* -- show ------------------------------------------------------------------- */

static void print_policy_json(const struct kvmx_policy *p)
{
	unsigned int i;

	printf("{\"mine\":%s,\"mmio\":\"%s\",\"pio\":\"%s\",\"unbacked\":\"%s\",\"ranges\":[",
	       p->flags & KVMX_POLICY_MINE ? "true" : "false", action_names[p->mmio],
	       action_names[p->pio], action_names[p->unbacked]);
	for (i = 0; i < p->nr_ranges; i++)
		printf("%s{\"addr\":%llu,\"size\":%llu,\"pio\":%s}", i ? "," : "",
		       (unsigned long long)p->ranges[i].addr,
		       (unsigned long long)p->ranges[i].size,
		       p->ranges[i].flags & KVMX_RANGE_PIO ? "true" : "false");
	printf("],\"classes\":[");
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		printf("%s{\"class\":\"%s\",\"action\":\"%s\",\"n\":%u,\"notified\":%llu}",
		       i ? "," : "", kvmx_class_name(i), class_action_names[p->classes[i].action],
		       p->classes[i].n, (unsigned long long)p->notified[i]);
	printf("],\"mmio_discarded\":%llu,\"mmio_injected\":%llu,",
	       (unsigned long long)p->mmio_discarded, (unsigned long long)p->mmio_injected);
	printf("\"pio_discarded\":%llu,\"unbacked_injected\":%llu}\n",
	       (unsigned long long)p->pio_discarded, (unsigned long long)p->unbacked_injected);
}

static void print_policy_table(const struct kvmx_policy *p)
{
	unsigned int i;

	printf("%-22s %-8s %s\n", "unclaimed MMIO", action_names[p->mmio],
	       p->mmio ? "" : "(exit to the VMM)");
	printf("%-22s %-8s %s\n", "unclaimed port I/O", action_names[p->pio],
	       p->pio ? "" : "(exit to the VMM)");
	printf("%-22s %-8s\n", "unbacked faults", action_names[p->unbacked]);
	for (i = 0; i < p->nr_ranges; i++)
		printf("  %s range 0x%llx+0x%llx\n",
		       p->ranges[i].flags & KVMX_RANGE_PIO ? "port" : "MMIO",
		       (unsigned long long)p->ranges[i].addr,
		       (unsigned long long)p->ranges[i].size);
	if (!p->nr_ranges && (p->mmio || p->pio))
		printf("  at every address\n");
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (p->classes[i].action)
			printf("class %-16s %s 1 in %u (notified %llu)\n", kvmx_class_name(i),
			       class_action_names[p->classes[i].action], p->classes[i].n,
			       (unsigned long long)p->notified[i]);
	printf("counted: %llu MMIO discarded, %llu MMIO injected, %llu port discarded, ",
	       (unsigned long long)p->mmio_discarded, (unsigned long long)p->mmio_injected,
	       (unsigned long long)p->pio_discarded);
	printf("%llu unbacked injected\n", (unsigned long long)p->unbacked_injected);
}

int cmd_policy(int argc, char **argv)
{
	struct policy_args a;
	struct kvmx_policy got;
	const char *sub;
	int s, ret;

	if (argc < 1 || (strcmp(argv[0], "show") && strcmp(argv[0], "set") &&
			 strcmp(argv[0], "clear"))) {
		fprintf(stderr, "kvmxctl: policy needs show, set or clear\n");
		return 2;
	}
	sub = argv[0];
	ret = parse_policy_args(sub, argc - 1, argv + 1, &a);
	if (ret)
		return ret;
	s = strcmp(sub, "set") ? held_session_if_any(a.pid, a.vm_fd) :
				 held_session(a.pid, a.vm_fd);
	if (s < 0)
		return 1;
	if (!strcmp(sub, "show")) {
		memset(&got, 0, sizeof(got));
		got.argsz = sizeof(got);
		if (ioctl(s, KVMX_GET_POLICY, &got))
			ret = die("%s", "KVMX_GET_POLICY", errno);
		else if (json)
			print_policy_json(&got);
		else
			print_policy_table(&got);
		close(s);
		return ret;
	}
	a.p.argsz = sizeof(a.p);
	ret = ioctl(s, KVMX_SET_POLICY, &a.p) ? errno : 0;
	close(s);
	if (ret) {
#ifdef __x86_64__
		if (ret == EINVAL && (a.p.mmio == KVMX_POLICY_INJECT || a.p.unbacked))
			return die("%s", "inject: x86 has no bus error to inject", 0);
#endif
		return die("%s", "KVMX_SET_POLICY", ret);
	}
	if (!strcmp(sub, "clear"))
		printf("policy of process %ld cleared\n", a.pid);
	else
		printf("policy set on process %ld: %s\n", a.pid,
		       "it lasts until cleared, released or the VMM exits");
	return 0;
}
