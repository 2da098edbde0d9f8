// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: KVMX_ATTACH_VM binds a session file to a KVM VM.
 *
 * Every attached VM has one struct kvmx_vm, shared by all its sessions and
 * found through kvmx_vms. Each session holds a reference on the struct kvm
 * (kvm_get_kvm), so the VM outlives its own file descriptors until the last
 * session is closed; the kvmx_vm lives exactly as long as it has sessions.
 * A session file pins this module (fops.owner), so rmmod is refused while
 * one is open.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "kvmx.h"

/**
 * struct kvmx_vm - kvmx state of one attached VM
 * @node:	entry in kvmx_vms
 * @kvm:	the VM; each session holds a reference on it
 * @id:		kvmx's identifier of the VM, reported to userspace
 * @nr_sessions: sessions attached; the kvmx_vm is freed when it drops to 0
 *
 * @node and @nr_sessions are protected by kvmx_vms_lock.
 */
struct kvmx_vm {
	struct list_head node;
	struct kvm *kvm;
	u64 id;
	unsigned int nr_sessions;
};

struct kvmx_session {
	struct kvmx_vm *vm;
};

static LIST_HEAD(kvmx_vms);
static DEFINE_MUTEX(kvmx_vms_lock);
static u64 kvmx_next_vm_id = 1;

/* Find or create the kvmx_vm of @kvm and count one more session on it. */
static struct kvmx_vm *kvmx_vm_get(struct kvm *kvm)
{
	struct kvmx_vm *vm;

	/* kvmx_vms_lock: the list, nr_sessions, kvmx_next_vm_id */
	mutex_lock(&kvmx_vms_lock);
	list_for_each_entry(vm, &kvmx_vms, node) {
		if (vm->kvm == kvm)
			goto found;
	}
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto out;
	vm->kvm = kvm;
	vm->id = kvmx_next_vm_id++;
	list_add(&vm->node, &kvmx_vms);
found:
	vm->nr_sessions++;
out:
	mutex_unlock(&kvmx_vms_lock);
	return vm;
}

static void kvmx_vm_put(struct kvmx_vm *vm)
{
	bool last;

	mutex_lock(&kvmx_vms_lock);
	last = !--vm->nr_sessions;
	if (last)
		list_del(&vm->node);
	mutex_unlock(&kvmx_vms_lock);

	if (last)
		kfree(vm);
}

static int kvmx_session_info(struct kvmx_session *s, void __user *uarg)
{
	struct kvmx_session_info info = {};
	u32 flags;

	if (get_user(flags, (u32 __user *)uarg + 1))
		return -EFAULT;
	if (flags)
		return -EINVAL;

	info.api_version = KVMX_API_VERSION;
	info.nr_vcpus = atomic_read(&s->vm->kvm->online_vcpus);
	info.vm_id = s->vm->id;
	mutex_lock(&kvmx_vms_lock);
	info.nr_sessions = s->vm->nr_sessions;
	mutex_unlock(&kvmx_vms_lock);

	return kvmx_copy_out(uarg, &info, sizeof(info),
			     offsetofend(struct kvmx_session_info, flags));
}

static long kvmx_session_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct kvmx_session *s = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case KVMX_SESSION_INFO:
		return kvmx_session_info(s, uarg);
	default:
		return -ENOTTY;
	}
}

static int kvmx_session_release(struct inode *inode, struct file *filp)
{
	struct kvmx_session *s = filp->private_data;
	struct kvm *kvm = s->vm->kvm;

	kvmx_vm_put(s->vm);
	kfree(s);
	/* May be the last reference: KVM destroys the VM here. */
	kvm_put_kvm(kvm);
	return 0;
}

static const struct file_operations kvmx_session_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmx_session_release,
	.unlocked_ioctl	= kvmx_session_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* The VM of @vm_fd with a reference taken, or an ERR_PTR. */
static struct kvm *kvmx_get_vm_from_fd(int vm_fd)
{
	struct file *file;
	struct kvm *kvm;

	file = fget(vm_fd);
	if (!file)
		return ERR_PTR(-EBADF);
	if (!file_is_kvm(file)) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	kvm = file->private_data;
	kvm_get_kvm(kvm);
	fput(file);
	return kvm;
}

long kvmx_attach_vm(struct kvmx_attach_vm __user *uarg)
{
	struct kvmx_attach_vm arg;
	struct kvmx_session *s;
	struct file *file;
	struct kvm *kvm;
	int ret, fd;

	ret = kvmx_copy_in(&arg, sizeof(arg), sizeof(arg), uarg);
	if (ret)
		return ret;
	if (arg.flags || arg.reserved)
		return -EINVAL;

	kvm = kvmx_get_vm_from_fd(arg.vm_fd);
	if (IS_ERR(kvm))
		return PTR_ERR(kvm);

	ret = -ENOMEM;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		goto err_put_kvm;
	s->vm = kvmx_vm_get(kvm);
	if (!s->vm)
		goto err_free_session;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_vm;
	}
	file = anon_inode_getfile("kvmx-session", &kvmx_session_fops, s, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_fd;
	}
	/* Published: from here on the file owns s and the kvm reference. */
	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_put_vm:
	kvmx_vm_put(s->vm);
err_free_session:
	kfree(s);
err_put_kvm:
	kvm_put_kvm(kvm);
	return ret;
}
