// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl: the names of exit classes, fault classes and raw reasons. The
 * loaded module's own (KVMX_GET_NAMES, API 1.7), so that a kvmxctl older
 * than the module prints what it does not know by name; kvmxctl's built-in
 * tables (module/exit_class.c, fault_decode.c) where the module has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "exit_class.h"
#include "fault_decode.h"
#include "kvmxctl.h"

/* per KVMX_ARCH_*; [0] unused. loaded[a]: asked already (NULL if no answer) */
static struct kvmx_names *names[KVMX_ARCH_ARM64 + 1];
static bool loaded[KVMX_ARCH_ARM64 + 1];

/* Use @n (a KVMX_GET_NAMES answer, kept) for @arch: for the unit tests too. */
void names_set(unsigned int arch, struct kvmx_names *n)
{
	if (arch > KVMX_ARCH_ARM64)
		return;
	free(names[arch]);
	names[arch] = n;
	loaded[arch] = true;
}

/* The module's names for @arch (0: the host's); NULL if it has none. */
static struct kvmx_names *names_get(unsigned int arch)
{
	struct kvmx_names h = { .argsz = sizeof(h), .arch = arch }, *n;
	size_t size;
	int fd;

	if (arch > KVMX_ARCH_ARM64)
		return NULL;
	if (loaded[arch])
		return names[arch];
	loaded[arch] = true;
	fd = open("/dev/kvmx", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* the size, then the table; a module before 1.7 says ENOTTY */
	n = NULL;
	if (ioctl(fd, KVMX_GET_NAMES, &h) == 0 && h.entry_size == sizeof(n->entries[0])) {
		size = h.argsz;
		n = calloc(1, size);
		if (n) {
			*n = (struct kvmx_names){ .argsz = size, .arch = arch };
			if (ioctl(fd, KVMX_GET_NAMES, n) || n->nr_entries != n->nr_total) {
				free(n);
				n = NULL;
			}
		}
	}
	close(fd);
	names[arch] = n;
	return n;
}

static const char *names_find(unsigned int arch, unsigned int kind, unsigned int id)
{
	const struct kvmx_names *n = names_get(arch);
	unsigned int i;

	for (i = 0; n && i < n->nr_entries; i++)
		if (n->entries[i].kind == kind && n->entries[i].id == id)
			return n->entries[i].name;
	return NULL;
}

const char *name_class(unsigned int class)
{
	const char *s = class < KVMX_EXIT_NR_CLASSES ? NULL :
			names_find(0, KVMX_NAME_EXIT_CLASS, class);

	return s ?: kvmx_class_name(class);
}

const char *name_fault_class(unsigned int class)
{
	const char *s = class < KVMX_FAULT_NR_CLASSES ? NULL :
			names_find(0, KVMX_NAME_FAULT_CLASS, class);

	return s ?: kvmx_fault_class_name(class);
}

/* NULL for a reason neither the module nor kvmxctl names */
const char *name_raw(unsigned int arch, unsigned int raw)
{
	return kvmx_raw_name(arch, raw) ?: names_find(arch, KVMX_NAME_RAW, raw);
}
