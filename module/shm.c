// SPDX-License-Identifier: GPL-2.0
/*
 * Memory shared with userspace: the pages of an event ring, of a LOG
 * region's ring and of a BANK region's registers.
 *
 * The pages are allocated one by one, charged to the caller's memory
 * cgroup (GFP_KERNEL_ACCOUNT), zeroed, and mapped twice: into the kernel
 * with vmap(), and into the VMM by its page faults. Each mapping holds a
 * reference on the object: the kernel may drop its own while userspace
 * still has the pages mapped, and they go back when the last mapping does.
 *
 * Everything in these pages can be written by userspace at any time: the
 * kernel keeps its own copy of every value it indexes or sizes with, and
 * reads back only what it merely compares (see design.rst).
 *
 * The reference count lets mmap() use an object without the lock of its
 * owner: it takes a reference under a spinlock that is never held across a
 * sleep, hands it to the mapping (or drops it on failure).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "kvmx.h"

struct kvmx_shm *kvmx_shm_alloc(size_t size)
{
	unsigned int i, nr = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct kvmx_shm *shm;

	shm = kvzalloc(struct_size(shm, pages, nr), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return NULL;
	refcount_set(&shm->ref, 1);
	shm->nr_pages = nr;
	for (i = 0; i < nr; i++) {
		shm->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!shm->pages[i])
			goto err;
	}
	shm->vaddr = vmap(shm->pages, nr, VM_MAP, PAGE_KERNEL);
	if (!shm->vaddr)
		goto err;
	kvmx_count_inc(KVMX_OBJ_SHM_PAGES, nr);
	return shm;
err:
	while (i--)
		__free_page(shm->pages[i]);
	kvfree(shm);
	return NULL;
}

void kvmx_shm_put(struct kvmx_shm *shm)
{
	unsigned int i;

	if (!shm || !refcount_dec_and_test(&shm->ref))
		return;
	vunmap(shm->vaddr);
	/* a page still mapped by userspace stays until it is unmapped */
	for (i = 0; i < shm->nr_pages; i++)
		put_page(shm->pages[i]);
	kvmx_count_dec(KVMX_OBJ_SHM_PAGES, shm->nr_pages);
	kvfree(shm);
}

/*
 * A mapping holds a reference on the object: the pages are faulted in on
 * demand, so MADV_DONTNEED, fork() and mremap() leave a mapping that still
 * works (a page dropped from it faults back in) instead of one that raises
 * SIGBUS, and the pages outlive the kernel's own use of them.
 */
static void kvmx_shm_vm_open(struct vm_area_struct *vma)
{
	struct kvmx_shm *shm = vma->vm_private_data;

	refcount_inc(&shm->ref);
}

static void kvmx_shm_vm_close(struct vm_area_struct *vma)
{
	kvmx_shm_put(vma->vm_private_data);
}

static vm_fault_t kvmx_shm_fault(struct vm_fault *vmf)
{
	struct kvmx_shm *shm = vmf->vma->vm_private_data;
	unsigned long i = vmf->pgoff - vmf->vma->vm_pgoff;

	/* vm_pgoff is the mmap offset, which names the object, not a page in it */
	if (i >= shm->nr_pages)
		return VM_FAULT_SIGBUS;
	vmf->page = shm->pages[i];
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct kvmx_shm_vm_ops = {
	.open	= kvmx_shm_vm_open,
	.close	= kvmx_shm_vm_close,
	.fault	= kvmx_shm_fault,
};

/* Map @shm at @vma's start; @vma may be shorter, not longer. */
int kvmx_shm_mmap(struct kvmx_shm *shm, struct vm_area_struct *vma)
{
	if (vma_pages(vma) > shm->nr_pages)
		return -EINVAL;
	/* no mremap() growth past the object, nothing of it in a core dump */
	kvmx_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	refcount_inc(&shm->ref);
	vma->vm_private_data = shm;
	vma->vm_ops = &kvmx_shm_vm_ops;
	return 0;
}
