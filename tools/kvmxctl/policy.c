// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl policy show|set|clear: the exit policy of a running VMM's VM.
 *
 * A policy lasts as long as the kvmx session that set it: "set" uses the
 * VM's holder session (hold.c, started if there is none), which keeps it
 * until the VMM exits or closes the VM, or `kvmxctl release`. "clear" (the
 * default policy) and "show" use the holder's session if there is one,
 * else a session of their own.
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
		if (strlen(name_class(c)) == (size_t)(colon - s) &&
		    !strncmp(s, name_class(c), colon - s))
			break;
	if (!colon || c == KVMX_EXIT_NR_CLASSES) {
		fprintf(stderr, "kvmxctl: --sample: bad '%s' (CLASS:N, CLASS one of", s);
		for (c = 0; c < KVMX_EXIT_NR_CLASSES; c++)
			fprintf(stderr, " %s", name_class(c));
		fprintf(stderr, ")\n");
		return -1;
	}
	if (parse_int(colon + 1, "--sample N", &n))
		return -1;
	if (!n) {
		die("--sample: N must be at least 1");
		return -1;
	}
	p->classes[c] = (struct kvmx_class_policy){ .action = KVMX_CLASS_SAMPLE, .n = n };
	return 0;
}

struct policy_args {
	struct kvmx_policy p;
	const char *prog;	/* --prog: the BPF object of an exit program */
};

/* policy set's options into a struct kvmx_policy */
static int policy_opt(void *ctx, const char *o, const char *v)
{
	struct policy_args *a = ctx;
	struct kvmx_policy *p = &a->p;
	int bad = 0;

	if (!v)
		return OPT_UNKNOWN;
	if (!strcmp(o, "--prog")) {
		a->prog = v;
	} else if (!strcmp(o, "--mmio")) {
		bad = parse_action(v, o, &p->mmio);
	} else if (!strcmp(o, "--pio")) {
		bad = parse_action(v, o, &p->pio);
	} else if (!strcmp(o, "--unbacked")) {
		bad = parse_action(v, o, &p->unbacked);
	} else if (!strcmp(o, "--range") || !strcmp(o, "--port-range")) {
		if (p->nr_ranges == KVMX_POLICY_MAX_RANGES) {
			fprintf(stderr, "kvmxctl: at most %d ranges\n", KVMX_POLICY_MAX_RANGES);
			return OPT_BAD;
		}
		bad = parse_range(v, o, &p->ranges[p->nr_ranges]);
		if (o[2] == 'p')
			p->ranges[p->nr_ranges].flags = KVMX_RANGE_PIO;
		p->nr_ranges++;
	} else if (!strcmp(o, "--sample")) {
		bad = parse_sample(v, p);
	} else {
		return OPT_UNKNOWN;
	}
	return bad ? OPT_BAD : OPT_VALUE;
}

static const struct cmd_opt policy_opts[] = {
	{ "--mmio", 0, true }, { "--pio", 0, true }, { "--unbacked", 0, true },
	{ "--range", 0, true }, { "--port-range", 0, true }, { "--sample", 0, true },
	{ "--prog", 0, true }, { NULL },
};

/* -- show ------------------------------------------------------------------- */

static void print_policy_json(const struct kvmx_policy *p)
{
	unsigned int i;

	printf("{\"mine\":%s,\"mmio\":\"%s\",\"pio\":\"%s\",\"unbacked\":\"%s\",\"ranges\":[",
	       p->flags & KVMX_POLICY_MINE ? "true" : "false", action_names[p->mmio],
	       action_names[p->pio], action_names[p->unbacked]);
	for (i = 0; i < p->nr_ranges; i++)
		printf("%s{\"addr\":%llu,\"size\":%llu,\"pio\":%s}", i ? "," : "",
		       p->ranges[i].addr,
		       p->ranges[i].size,
		       p->ranges[i].flags & KVMX_RANGE_PIO ? "true" : "false");
	printf("],\"classes\":[");
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		printf("%s{\"class\":\"%s\",\"action\":\"%s\",\"n\":%u,\"notified\":%llu}",
		       i ? "," : "", name_class(i), class_action_names[p->classes[i].action],
		       p->classes[i].n, p->notified[i]);
	printf("],\"mmio_discarded\":%llu,\"mmio_injected\":%llu,",
	       p->mmio_discarded, p->mmio_injected);
	printf("\"pio_discarded\":%llu,\"unbacked_injected\":%llu,",
	       p->pio_discarded, p->unbacked_injected);
	printf("\"program\":%s,\"prog_link_id\":%u,\"prog_classes\":[",
	       p->flags & KVMX_POLICY_PROGRAM ? "true" : "false", p->prog_link_id);
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (p->prog_classes & (1u << i))
			printf("%s\"%s\"", p->prog_classes & ((1u << i) - 1) ? "," : "",
			       name_class(i));
	printf("],\"prog_calls\":%llu,\"prog_refused\":%llu}\n", p->prog_calls,
	       p->prog_refused);
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
		       p->ranges[i].addr,
		       p->ranges[i].size);
	if (!p->nr_ranges && (p->mmio || p->pio))
		printf("  at every address\n");
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (p->classes[i].action)
			printf("class %-16s %s 1 in %u (notified %llu)\n", name_class(i),
			       class_action_names[p->classes[i].action], p->classes[i].n,
			       p->notified[i]);
	printf("counted: %llu MMIO discarded, %llu MMIO injected, %llu port discarded, ",
	       p->mmio_discarded, p->mmio_injected,
	       p->pio_discarded);
	printf("%llu unbacked injected\n", p->unbacked_injected);
	if (!(p->flags & KVMX_POLICY_PROGRAM))
		return;
	printf("program: BPF link %u%s decides", p->prog_link_id,
	       p->prog_link_id ? "" : " (detached)");
	for (i = 0; i < KVMX_EXIT_NR_CLASSES; i++)
		if (p->prog_classes & (1u << i))
			printf(" %s", name_class(i));
	printf("; %llu calls, %llu decisions refused\n", p->prog_calls, p->prog_refused);
}

int cmd_policy(int argc, char **argv)
{
	struct policy_args a = {};
	struct kvmx_policy *p = &a.p, got;
	void *prog = NULL;
	char name[32];
	struct target t;
	const char *sub;
	int s, ret;

	if (argc < 1 || (strcmp(argv[0], "show") && strcmp(argv[0], "set") &&
			 strcmp(argv[0], "clear"))) {
		fprintf(stderr, "kvmxctl: policy needs show, set or clear\n");
		return 2;
	}
	sub = argv[0];
	snprintf(name, sizeof(name), "policy %s", sub);
	ret = parse_opts(name, argc - 1, argv + 1, &t, policy_opts,
			 strcmp(sub, "set") ? NULL : policy_opt,
			 &a);
	if (ret)
		return ret;
	s = strcmp(sub, "set") ? held_session_if_any(t.pid, t.vm_fd) :
				 held_session(t.pid, t.vm_fd);
	if (s < 0)
		return 1;
	if (!strcmp(sub, "show")) {
		memset(&got, 0, sizeof(got));
		got.argsz = sizeof(got);
		if (ioctl(s, KVMX_GET_POLICY, &got))
			ret = die_err(errno, "KVMX_GET_POLICY");
		else if (json)
			print_policy_json(&got);
		else
			print_policy_table(&got);
		close(s);
		return ret;
	}
	p->argsz = sizeof(*p);
	/* an exit program: the policy holds its link */
	if (a.prog) {
		if (prog_load(s, a.prog, &p->link_fd, &prog)) {
			close(s);
			return 1;
		}
		p->flags = KVMX_POLICY_PROGRAM;
	}
	ret = ioctl(s, KVMX_SET_POLICY, p) ? errno : 0;
	prog_close(prog);
	close(s);
	if (ret) {
#ifdef __x86_64__
		if (ret == EINVAL && (p->mmio == KVMX_POLICY_INJECT || p->unbacked))
			return die("inject: x86 has no bus error to inject");
#endif
		if (ret == EINVAL && a.prog)
			return die_err(ret, "KVMX_SET_POLICY (--prog: %s)",
				       "a struct kvmx_ops with exit() and exit_classes");
		return die_err(ret, "KVMX_SET_POLICY");
	}
	if (!strcmp(sub, "clear"))
		printf("policy of process %ld cleared\n", t.pid);
	else
		printf("policy set on process %ld: %s\n", t.pid,
		       "it lasts until cleared, released or the VMM exits");
	return 0;
}
