// SPDX-License-Identifier: GPL-2.0
/*
 * kvmx: exit observation and exit policy for KVM.
 *
 * This file holds module init/exit and the /dev/kvmx control device.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/tracepoint.h>
#include "kvmx.h"

atomic_long_t kvmx_objs[KVMX_OBJ_NR];

static const char *const kvmx_obj_names[KVMX_OBJ_NR] = {
	[KVMX_OBJ_VMS] = "vms",
	[KVMX_OBJ_SESSIONS] = "sessions",
	[KVMX_OBJ_REGIONS] = "regions",
	[KVMX_OBJ_RINGS] = "rings",
	[KVMX_OBJ_POLICIES] = "policies",
	[KVMX_OBJ_VCPU_STATS] = "vcpu_stats",
	[KVMX_OBJ_SHM_PAGES] = "shm_pages",
};

/* debugfs kvmx/objects: what kvmx has allocated now, a line per kind */
static int kvmx_objects_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < KVMX_OBJ_NR; i++)
		seq_printf(m, "%s %ld\n", kvmx_obj_names[i], atomic_long_read(&kvmx_objs[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kvmx_objects);

static struct dentry *kvmx_debugfs;

static long kvmx_dev_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case KVMX_GET_API_VERSION:
		return arg ? -EINVAL : KVMX_API_VERSION;
	case KVMX_ATTACH_VM:
		return kvmx_attach_vm((struct kvmx_attach_vm __user *)arg);
	case KVMX_CHECK_EXTENSION:
		return kvmx_check_extension(NULL, arg);
	case KVMX_GET_NAMES:
		return kvmx_get_names(NULL, (struct kvmx_names __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kvmx_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= kvmx_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice kvmx_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kvmx",
	.fops	= &kvmx_dev_fops,
	.mode	= 0600,
};

static int __init kvmx_init(void)
{
	int ret;

	kvmx_slot_class_init();
	ret = kvmx_resolve_symbols();
	if (ret)
		goto err;
	ret = kvmx_arch_init();
	if (ret)
		goto err;
	/*
	 * BPF programs: the regions' kfuncs, then the struct_ops that calls
	 * them. No way back: both go with the module's BTF, at unload.
	 */
	kvmx_bpf_register(kvmx_region_kfuncs_register());

	ret = misc_register(&kvmx_dev);
	if (ret) {
		pr_err("cannot register /dev/kvmx: %d\n", ret);
		goto err_arch;
	}

	kvmx_debugfs = debugfs_create_dir("kvmx", NULL);
	debugfs_create_file("objects", 0400, kvmx_debugfs, NULL, &kvmx_objects_fops);
	pr_info("loaded, api %u.%u\n", KVMX_API_MAJOR, KVMX_API_MINOR);
	return 0;

err_arch:
	kvmx_arch_exit();
err:
	return ret;
}

static void __exit kvmx_exit(void)
{
	debugfs_remove(kvmx_debugfs);
	misc_deregister(&kvmx_dev);
	/* no session is left, so no policy: the hook may only linger */
	kvmx_policy_unload();
	kvmx_arch_exit();
	kvmx_hooks_exit();
	/* a probe unregistered on an attach's error path may still be running */
	tracepoint_synchronize_unregister();
	pr_info("unloaded\n");
}

module_init(kvmx_init);
module_exit(kvmx_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmx: exit observation and exit policy for KVM");
MODULE_AUTHOR("kvmx developers");
MODULE_VERSION(KVMX_VERSION);
