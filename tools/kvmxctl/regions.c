// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl regions add|list|show|remove: in-kernel MMIO and port-I/O regions
 * of a running VMM's VM. Regions added here belong to the session kvmxctl
 * keeps for the VM (hold.c): they serve until removed, released, or the
 * VMM exits.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "kvmxctl.h"
#ifdef KVMXCTL_BPF
#include "kvmx_bpf_load.h"
#endif

static const char * const mode_names[] = {
	[KVMX_MODE_DOORBELL] = "doorbell", [KVMX_MODE_BANK] = "bank",
	[KVMX_MODE_LOG] = "log", [KVMX_MODE_DISCARD] = "discard",
	[KVMX_MODE_WINDOW] = "window", [KVMX_MODE_PROGRAM] = "program",
};

static int parse_u64_arg(const char *s, const char *what, __u64 *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (!*s || *s == '-' || *end || errno)
		return die("bad %s", what), -1;
	return 0;
}

/* 1,2,4,8 or all */
static int parse_sizes(const char *s, __u32 *out)
{
	char *copy = strdup(s), *tok, *save;
	int ret = 0;

	*out = 0;
	if (!strcmp(s, "all")) {
		*out = KVMX_SIZES_ALL;
		free(copy);
		return 0;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "1") && strcmp(tok, "2") && strcmp(tok, "4") && strcmp(tok, "8")) {
			ret = die("bad --sizes '%s' (1,2,4,8 or all)", s);
			break;
		}
		*out |= atoi(tok);
	}
	free(copy);
	return ret ? -1 : 0;
}

struct region_args {
	const char *sub;
	bool have_id;
	__u64 id;
	const char *prog;	/* PROGRAM: the BPF object */
	struct kvmx_region r;
};

/* regions add's options into a struct kvmx_region; show/remove's id */
static int region_opt(void *ctx, const char *o, const char *v)
{
	struct region_args *a = ctx;
	struct kvmx_region *r = &a->r;
	bool add = !strcmp(a->sub, "add");
	int bad = 0;
	__u64 n;
	size_t m;

	if (!add && !a->have_id && o[0] != '-' && strcmp(a->sub, "list")) {
		a->have_id = true;
		return parse_u64_arg(o, "region id", &a->id) ? OPT_BAD : OPT_FLAG;
	}
	if (!add)
		return OPT_UNKNOWN;
	if (!strcmp(o, "--pio")) {
		r->flags |= KVMX_REGION_PIO;
		return OPT_FLAG;
	}
	if (!strcmp(o, "--log-drop")) {
		r->flags |= KVMX_REGION_LOG_DROP;
		return OPT_FLAG;
	}
	if (!strcmp(o, "--fast")) {
		r->flags |= KVMX_REGION_FAST_MMIO;
		return OPT_FLAG;
	}
	if (!v)
		return OPT_UNKNOWN;
	if (!strcmp(o, "--addr")) {
		bad = parse_u64_arg(v, o, &r->addr);
	} else if (!strcmp(o, "--size")) {
		bad = parse_u64_arg(v, o, &r->size);
	} else if (!strcmp(o, "--mode")) {
		for (m = 1; m < ARRAY_SIZE(mode_names); m++)
			if (!strcmp(v, mode_names[m]))
				break;
		if (m == ARRAY_SIZE(mode_names)) {
			fprintf(stderr, "kvmxctl: unknown mode '%s' (%s)\n", v,
				"doorbell, bank, log, discard, window, program");
			return OPT_BAD;
		}
		r->mode = m;
	} else if (!strcmp(o, "--sizes")) {
		bad = parse_sizes(v, &r->access_sizes);
	} else if (!strcmp(o, "--datamatch")) {
		bad = parse_u64_arg(v, o, &r->datamatch);
		r->flags |= KVMX_REGION_DATAMATCH;
	} else if (!strcmp(o, "--log-records")) {
		bad = parse_u64_arg(v, o, &n);
		r->log_records = n;
	} else if (!strcmp(o, "--prog")) {
		a->prog = v;
	} else {
		return OPT_UNKNOWN;
	}
	return bad ? OPT_BAD : OPT_VALUE;
}

static const struct cmd_opt region_opts[] = {
	{ "--addr", 0, true }, { "--size", 0, true }, { "--mode", 0, true },
	{ "--sizes", 0, true }, { "--datamatch", 0, true }, { "--log-records", 0, true },
	{ "--prog", 0, true },
	{ "--pio", 0, false }, { "--log-drop", 0, false }, { "--fast", 0, false },
	{ NULL },
};

/* 0, or 2 for bad usage (the message printed) */
static int parse_region_args(const char *sub, int argc, char **argv, struct target *t,
			     struct region_args *a)
{
	bool want_id = !strcmp(sub, "show") || !strcmp(sub, "remove"), prog;
	char name[32];
	int ret;

	*a = (struct region_args){ .sub = sub, .r = { .eventfd = -1,
						      .access_sizes = KVMX_SIZES_ALL } };
	snprintf(name, sizeof(name), "regions %s", sub);
	ret = parse_opts(name, argc, argv, t, region_opts, region_opt, a);
	if (ret)
		return ret;
	if (want_id && !a->have_id) {
		fprintf(stderr, "kvmxctl: regions %s needs a region id\n", sub);
		return 2;
	}
	if (!strcmp(sub, "add") && (!a->r.mode || !a->r.size)) {
		fprintf(stderr, "kvmxctl: regions add needs --addr, --size and --mode\n");
		return 2;
	}
	prog = a->r.mode == KVMX_MODE_PROGRAM;
	if (a->r.mode == KVMX_MODE_WINDOW)
		a->r.access_sizes = 0;
	if (a->r.mode == KVMX_MODE_LOG) {
		a->r.log_records = a->r.log_records ?: 256;
		a->r.log_watermark = a->r.log_records;
	}
	/* a program region's ring is optional */
	if (prog)
		a->r.log_watermark = a->r.log_records;
	if (prog != !!a->prog) {
		fprintf(stderr, "kvmxctl: %s\n",
			"--prog FILE.o goes with --mode program, and it needs one");
		return 2;
	}
	return 0;
}

/*
 * Load the BPF object @path and attach its struct kvmx_ops, for session
 * @s: *@link_fd is the link a region or policy names, which then holds
 * it, so kvmxctl closes its own fds (prog_close()) once the call is made.
 * 0, or 1 after a message.
 */
int prog_load(int s, const char *path, __s32 *link_fd, void **handle)
{
#ifdef KVMXCTL_BPF
	struct kvmx_bpf *b;
	int ret;

	/* before libbpf looks for struct kvmx_ops in a kernel that has none */
	if (ioctl(s, KVMX_CHECK_EXTENSION, KVMX_CAP_BPF) != 1)
		return die("no KVMX_CAP_BPF: kvmx runs BPF on 6.10+ with the JIT, module BTF");
	b = calloc(1, sizeof(*b));
	if (!b)
		return die("out of memory");
	ret = kvmx_bpf_open(b, path, NULL);
	if (ret) {
		fprintf(stderr, "%s", b->log);
		free(b);
		return die_err(-ret, "loading %s", path);
	}
	*link_fd = b->link_fd;
	*handle = b;
	return 0;
#else
	return die("built without libbpf: no --prog (make tools builds it with)");
#endif
}

void prog_close(void *handle)
{
#ifdef KVMXCTL_BPF
	if (handle)
		kvmx_bpf_close(handle);
	free(handle);
#endif
}

/*
 * The VM's regions, with the mmap offsets of the session's own
 * (KVMX_REGION_LIST_MMAP); from a module before API 1.7, which has no such
 * flag, without, the offset then being what those modules use (id << 24).
 * Returns the entries (*@n of them), NULL after a message.
 */
static struct kvmx_region_mmap_info *list_regions(int s, __u32 *n)
{
	const size_t hdr = sizeof(struct kvmx_region_list);
	size_t esz = sizeof(struct kvmx_region_mmap_info), size = hdr + 64 * esz;
	struct kvmx_region_mmap_info *e;
	struct kvmx_region_list *l;
	__u32 flags = KVMX_REGION_LIST_MMAP, i;

	for (;;) {
		l = calloc(1, size);
		if (!l)
			return NULL;
		*l = (struct kvmx_region_list){ .argsz = size, .flags = flags };
		if (ioctl(s, KVMX_REGION_LIST, l)) {
			free(l);
			if (errno == EINVAL && flags) {
				flags = 0;
				esz = sizeof(struct kvmx_region_info);
				continue;
			}
			die_err(errno, "KVMX_REGION_LIST");
			return NULL;
		}
		if (!(l->flags & KVMX_TABLE_TRUNCATED))
			break;
		size = l->argsz + 64 * esz;
		free(l);
	}
	*n = l->nr_entries;
	e = calloc(*n ?: 1, sizeof(*e));
	for (i = 0; e && i < *n; i++) {
		if (flags) {
			e[i] = ((struct kvmx_region_mmap_info *)l->entries)[i];
			continue;
		}
		e[i].info = l->entries[i];
		if ((e[i].info.flags & KVMX_REGION_MINE) && e[i].info.mode == KVMX_MODE_BANK) {
			e[i].mmap_offset = (__u64)e[i].info.id << 24;
			e[i].mmap_size = (e[i].info.size + 4095) & ~4095ull;
		}
	}
	free(l);
	return e;
}

static void print_region(const struct kvmx_region_info *e, bool first)
{
	const char *mode = e->mode < ARRAY_SIZE(mode_names) ? mode_names[e->mode] : "?";

	if (json) {
		printf("%s{\"id\":%u,\"mode\":\"%s\",\"pio\":%s,\"kvmxctl\":%s,",
		       first ? "" : ",", e->id, mode,
		       e->flags & KVMX_REGION_PIO ? "true" : "false",
		       e->flags & KVMX_REGION_MINE ? "true" : "false");
		printf("\"addr\":%llu,\"size\":%llu,\"reads\":%llu,\"writes\":%llu,\"bytes\":%llu,",
		       e->addr, e->size,
		       e->reads, e->writes,
		       e->bytes);
		printf("\"dropped\":%llu,\"fallbacks\":%llu,\"last_vcpu\":%u,\"link_id\":%u}",
		       e->dropped, e->fallbacks,
		       e->last_vcpu, e->link_id);
		return;
	}
	if (first)
		printf("%6s %-8s %-4s %18s %10s %10s %10s %10s  %s\n", "id", "mode", "bus",
		       "addr", "size", "reads", "writes", "dropped", "owner");
	printf("%6u %-8s %-4s %#18llx %#10llx %10llu %10llu %10llu  %s", e->id, mode,
	       e->flags & KVMX_REGION_PIO ? "pio" : "mmio", e->addr,
	       e->size, e->reads,
	       e->writes, e->dropped,
	       e->flags & KVMX_REGION_MINE ? "kvmxctl" : "other session");
	/* bpftool link show id N: the program */
	if (e->mode == KVMX_MODE_PROGRAM)
		printf(e->link_id ? " (BPF link %u)" : " (BPF link detached)", e->link_id);
	printf("\n");
}

/* BANK registers, as the guest reads them */
static void dump_bank(int s, const struct kvmx_region_mmap_info *m)
{
	const struct kvmx_region_info *e = &m->info;
	size_t len = (e->size + 4095) & ~4095ull, i;
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, s, (off_t)m->mmap_offset);
	if (p == MAP_FAILED)
		return;
	for (i = 0; i < e->size && i < 256; i++)
		printf("%s%02x", i % 16 ? " " : i ? "\n  " : "  ", p[i]);
	printf("\n");
	munmap(p, len);
}

static int cmd_regions_list(int s, const struct target *t, const struct region_args *a,
			    bool one)
{
	struct kvmx_region_mmap_info *l;
	bool found = false;
	__u32 i, n;

	l = list_regions(s, &n);
	if (!l)
		return 1;
	if (json && !one)
		printf("[");
	for (i = 0; i < n; i++) {
		if (one && l[i].info.id != a->id)
			continue;
		print_region(&l[i].info, !found);
		found = true;
		if (one && !json && l[i].info.mode == KVMX_MODE_BANK && l[i].mmap_size)
			dump_bank(s, &l[i]);
	}
	if (json && !one)
		printf("]");
	if (json && (found || !one))
		printf("\n");
	free(l);
	if (one && !found) {
		fprintf(stderr, "kvmxctl: process %ld's VM has no region %llu\n", t->pid,
			a->id);
		return 1;
	}
	return 0;
}

int cmd_regions(int argc, char **argv)
{
	struct region_args a;
	struct target t;
	const char *sub;
	int s, ret, efd = -1;

	if (argc < 1 || (strcmp(argv[0], "add") && strcmp(argv[0], "list") &&
			 strcmp(argv[0], "show") && strcmp(argv[0], "remove"))) {
		fprintf(stderr, "kvmxctl: regions needs add, list, show or remove\n");
		return 2;
	}
	sub = argv[0];
	ret = parse_region_args(sub, argc - 1, argv + 1, &t, &a);
	if (ret)
		return ret;
	/* reading needs any session; changing, kvmxctl's own for the VM */
	if (!strcmp(sub, "list") || !strcmp(sub, "show"))
		s = held_session_if_any(t.pid, t.vm_fd);
	else
		s = held_session(t.pid, t.vm_fd);
	if (s < 0)
		return 1;
	if (!strcmp(sub, "list") || !strcmp(sub, "show")) {
		ret = cmd_regions_list(s, &t, &a, !strcmp(sub, "show"));
	} else if (!strcmp(sub, "remove")) {
		ret = 0;
		char id[24];

		snprintf(id, sizeof(id), "%llu", a.id);
		if (ioctl(s, KVMX_REGION_DEL, (unsigned long)a.id)) {
			ret = errno == ENOENT ?
				die("no region %s added by kvmxctl (regions list shows owners)",
				    id) :
				die_err(errno, "KVMX_REGION_DEL");
		} else {
			printf("region %llu removed\n", a.id);
		}
	} else {
		void *prog = NULL;

		/* a doorbell signals an eventfd: the region keeps it alive */
		if (a.r.mode == KVMX_MODE_DOORBELL) {
			efd = eventfd(0, EFD_CLOEXEC);
			a.r.eventfd = efd;
		}
		a.r.argsz = sizeof(a.r);
		ret = a.prog ? prog_load(s, a.prog, &a.r.link_fd, &prog) : 0;
		if (!ret && ioctl(s, KVMX_REGION_ADD, &a.r))
			ret = die_err(errno, "KVMX_REGION_ADD");
		else if (json)
			printf("{\"id\":%u}\n", a.r.id);
		else
			printf("region %u added: %s at %#llx+%#llx; %s\n", a.r.id,
			       mode_names[a.r.mode], a.r.addr,
			       a.r.size,
			       "it serves until removed, released or the VMM exits");
		if (efd >= 0)
			close(efd);
		prog_close(prog);
	}
	close(s);
	return ret;
}
