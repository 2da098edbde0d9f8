/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvmx: exit observation and exit policy for KVM.
 *
 * The control device is /dev/kvmx. Its ioctls follow VFIO's conventions:
 * the ioctl number carries no size, and every structure starts with an
 * argsz field (the size userspace passed) and a flags field, so a structure
 * can grow at its end without a new ioctl number.
 *
 * Input structures: the kernel reads argsz bytes. argsz smaller than the
 * structure's first version is -EINVAL; bytes the kernel does not know
 * about must be zero (-E2BIG otherwise). Unknown flags and non-zero
 * reserved fields are -EINVAL.
 *
 * Output structures: the kernel writes min(argsz, its size) bytes and sets
 * argsz to its full size, so a short buffer is reported, not overrun.
 *
 * See Documentation/api.rst.
 */
#ifndef _UAPI_LINUX_KVMX_H
#define _UAPI_LINUX_KVMX_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* 0xAF 00-1F is fsl_hypervisor (Documentation/userspace-api/ioctl) */
#define KVMX_TYPE	0xAF
#define KVMX_BASE	0xe0

/*
 * API version: the major number changes when an existing ioctl changes
 * incompatibly; the minor number when something is added.
 */
#define KVMX_API_MAJOR		1
#define KVMX_API_MINOR		0
#define KVMX_API_VERSION	((KVMX_API_MAJOR << 16) | KVMX_API_MINOR)
#define KVMX_API_VERSION_MAJOR(v)	(((v) >> 16) & 0xffff)
#define KVMX_API_VERSION_MINOR(v)	((v) & 0xffff)

/* ioctls on /dev/kvmx */

/**
 * KVMX_GET_API_VERSION - _IO(KVMX_TYPE, KVMX_BASE + 0)
 *
 * Takes no argument; returns KVMX_API_VERSION of the loaded module.
 */
#define KVMX_GET_API_VERSION	_IO(KVMX_TYPE, KVMX_BASE + 0)

/**
 * struct kvmx_attach_vm - argument of KVMX_ATTACH_VM
 * @argsz:	size of this structure as userspace knows it
 * @flags:	none defined yet; must be zero
 * @vm_fd:	a KVM VM file descriptor (from KVM_CREATE_VM)
 * @reserved:	must be zero
 *
 * KVMX_ATTACH_VM - _IO(KVMX_TYPE, KVMX_BASE + 1)
 *
 * Binds a new session to the VM behind @vm_fd and returns the session file
 * descriptor (close-on-exec). The session holds a reference on the VM: the
 * VM stays alive until the session is closed, even if every KVM file
 * descriptor of the VM is closed first. A VM may have several sessions.
 *
 * Errors: EBADF if @vm_fd is not an open file descriptor; EINVAL if it is
 * not a KVM VM (a vCPU fd, /dev/kvm, any other file), if @flags or
 * @reserved is non-zero or @argsz is too small; E2BIG if bytes beyond the
 * known structure are non-zero; ENOMEM; EMFILE.
 */
struct kvmx_attach_vm {
	__u32 argsz;
	__u32 flags;
	__s32 vm_fd;
	__u32 reserved;
};

#define KVMX_ATTACH_VM		_IO(KVMX_TYPE, KVMX_BASE + 1)

/* ioctls on a session file descriptor */

/**
 * struct kvmx_session_info - result of KVMX_SESSION_INFO
 * @argsz:	in: size of the caller's buffer; out: the full size
 * @flags:	in: must be zero; out: none defined yet
 * @api_version: KVMX_API_VERSION of the module
 * @nr_vcpus:	vCPUs created in the VM so far
 * @nr_sessions: sessions currently attached to this VM, this one included
 * @reserved:	zero
 * @vm_id:	an identifier of the VM, stable while the VM lives and the
 *		same for all its sessions
 *
 * KVMX_SESSION_INFO - _IO(KVMX_TYPE, KVMX_BASE + 2)
 *
 * Errors: EINVAL if @argsz is smaller than 8 or @flags is non-zero; EFAULT.
 */
struct kvmx_session_info {
	__u32 argsz;
	__u32 flags;
	__u32 api_version;
	__u32 nr_vcpus;
	__u32 nr_sessions;
	__u32 reserved;
	__u64 vm_id;
};

#define KVMX_SESSION_INFO	_IO(KVMX_TYPE, KVMX_BASE + 2)

#endif /* _UAPI_LINUX_KVMX_H */
