// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition format (version 0.0.4) of kvmx's tables,
 * for `stats --prometheus` and the exporter.
 *
 * Samples are collected first (prom_collect(), per VM), then written family
 * by family (prom_write()), so that each family's HELP and TYPE come once
 * however many VMs there are. Labels: vm (the guest name), pid, vcpu ("all"
 * for the VM total), class, reason; counters end in _total, latency is a
 * _seconds histogram of kvmx's power-of-two buckets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "fault_decode.h"
#include "kvmxctl.h"

static const struct prom_family {
	const char *name, *type, *help;
} families[] = {
	[PROM_EXITS] = { "kvmx_exits_total", "counter", "VM exits seen by kvmx, by exit class." },
	[PROM_REASONS] = { "kvmx_exits_by_reason_total", "counter",
			   "VM exits by the arch's raw exit reason." },
	[PROM_LATENCY] = { "kvmx_exit_latency_seconds", "histogram",
			   "Time from a VM exit to the next entry." },
	[PROM_LOST] = { "kvmx_lost_exits_total", "counter",
			"Exits not counted for lack of memory." },
	[PROM_FAULTS] = { "kvmx_stage2_faults_total", "counter",
			  "Stage-2 (EPT, NPT) faults by class." },
	[PROM_FAULTS_TO_VMM] = { "kvmx_stage2_faults_to_vmm_total", "counter",
				 "Stage-2 faults after which KVM exited to the VMM." },
	[PROM_VMS] = { "kvmx_exporter_vms", "gauge", "VMs the exporter holds." },
};

static int prom_add(struct prom_set *ps, int family, const char *suffix, const char *labels,
		    double v)
{
	struct prom_sample *s;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 256;

		s = realloc(ps->s, cap * sizeof(*s));
		if (!s)
			return -1;
		ps->s = s;
		ps->cap = cap;
	}
	s = &ps->s[ps->n++];
	s->family = family;
	s->suffix = suffix;
	snprintf(s->labels, sizeof(s->labels), "%s", labels);
	s->v = v;
	s->seq = ps->seq++;
	return 0;
}

/* a label value, escaped as the format asks (backslash, quote, newline) */
static void prom_escape(char *out, size_t n, const char *v)
{
	size_t len = 0;

	for (; *v && len + 3 < n; v++) {
		if (*v == '\\' || *v == '"')
			out[len++] = '\\';
		if (*v == '\n') {
			out[len++] = '\\';
			out[len++] = 'n';
			continue;
		}
		out[len++] = *v;
	}
	out[len] = 0;
}

static void vm_labels(char *buf, size_t n, const struct vm_ref *vm, __u32 vcpu)
{
	char name[2 * sizeof(vm->name)];
	int len;

	prom_escape(name, sizeof(name), vm->name);
	len = snprintf(buf, n, "vm=\"%s\",pid=\"%ld\"", name, vm->pid);
	if (vm->nr_in_proc > 1)
		len += snprintf(buf + len, n - len, ",vm_fd=\"%d\"", vm->fd);
	if (vcpu == KVMX_STAT_VM)
		snprintf(buf + len, n - len, ",vcpu=\"all\"");
	else if (vcpu != KVMX_STAT_VM - 1)
		snprintf(buf + len, n - len, ",vcpu=\"%u\"", vcpu);
}

/* The samples of VM @vm: its exit table @st, its fault table @f if not NULL. */
int prom_collect(struct prom_set *ps, const struct vm_ref *vm, const struct kvmx_stats *st,
		 const struct kvmx_faults *f)
{
	char lbl[160], l2[224];
	int err = 0;
	__u32 i, b;

	for (i = 0; i < st->nr_entries; i++) {
		const struct kvmx_stat_entry *e = &st->entries[i];
		const char *cls = name_class(e->class), *name;
		unsigned long long cum = 0;

		vm_labels(lbl, sizeof(lbl), vm, e->vcpu);
		if (e->kind == KVMX_STAT_RAW) {
			name = name_raw(st->arch, e->raw);
			if (name)
				snprintf(l2, sizeof(l2), "%s,reason=\"%s\"", lbl, name);
			else
				snprintf(l2, sizeof(l2), "%s,reason=\"0x%x\"", lbl, e->raw);
			err |= prom_add(ps, PROM_REASONS, "", l2, e->count);
			continue;
		}
		if (e->kind != KVMX_STAT_CLASS)
			continue;
		snprintf(l2, sizeof(l2), "%s,class=\"%s\"", lbl, cls);
		err |= prom_add(ps, PROM_EXITS, "", l2, e->count);
		/* bucket b holds [2^b, 2^(b+1)) ns; the last one everything above */
		for (b = 0; b < KVMX_LAT_BUCKETS; b++) {
			char le[288];

			cum += e->lat_hist[b];
			if (b < KVMX_LAT_BUCKETS - 1)
				snprintf(le, sizeof(le), "%s,le=\"%.9f\"", l2,
					 (double)(2ull << b) / 1e9);
			else
				snprintf(le, sizeof(le), "%s,le=\"+Inf\"", l2);
			err |= prom_add(ps, PROM_LATENCY, "_bucket", le, cum);
		}
		err |= prom_add(ps, PROM_LATENCY, "_sum", l2, e->lat_sum_ns / 1e9);
		err |= prom_add(ps, PROM_LATENCY, "_count", l2, e->lat_count);
	}
	vm_labels(lbl, sizeof(lbl), vm, KVMX_STAT_VM - 1);
	err |= prom_add(ps, PROM_LOST, "", lbl, st->lost);
	for (i = 0; f && i < f->nr_entries; i++) {
		const struct kvmx_fault_entry *e = &f->entries[i];

		if (e->kind != KVMX_FAULT_KIND_CLASS)
			continue;
		vm_labels(lbl, sizeof(lbl), vm, e->vcpu);
		snprintf(l2, sizeof(l2), "%s,class=\"%s\"", lbl, name_fault_class(e->class));
		err |= prom_add(ps, PROM_FAULTS, "", l2, e->count);
		err |= prom_add(ps, PROM_FAULTS_TO_VMM, "", l2, e->to_user);
	}
	return err ? -1 : 0;
}

int prom_gauge(struct prom_set *ps, int family, double v)
{
	return prom_add(ps, family, "", "", v);
}

static int sample_cmp(const void *a, const void *b)
{
	const struct prom_sample *x = a, *y = b;
	int r;

	if (x->family != y->family)
		return x->family - y->family;
	r = strcmp(x->suffix, y->suffix);
	return r ? r : strcmp(x->labels, y->labels);
}

/* Sort @ps (by family, suffix, labels), for prom_find(). */
void prom_sort(struct prom_set *ps)
{
	if (ps->n)
		qsort(ps->s, ps->n, sizeof(*ps->s), sample_cmp);
}

/* @key's sample in the sorted @ps, or NULL */
struct prom_sample *prom_find(const struct prom_set *ps, const struct prom_sample *key)
{
	if (!ps->n)
		return NULL;
	return bsearch(key, ps->s, ps->n, sizeof(*ps->s), sample_cmp);
}

/* Add the samples of sorted @from to sorted @to, key by key; @to stays sorted. */
int prom_add_set(struct prom_set *to, const struct prom_set *from)
{
	size_t i, n = to->n;

	for (i = 0; i < from->n; i++) {
		const struct prom_sample *s = &from->s[i];
		struct prom_sample *t;

		/* only the first n are sorted while we append */
		t = n ? bsearch(s, to->s, n, sizeof(*s), sample_cmp) : NULL;
		if (t) {
			t->v += s->v;
			continue;
		}
		if (prom_add(to, s->family, s->suffix, s->labels, s->v))
			return -1;
	}
	prom_sort(to);
	return 0;
}

/* the order of the exposition: by family, then as collected */
static int write_cmp(const void *a, const void *b)
{
	const struct prom_sample *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The exposition of @ps, family by family, each with its HELP and TYPE. */
void prom_write(FILE *out, struct prom_set *ps)
{
	size_t i;
	int fam;

	if (ps->n)
		qsort(ps->s, ps->n, sizeof(*ps->s), write_cmp);
	for (fam = 0; fam < PROM_NR_FAMILIES; fam++) {
		const struct prom_family *pf = &families[fam];
		bool head = false;

		for (i = 0; i < ps->n; i++) {
			const struct prom_sample *s = &ps->s[i];

			if (s->family != fam)
				continue;
			if (!head)
				fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", pf->name, pf->help,
					pf->name, pf->type);
			head = true;
			if (s->labels[0])
				fprintf(out, "%s%s{%s} %.15g\n", pf->name, s->suffix, s->labels,
					s->v);
			else
				fprintf(out, "%s%s %.15g\n", pf->name, s->suffix, s->v);
		}
	}
}

void prom_free(struct prom_set *ps)
{
	free(ps->s);
	*ps = (struct prom_set){ 0 };
}
