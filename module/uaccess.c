// SPDX-License-Identifier: GPL-2.0
/*
 * The argsz convention of kvmx's ioctls (VFIO's): extensible structures
 * copied in and out, and the entries of a table ioctl (KVMX_GET_STATS,
 * KVMX_GET_FAULTS, KVMX_REGION_LIST) copied out as they fit. Every ioctl
 * file uses these; they use nothing of kvmx's.
 */
#include <linux/uaccess.h>
#include "kvmx.h"

/**
 * kvmx_copy_in() - copy an extensible input structure from userspace
 * @karg:	kernel copy, @ksize bytes
 * @ksize:	size of the structure this module knows
 * @minsz:	smallest argsz accepted (the structure's first version)
 * @uarg:	user pointer; the structure starts with __u32 argsz
 *
 * Bytes past @ksize that userspace passed must be zero; bytes of @karg
 * that userspace did not pass are zeroed. argsz is capped at PAGE_SIZE, as
 * openat2() and clone3() cap theirs: the zero check scans what is passed.
 * @karg's argsz is the one read first, by which it was copied (userspace
 * may have changed it since).
 *
 * Return: 0, -EFAULT, -EINVAL if argsz < @minsz, -E2BIG if argsz >
 * PAGE_SIZE or userspace set bytes this module does not know.
 */
int kvmx_copy_in(void *karg, size_t ksize, size_t minsz, void __user *uarg)
{
	u32 argsz;
	int ret;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	if (argsz > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, argsz);
	if (!ret)
		*(u32 *)karg = argsz;
	return ret;
}

/* Copy entry @e out if it fits; count it either way. */
int kvmx_table_emit(struct kvmx_table_writer *w, const void *e)
{
	if (w->total++ >= w->room)
		return 0;
	if (copy_to_user(w->dst + w->written * w->entry_size, e, w->entry_size))
		return -EFAULT;
	w->written++;
	return 0;
}

/**
 * kvmx_copy_out() - copy an extensible output structure to userspace
 * @uarg:	user pointer; the structure starts with __u32 argsz
 * @karg:	kernel structure, @ksize bytes, starting with __u32 argsz
 * @ksize:	its size
 * @minsz:	smallest argsz accepted
 *
 * Writes min(argsz, @ksize) bytes, with argsz set to @ksize so a caller
 * with a short buffer learns the full size.
 *
 * Return: 0, -EFAULT, or -EINVAL if argsz < @minsz.
 */
int kvmx_copy_out(void __user *uarg, void *karg, size_t ksize, size_t minsz)
{
	u32 argsz;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (argsz < minsz)
		return -EINVAL;
	*(u32 *)karg = ksize;
	if (copy_to_user(uarg, karg, min_t(size_t, argsz, ksize)))
		return -EFAULT;
	return 0;
}

/**
 * kvmx_table_begin() - start a table ioctl
 * @w:		the writer, set up here
 * @uarg:	the caller's header; it starts with __u32 argsz, __u32 flags
 * @hdr_size:	the header's size, the entries following it
 * @entry_size:	an entry's size (kvmx_table_entry_size() changes it)
 * @known:	the input flags the ioctl has
 * @flags:	if non-NULL, set to the input flags
 *
 * Return: 0, -EFAULT, or -EINVAL if argsz is smaller than the header or
 * flags has a bit outside @known.
 */
int kvmx_table_begin(struct kvmx_table_writer *w, void __user *uarg,
		     size_t hdr_size, size_t entry_size, u32 known, u32 *flags)
{
	u32 argsz, in;

	if (get_user(argsz, (u32 __user *)uarg))
		return -EFAULT;
	if (get_user(in, (u32 __user *)uarg + 1))
		return -EFAULT;
	/* the header must fit */
	if (argsz < hdr_size)
		return -EINVAL;
	/* input flags the ioctl has */
	if (in & ~known)
		return -EINVAL;
	*w = (struct kvmx_table_writer) {
		.dst = uarg + hdr_size,
		.avail = argsz - hdr_size,
	};
	kvmx_table_entry_size(w, entry_size);
	if (flags)
		*flags = in;
	return 0;
}

/* Entries of @entry_size bytes from here on (none emitted yet). */
void kvmx_table_entry_size(struct kvmx_table_writer *w, size_t entry_size)
{
	w->entry_size = entry_size;
	w->room = w->avail / entry_size;
}
