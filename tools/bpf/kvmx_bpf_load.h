/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading a BPF object with a struct kvmx_ops and attaching it with a BPF
 * link, whose fd KVMX_REGION_ADD (mode PROGRAM) and KVMX_SET_POLICY
 * (KVMX_POLICY_PROGRAM) take: libbpf (1.5, from linux-source-6.12), for
 * kvmxctl and the selftests.
 */
#ifndef _KVMX_BPF_LOAD_H
#define _KVMX_BPF_LOAD_H

#include <stddef.h>

struct bpf_object;
struct bpf_link;

struct kvmx_bpf {
	struct bpf_object *obj;
	struct bpf_link *link;
	int link_fd;		/* the link's fd, for kvmx */
	char log[16384];	/* libbpf's and the verifier's messages of the load */
};

/*
 * Open @path, load its programs and attach its struct_ops map @ops (NULL:
 * the object's only one). 0, or a negative errno with the reason in
 * @b->log; on failure nothing stays loaded.
 */
int kvmx_bpf_open(struct kvmx_bpf *b, const char *path, const char *ops);
/*
 * The value of @key in map @name of @b, @size bytes (its value size, else
 * -EINVAL): 0 or a negative errno. _update() writes it.
 */
int kvmx_bpf_lookup(struct kvmx_bpf *b, const char *name, const void *key, void *val,
		    size_t size);
int kvmx_bpf_update(struct kvmx_bpf *b, const char *name, const void *key, const void *val,
		    size_t size);
/* The fd of map @name, or a negative errno. */
int kvmx_bpf_map_fd(struct kvmx_bpf *b, const char *name);
/* BPF_LINK_DETACH: unregister the ops while the link's fds stay open. */
int kvmx_bpf_detach(struct kvmx_bpf *b);
void kvmx_bpf_close(struct kvmx_bpf *b);

#endif /* _KVMX_BPF_LOAD_H */
