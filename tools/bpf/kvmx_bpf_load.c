// SPDX-License-Identifier: GPL-2.0
/* Loading and attaching a struct kvmx_ops: see kvmx_bpf_load.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kvmx_bpf_load.h"

/* libbpf's print callback has no context: the object being loaded */
static struct kvmx_bpf *loading;

static int kvmx_bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t used;

	if (!loading || level == LIBBPF_DEBUG)
		return 0;
	used = strlen(loading->log);
	if (used + 1 < sizeof(loading->log))
		vsnprintf(loading->log + used, sizeof(loading->log) - used, fmt, ap);
	return 0;
}

static struct bpf_map *kvmx_bpf_ops_map(struct bpf_object *obj, const char *ops)
{
	struct bpf_map *m, *found = NULL;

	bpf_object__for_each_map(m, obj) {
		if (bpf_map__type(m) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		if (ops && strcmp(bpf_map__name(m), ops))
			continue;
		if (found)
			return NULL;	/* more than one: the caller must name it */
		found = m;
	}
	return found;
}

int kvmx_bpf_open(struct kvmx_bpf *b, const char *path, const char *ops)
{
	struct bpf_map *map;
	int ret;

	memset(b, 0, sizeof(*b));
	b->link_fd = -1;
	loading = b;
	libbpf_set_print(kvmx_bpf_print);
	b->obj = bpf_object__open_file(path, NULL);
	ret = -libbpf_get_error(b->obj);
	if (ret) {
		b->obj = NULL;
		goto out;
	}
	map = kvmx_bpf_ops_map(b->obj, ops);
	ret = -ENOENT;
	if (!map) {
		snprintf(b->log, sizeof(b->log), "%s: no struct_ops map%s%s (or several)\n",
			 path, ops ? " " : "", ops ? ops : "");
		goto out;
	}
	ret = bpf_object__load(b->obj);
	if (ret)
		goto out;
	b->link = bpf_map__attach_struct_ops(map);
	ret = -libbpf_get_error(b->link);
	if (ret) {
		b->link = NULL;
		goto out;
	}
	b->link_fd = bpf_link__fd(b->link);
out:
	loading = NULL;
	libbpf_set_print(NULL);
	if (ret) {
		bpf_object__close(b->obj);
		b->obj = NULL;
	}
	return ret;
}

int kvmx_bpf_map_fd(struct kvmx_bpf *b, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(b->obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/* Map @name of @b, if its values are @size bytes. */
static struct bpf_map *kvmx_bpf_map(struct kvmx_bpf *b, const char *name, size_t size,
				    int *err)
{
	struct bpf_map *m = bpf_object__find_map_by_name(b->obj, name);

	*err = -ENOENT;
	if (!m)
		return NULL;
	*err = -EINVAL;
	if (bpf_map__value_size(m) != size)
		return NULL;
	return m;
}

int kvmx_bpf_lookup(struct kvmx_bpf *b, const char *name, const void *key, void *val,
		    size_t size)
{
	int err;
	struct bpf_map *m = kvmx_bpf_map(b, name, size, &err);

	if (!m)
		return err;
	return bpf_map_lookup_elem(bpf_map__fd(m), key, val) ? -errno : 0;
}

int kvmx_bpf_update(struct kvmx_bpf *b, const char *name, const void *key, const void *val,
		    size_t size)
{
	int err;
	struct bpf_map *m = kvmx_bpf_map(b, name, size, &err);

	if (!m)
		return err;
	return bpf_map_update_elem(bpf_map__fd(m), key, val, BPF_ANY) ? -errno : 0;
}

int kvmx_bpf_detach(struct kvmx_bpf *b)
{
	return bpf_link__detach(b->link) ? -errno : 0;
}

void kvmx_bpf_close(struct kvmx_bpf *b)
{
	if (b->link)
		bpf_link__destroy(b->link);
	if (b->obj)
		bpf_object__close(b->obj);
	b->link = NULL;
	b->obj = NULL;
	b->link_fd = -1;
}
