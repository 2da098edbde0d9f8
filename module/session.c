// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: KVMX_ATTACH_VM binds a session file to a KVM VM.
 *
 * Every attached VM has one struct kvmx_vm, shared by all its sessions and
 * found through kvmx_vm_hash (by the exit probes too). Each session holds a
 * reference on the struct kvm (kvm_get_kvm), so the VM outlives its own file
 * descriptors until the last session is closed; the kvmx_vm lives exactly as
 * long as it has sessions.
 * A session file pins this module (fops.owner), so rmmod is refused while
 * one is open.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include "kvmx.h"

DEFINE_HASHTABLE(kvmx_vm_hash, KVMX_VM_HASH_BITS);
static DEFINE_MUTEX(kvmx_vms_lock);
static unsigned int kvmx_nr_vms;
static u64 kvmx_next_vm_id = 1;

/* Caller holds kvmx_vms_lock. */
static struct kvmx_vm *kvmx_vm_lookup_locked(struct kvm *kvm)
{
	struct kvmx_vm *vm;

	hash_for_each_possible(kvmx_vm_hash, vm, hnode, (unsigned long)kvm)
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/* Caller holds kvmx_vms_lock. The first VM turns the exit probes on. */
static struct kvmx_vm *kvmx_vm_create_locked(struct kvm *kvm)
{
	struct kvmx_vm *vm;
	int ret = -ENOMEM;

	ret = kvmx_arch_vm_check(kvm);
	if (ret)
		goto err;
	ret = -ENOMEM;
	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		goto err;
	vm->kvm = kvm;
	INIT_LIST_HEAD(&vm->sessions);
	vm->arch = kvmx_arch_id();
	kvmx_region_vm_init(vm);
	ret = kvmx_vm_vcpus_init(vm);
	if (ret)
		goto err_free;
	if (!kvmx_nr_vms) {
		ret = kvmx_arch_probes_register();
		if (ret) {
			pr_err("cannot register the exit probes: %d\n", ret);
			goto err_free;
		}
	}
	kvmx_nr_vms++;
	kvmx_count_inc(KVMX_OBJ_VMS, 1);
	vm->id = kvmx_next_vm_id++;
	hash_add_rcu(kvmx_vm_hash, &vm->hnode, (unsigned long)kvm);
	return vm;

err_free:
	kvmx_vm_vcpus_free(vm);
	kvfree(vm);
err:
	return ERR_PTR(ret);
}

/* Bind @s to the kvmx_vm of @kvm, creating it for the VM's first session. */
static int kvmx_vm_join(struct kvmx_session *s, struct kvm *kvm)
{
	struct kvmx_vm *vm;

	/* kvmx_vms_lock: the hash, kvmx_nr_vms, vm->nr_sessions, vm->sessions */
	mutex_lock(&kvmx_vms_lock);
	vm = kvmx_vm_lookup_locked(kvm);
	if (!vm)
		vm = kvmx_vm_create_locked(kvm);
	if (!IS_ERR(vm)) {
		vm->nr_sessions++;
		list_add_rcu(&s->vm_node, &vm->sessions);
		s->vm = vm;
	}
	mutex_unlock(&kvmx_vms_lock);
	return PTR_ERR_OR_ZERO(vm);
}

/*
 * Unbind @s; the VM's last session removes the kvmx_vm, the last VM turns
 * the probes off. Probes may be running on either until a grace period has
 * passed, so nothing is freed before tracepoint_synchronize_unregister().
 */
static void kvmx_vm_leave(struct kvmx_session *s)
{
	struct kvmx_vm *vm = s->vm;
	bool last;

	mutex_lock(&kvmx_vms_lock);
	list_del_rcu(&s->vm_node);
	kvmx_ring_detach(s);
	last = !--vm->nr_sessions;
	if (last) {
		hash_del_rcu(&vm->hnode);
		if (!--kvmx_nr_vms)
			kvmx_arch_probes_unregister();
	}
	mutex_unlock(&kvmx_vms_lock);

	/*
	 * Probes (tracepoint SRCU on 7.x, a preemption-disabled section
	 * everywhere) and the hooks and the idle-fault path (RCU, preemption
	 * disabled): 7.x's tracepoint_synchronize_unregister() no longer
	 * includes synchronize_rcu(), so both are waited for.
	 */
	tracepoint_synchronize_unregister();
	synchronize_rcu();
	if (last) {
		kvmx_region_vm_free(vm);
		kvmx_vm_vcpus_free(vm);
		kvfree(vm);
		kvmx_count_dec(KVMX_OBJ_VMS, 1);
	}
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
	case KVMX_GET_STATS:
		return kvmx_get_stats(s->vm, uarg);
	case KVMX_RESET_STATS:
		if (arg)
			return -EINVAL;
		kvmx_reset_stats(s->vm);
		return 0;
	case KVMX_RING_SETUP:
		return kvmx_ring_setup(s, uarg);
	case KVMX_GET_FAULTS:
		return kvmx_get_faults(s->vm, uarg);
	case KVMX_REGION_ADD:
		return kvmx_region_add(s, uarg);
	case KVMX_REGION_DEL:
		return kvmx_region_del(s, arg);
	case KVMX_REGION_LIST:
		return kvmx_region_list(s->vm, s, uarg);
	case KVMX_SET_POLICY:
		return kvmx_set_policy(s, uarg);
	case KVMX_GET_POLICY:
		return kvmx_get_policy(s, uarg);
	case KVMX_CHECK_EXTENSION:
		return kvmx_check_extension(s->vm, arg);
	case KVMX_GET_NAMES:
		return kvmx_get_names(s->vm, uarg);
	default:
		return -ENOTTY;
	}
}

/* offset 0: the event ring; a region's mmap_offset: its registers or log */
static int kvmx_session_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff)
		return kvmx_region_mmap(filp->private_data, vma);
	return kvmx_ring_mmap(filp->private_data, vma);
}

static __poll_t kvmx_session_poll(struct file *filp, poll_table *wait)
{
	return kvmx_ring_poll(filp->private_data, filp, wait);
}

static int kvmx_session_release(struct inode *inode, struct file *filp)
{
	struct kvmx_session *s = filp->private_data;
	struct kvm *kvm = s->vm->kvm;

	kvmx_policy_release(s);
	kvmx_region_release(s);
	kvmx_vm_leave(s);
	kvmx_ring_free(s->ring);
	kfree(s);
	kvmx_count_dec(KVMX_OBJ_SESSIONS, 1);
	/* May be the last reference: KVM destroys the VM here. */
	kvm_put_kvm(kvm);
	return 0;
}

static const struct file_operations kvmx_session_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmx_session_release,
	.unlocked_ioctl	= kvmx_session_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kvmx_session_mmap,
	.poll		= kvmx_session_poll,
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
	if (!kvmx_syms.file_is_kvm(file)) {
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
	kvmx_count_inc(KVMX_OBJ_SESSIONS, 1);
	mutex_init(&s->ring_lock);
	ret = kvmx_vm_join(s, kvm);
	if (ret)
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
	kvmx_vm_leave(s);
err_free_session:
	kfree(s);
	kvmx_count_dec(KVMX_OBJ_SESSIONS, 1);
err_put_kvm:
	kvm_put_kvm(kvm);
	return ret;
}
